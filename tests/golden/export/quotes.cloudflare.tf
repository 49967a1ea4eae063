variable "zone_id_example_com" {
  description = "the Cloudflare zone ID of example.com"
  type        = string
}

# example.com: phase 1 (monitor), repairs the report addresses
# in place of "v=DMARC1; p=none; rua=mailto:\"old\\box\"@example.com"
resource "cloudflare_dns_record" "_dmarc_example_com" {
  zone_id = var.zone_id_example_com
  name    = "_dmarc.example.com"
  type    = "TXT"
  ttl     = 3600
  content = "\"v=DMARC1; p=none; rua=mailto:\\\"dmarc\\\\reports\\\"@example.com,https://r.example.com/a\\\\b?q=\\\"x\\\"\""
}
