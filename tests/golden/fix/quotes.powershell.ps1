$ErrorActionPreference = 'Stop'

# example.com: step 1, fixes dmarc.delegated
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -RRType CName -RecordData 'example.com.dmarc.vendor.example.' -Force

# example.com: step 2, fixes dmarc.delegated
if (Get-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -RRType Txt -ErrorAction SilentlyContinue) { throw 'example.com: _dmarc already has TXT records; nothing was changed' }
Add-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -Txt -DescriptiveText 'v=DMARC1; p=none; rua=mailto:"dmarc\reports"@example.com,https://r.example.com/a\b?q="x"' -TimeToLive (New-TimeSpan -Seconds 3600)
