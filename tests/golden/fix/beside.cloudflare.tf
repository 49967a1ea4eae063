variable "zone_id_example_com" {
  description = "the Cloudflare zone ID of example.com"
  type        = string
}

# example.com: step 1, fixes spf.no_record
resource "cloudflare_dns_record" "example_com" {
  zone_id = var.zone_id_example_com
  name    = "example.com"
  type    = "TXT"
  ttl     = 3600
  content = "\"v=spf1 include:spf.protection.outlook.com -all\""
}
