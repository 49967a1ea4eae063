variable "zone_id_example_com" {
  description = "the Route 53 hosted zone ID of example.com"
  type        = string
}

variable "zone_id_example_net" {
  description = "the Route 53 hosted zone ID of example.net"
  type        = string
}

# example.com: step 2, fixes dkim.selector_missing
resource "aws_route53_record" "selector1__domainkey_example_com" {
  zone_id = var.zone_id_example_com
  name    = "selector1._domainkey.example.com"
  type    = "CNAME"
  ttl     = 3600
  records = ["selector1-example-com._domainkey.contoso.onmicrosoft.com"]
}

# example.com: step 3, fixes dkim.dangling_cname
# in place of "selector2.old-host.example.net"
resource "aws_route53_record" "selector2__domainkey_example_com" {
  zone_id = var.zone_id_example_com
  name    = "selector2._domainkey.example.com"
  type    = "CNAME"
  ttl     = 3600
  records = ["selector2-example-com._domainkey.contoso.onmicrosoft.com"]
}

# example.com: step 4, fixes spf.missing_include
# example.com: step 5, fixes spf.multiple_records
# aws_route53_record holds every TXT value at example.com
# with the values already there: "MS=ms48291735"
# in place of "v=spf1 include:spf.protection.outlook.com +all", "v=spf1 a -all"
resource "aws_route53_record" "example_com" {
  zone_id = var.zone_id_example_com
  name    = "example.com"
  type    = "TXT"
  ttl     = 3600
  records = ["MS=ms48291735", "v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all"]
}

# example.com: step 6, fixes reports.unauthorized, for the owner of reports.example.net to publish in its zone
# aws_route53_record holds every TXT value at example.com._report._dmarc.reports.example.net
resource "aws_route53_record" "example_com__report__dmarc_reports_example_net" {
  zone_id = var.zone_id_example_net
  name    = "example.com._report._dmarc.reports.example.net"
  type    = "TXT"
  ttl     = 3600
  records = ["v=DMARC1"]
}

# example.com: step 7, fixes dmarc.multiple_records
# remove the TXT value "v=DMARC1; p=reject; sp=none" at _dmarc.example.com
