$ErrorActionPreference = 'Stop'

# example.com: step 2, fixes dkim.selector_missing
if (Get-DnsServerResourceRecord -ZoneName 'example.com' -Name 'selector1._domainkey' -ErrorAction SilentlyContinue) { throw 'example.com: selector1._domainkey already has records; nothing was changed' }
Add-DnsServerResourceRecordCName -ZoneName 'example.com' -Name 'selector1._domainkey' -HostNameAlias 'selector1-example-com._domainkey.contoso.onmicrosoft.com.' -TimeToLive (New-TimeSpan -Seconds 3600)

# example.com: step 3, fixes dkim.dangling_cname
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name 'selector2._domainkey' -RRType CName -RecordData 'selector2.old-host.example.net.' -Force
Add-DnsServerResourceRecordCName -ZoneName 'example.com' -Name 'selector2._domainkey' -HostNameAlias 'selector2-example-com._domainkey.contoso.onmicrosoft.com.' -TimeToLive (New-TimeSpan -Seconds 3600)

# example.com: step 4, fixes spf.missing_include
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -RRType Txt -RecordData 'v=spf1 include:spf.protection.outlook.com +all' -Force
Add-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -Txt -DescriptiveText 'v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all' -TimeToLive (New-TimeSpan -Seconds 3600)

# example.com: step 5, fixes spf.multiple_records
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -RRType Txt -RecordData 'v=spf1 a -all' -Force

# example.com: step 6, fixes reports.unauthorized, for the owner of reports.example.net to publish in its zone
if (Get-DnsServerResourceRecord -ZoneName 'example.net' -Name 'example.com._report._dmarc.reports' -RRType Txt -ErrorAction SilentlyContinue) { throw 'example.net: example.com._report._dmarc.reports already has TXT records; nothing was changed' }
Add-DnsServerResourceRecord -ZoneName 'example.net' -Name 'example.com._report._dmarc.reports' -Txt -DescriptiveText 'v=DMARC1' -TimeToLive (New-TimeSpan -Seconds 3600)

# example.com: step 7, fixes dmarc.multiple_records
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -RRType Txt -RecordData 'v=DMARC1; p=reject; sp=none' -Force
