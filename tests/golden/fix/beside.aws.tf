variable "zone_id_example_com" {
  description = "the Route 53 hosted zone ID of example.com"
  type        = string
}

# example.com: step 1, fixes spf.no_record
# aws_route53_record holds every TXT value at example.com
# with the values already there: "MS=ms48291735", "google-site-verification=x1"
resource "aws_route53_record" "example_com" {
  zone_id = var.zone_id_example_com
  name    = "example.com"
  type    = "TXT"
  ttl     = 3600
  records = ["MS=ms48291735", "google-site-verification=x1", "v=spf1 include:spf.protection.outlook.com -all"]
}
