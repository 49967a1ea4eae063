variable "zone_id_example_com" {
  description = "the Cloudflare zone ID of example.com"
  type        = string
}

# example.com: step 1, fixes spf.pass_all
# in place of "v=spf1 +all"
resource "cloudflare_dns_record" "example_com" {
  zone_id = var.zone_id_example_com
  name    = "example.com"
  type    = "TXT"
  ttl     = 3600
  content = "\"v=spf1 include:_spf01.vendor-mail.example include:_spf02.vendor-mail.example include:_spf03.vendor-mail.example include:_spf04.vendor-mail.example include:_spf05.vendor-mail.example include:_spf06.vendor-mail.example include:_spf07.vendor-mail.example \" \"include:_spf08.vendor-mail.example include:_spf09.vendor-mail.example include:_spf10.vendor-mail.example include:_spf11.vendor-mail.example include:_spf12.vendor-mail.example include:_spf13.vendor-mail.example include:_spf14.vendor-mail.example -all\""
}
