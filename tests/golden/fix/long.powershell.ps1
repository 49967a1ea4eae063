$ErrorActionPreference = 'Stop'

# example.com: step 1, fixes spf.pass_all
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -RRType Txt -RecordData 'v=spf1 +all' -Force
Add-DnsServerResourceRecord -ZoneName 'example.com' -Name '@' -Txt -DescriptiveText 'v=spf1 include:_spf01.vendor-mail.example include:_spf02.vendor-mail.example include:_spf03.vendor-mail.example include:_spf04.vendor-mail.example include:_spf05.vendor-mail.example include:_spf06.vendor-mail.example include:_spf07.vendor-mail.example include:_spf08.vendor-mail.example include:_spf09.vendor-mail.example include:_spf10.vendor-mail.example include:_spf11.vendor-mail.example include:_spf12.vendor-mail.example include:_spf13.vendor-mail.example include:_spf14.vendor-mail.example -all' -TimeToLive (New-TimeSpan -Seconds 3600)
