variable "zone_id_example_com" {
  description = "the Cloudflare zone ID of example.com"
  type        = string
}

# example.com: step 1, fixes dmarc.delegated
# remove the CNAME value "example.com.dmarc.vendor.example" at _dmarc.example.com

# example.com: step 2, fixes dmarc.delegated
resource "cloudflare_dns_record" "_dmarc_example_com" {
  zone_id = var.zone_id_example_com
  name    = "_dmarc.example.com"
  type    = "TXT"
  ttl     = 3600
  content = "\"v=DMARC1; p=none; rua=mailto:\\\"dmarc\\\\reports\\\"@example.com,https://r.example.com/a\\\\b?q=\\\"x\\\"\""
}
