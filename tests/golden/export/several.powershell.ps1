$ErrorActionPreference = 'Stop'

# example.com: two DMARC records, which receivers ignore: keep one
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -RRType Txt -RecordData 'v=DMARC1; p=none' -Force
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -RRType Txt -RecordData 'v=DMARC1; p=reject' -Force
Add-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -Txt -DescriptiveText 'v=DMARC1; p=none; rua=mailto:dmarc@example.com' -TimeToLive (New-TimeSpan -Seconds 3600)

# example.com: SPF lacks Salesforce
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -RRType Txt -RecordData 'v=spf1 include:spf.protection.outlook.com -all' -Force
Add-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -Txt -DescriptiveText 'v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all' -TimeToLive (New-TimeSpan -Seconds 3600)

# mail.example.com: a stray record
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc.mail' -RRType Txt -RecordData 'v=DMARC1; p=reject; sp=none' -Force

# example.net accepts reports for example.com
if (Get-DnsServerResourceRecord -ZoneName 'example.net' -Name 'example.com._report._dmarc' -RRType Txt -ErrorAction SilentlyContinue) { throw 'example.net: example.com._report._dmarc already has TXT records; nothing was changed' }
Add-DnsServerResourceRecord -ZoneName 'example.net' -Name 'example.com._report._dmarc' -Txt -DescriptiveText 'v=DMARC1' -TimeToLive (New-TimeSpan -Seconds 3600)
