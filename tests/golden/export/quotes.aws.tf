variable "zone_id_example_com" {
  description = "the Route 53 hosted zone ID of example.com"
  type        = string
}

# example.com: phase 1 (monitor), repairs the report addresses
# aws_route53_record holds every TXT value at _dmarc.example.com
# in place of "v=DMARC1; p=none; rua=mailto:\"old\\box\"@example.com"
resource "aws_route53_record" "_dmarc_example_com" {
  zone_id = var.zone_id_example_com
  name    = "_dmarc.example.com"
  type    = "TXT"
  ttl     = 3600
  records = ["v=DMARC1; p=none; rua=mailto:\\\"dmarc\\\\reports\\\"@example.com,https://r.example.com/a\\\\b?q=\\\"x\\\""]
}
