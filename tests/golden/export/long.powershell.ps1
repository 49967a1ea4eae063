$ErrorActionPreference = 'Stop'

# example.com: phase 2 (quarantine half)
Remove-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -RRType Txt -RecordData 'v=DMARC1; p=none' -Force
Add-DnsServerResourceRecord -ZoneName 'example.com' -Name '_dmarc' -Txt -DescriptiveText 'v=DMARC1; p=quarantine; rua=mailto:dmarc-01@reports.example.com,mailto:dmarc-02@reports.example.com,mailto:dmarc-03@reports.example.com,mailto:dmarc-04@reports.example.com,mailto:dmarc-05@reports.example.com,mailto:dmarc-06@reports.example.com,mailto:dmarc-07@reports.example.com,mailto:dmarc-08@reports.example.com,mailto:dmarc-09@reports.example.com,mailto:dmarc-10@reports.example.com,mailto:dmarc-11@reports.example.com,mailto:dmarc-12@reports.example.com; fo=1; adkim=s; aspf=s; pct=50' -TimeToLive (New-TimeSpan -Seconds 3600)
