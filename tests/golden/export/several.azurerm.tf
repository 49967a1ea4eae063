variable "zone_name_example_com" {
  description = "the Azure DNS zone"
  type        = string
  default     = "example.com"
}

variable "resource_group_name_example_com" {
  description = "the resource group of the Azure DNS zone example.com"
  type        = string
}

variable "zone_name_example_net" {
  description = "the Azure DNS zone"
  type        = string
  default     = "example.net"
}

variable "resource_group_name_example_net" {
  description = "the resource group of the Azure DNS zone example.net"
  type        = string
}

# example.com: two DMARC records, which receivers ignore: keep one
# azurerm_dns_txt_record holds every TXT value at _dmarc.example.com
# in place of "v=DMARC1; p=none", "v=DMARC1; p=reject"
resource "azurerm_dns_txt_record" "_dmarc_example_com" {
  name                = "_dmarc"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600

  record {
    value = "v=DMARC1; p=none; rua=mailto:dmarc@example.com"
  }
}

# example.com: SPF lacks Salesforce
# azurerm_dns_txt_record holds every TXT value at example.com
# in place of "v=spf1 include:spf.protection.outlook.com -all"
resource "azurerm_dns_txt_record" "example_com" {
  name                = "@"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600

  record {
    value = "v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all"
  }
}

# mail.example.com: a stray record
# remove the TXT value "v=DMARC1; p=reject; sp=none" at _dmarc.mail.example.com

# example.net accepts reports for example.com
# azurerm_dns_txt_record holds every TXT value at example.com._report._dmarc.example.net
resource "azurerm_dns_txt_record" "example_com__report__dmarc_example_net" {
  name                = "example.com._report._dmarc"
  zone_name           = var.zone_name_example_net
  resource_group_name = var.resource_group_name_example_net
  ttl                 = 3600

  record {
    value = "v=DMARC1"
  }
}
