variable "zone_id_example_com" {
  description = "the Cloudflare zone ID of example.com"
  type        = string
}

variable "zone_id_example_net" {
  description = "the Cloudflare zone ID of example.net"
  type        = string
}

# example.com: two DMARC records, which receivers ignore: keep one
# in place of "v=DMARC1; p=none", "v=DMARC1; p=reject"
resource "cloudflare_dns_record" "_dmarc_example_com" {
  zone_id = var.zone_id_example_com
  name    = "_dmarc.example.com"
  type    = "TXT"
  ttl     = 3600
  content = "\"v=DMARC1; p=none; rua=mailto:dmarc@example.com\""
}

# example.com: SPF lacks Salesforce
# in place of "v=spf1 include:spf.protection.outlook.com -all"
resource "cloudflare_dns_record" "example_com" {
  zone_id = var.zone_id_example_com
  name    = "example.com"
  type    = "TXT"
  ttl     = 3600
  content = "\"v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all\""
}

# mail.example.com: a stray record
# remove the TXT value "v=DMARC1; p=reject; sp=none" at _dmarc.mail.example.com

# example.net accepts reports for example.com
resource "cloudflare_dns_record" "example_com__report__dmarc_example_net" {
  zone_id = var.zone_id_example_net
  name    = "example.com._report._dmarc.example.net"
  type    = "TXT"
  ttl     = 3600
  content = "\"v=DMARC1\""
}
