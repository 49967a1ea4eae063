variable "zone_name_example_com" {
  description = "the Azure DNS zone"
  type        = string
  default     = "example.com"
}

variable "resource_group_name_example_com" {
  description = "the resource group of the Azure DNS zone example.com"
  type        = string
}

# example.com: phase 2 (quarantine half)
# azurerm_dns_txt_record holds every TXT value at _dmarc.example.com
# in place of "v=DMARC1; p=none"
resource "azurerm_dns_txt_record" "_dmarc_example_com" {
  name                = "_dmarc"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600

  record {
    value = "v=DMARC1; p=quarantine; rua=mailto:dmarc-01@reports.example.com,mailto:dmarc-02@reports.example.com,mailto:dmarc-03@reports.example.com,mailto:dmarc-04@reports.example.com,mailto:dmarc-05@reports.example.com,mailto:dmarc-06@reports.example.com,mailto:dmarc-07@reports.example.com,mailto:dmarc-08@reports.example.com,mailto:dmarc-09@reports.example.com,mailto:dmarc-10@reports.example.com,mailto:dmarc-11@reports.example.com,mailto:dmarc-12@reports.example.com; fo=1; adkim=s; aspf=s; pct=50"
  }
}
