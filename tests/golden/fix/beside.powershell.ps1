$ErrorActionPreference = 'Stop'

# example.com: step 1, fixes spf.no_record
if (Get-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -RRType Txt -ErrorAction SilentlyContinue | Where-Object { @('MS=ms48291735', 'google-site-verification=x1') -cnotcontains $_.RecordData.DescriptiveText }) { throw 'example.com: @ has TXT records other than those read; nothing was changed' }
Add-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -Txt -DescriptiveText 'v=spf1 include:spf.protection.outlook.com -all' -TimeToLive (New-TimeSpan -Seconds 3600)
