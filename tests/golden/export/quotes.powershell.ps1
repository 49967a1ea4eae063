$ErrorActionPreference = 'Stop'

# example.com: phase 1 (monitor), repairs the report addresses
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -RRType Txt -RecordData 'v=DMARC1; p=none; rua=mailto:"old\box"@example.com' -Force
Add-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -Txt -DescriptiveText 'v=DMARC1; p=none; rua=mailto:"dmarc\reports"@example.com,https://r.example.com/a\b?q="x"' -TimeToLive (New-TimeSpan -Seconds 3600)
