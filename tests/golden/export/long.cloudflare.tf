variable "zone_id_example_com" {
  description = "the Cloudflare zone ID of example.com"
  type        = string
}

# example.com: phase 2 (quarantine half)
# in place of "v=DMARC1; p=none"
resource "cloudflare_dns_record" "_dmarc_example_com" {
  zone_id = var.zone_id_example_com
  name    = "_dmarc.example.com"
  type    = "TXT"
  ttl     = 3600
  content = "\"v=DMARC1; p=quarantine; \" \"rua=mailto:dmarc-01@reports.example.com,mailto:dmarc-02@reports.example.com,mailto:dmarc-03@reports.example.com,mailto:dmarc-04@reports.example.com,mailto:dmarc-05@reports.example.com,mailto:dmarc-06@reports.example.com,mailto:dmarc-07@reports.example.com\" \",mailto:dmarc-08@reports.example.com,mailto:dmarc-09@reports.example.com,mailto:dmarc-10@reports.example.com,mailto:dmarc-11@reports.example.com,mailto:dmarc-12@reports.example.com; fo=1; adkim=s; aspf=s; pct=50\""
}
