variable "zone_id_example_com" {
  description = "the Route 53 hosted zone ID of example.com"
  type        = string
}

variable "zone_id_example_net" {
  description = "the Route 53 hosted zone ID of example.net"
  type        = string
}

# example.com: two DMARC records, which receivers ignore: keep one
# aws_route53_record holds every TXT value at _dmarc.example.com
# in place of "v=DMARC1; p=none", "v=DMARC1; p=reject"
resource "aws_route53_record" "_dmarc_example_com" {
  zone_id = var.zone_id_example_com
  name    = "_dmarc.example.com"
  type    = "TXT"
  ttl     = 3600
  records = ["v=DMARC1; p=none; rua=mailto:dmarc@example.com"]
}

# example.com: SPF lacks Salesforce
# aws_route53_record holds every TXT value at example.com
# in place of "v=spf1 include:spf.protection.outlook.com -all"
resource "aws_route53_record" "example_com" {
  zone_id = var.zone_id_example_com
  name    = "example.com"
  type    = "TXT"
  ttl     = 3600
  records = ["v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all"]
}

# mail.example.com: a stray record
# remove the TXT value "v=DMARC1; p=reject; sp=none" at _dmarc.mail.example.com

# example.net accepts reports for example.com
# aws_route53_record holds every TXT value at example.com._report._dmarc.example.net
resource "aws_route53_record" "example_com__report__dmarc_example_net" {
  zone_id = var.zone_id_example_net
  name    = "example.com._report._dmarc.example.net"
  type    = "TXT"
  ttl     = 3600
  records = ["v=DMARC1"]
}
