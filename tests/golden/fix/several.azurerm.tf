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

# example.com: step 2, fixes dkim.selector_missing
resource "azurerm_dns_cname_record" "selector1__domainkey_example_com" {
  name                = "selector1._domainkey"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600
  record              = "selector1-example-com._domainkey.contoso.onmicrosoft.com"
}

# example.com: step 3, fixes dkim.dangling_cname
# in place of "selector2.old-host.example.net"
resource "azurerm_dns_cname_record" "selector2__domainkey_example_com" {
  name                = "selector2._domainkey"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600
  record              = "selector2-example-com._domainkey.contoso.onmicrosoft.com"
}

# example.com: step 4, fixes spf.missing_include
# example.com: step 5, fixes spf.multiple_records
# azurerm_dns_txt_record holds every TXT value at example.com
# with the values already there: "MS=ms48291735"
# in place of "v=spf1 include:spf.protection.outlook.com +all", "v=spf1 a -all"
resource "azurerm_dns_txt_record" "example_com" {
  name                = "@"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600

  record {
    value = "MS=ms48291735"
  }

  record {
    value = "v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all"
  }
}

# example.com: step 6, fixes reports.unauthorized, for the owner of reports.example.net to publish in its zone
# azurerm_dns_txt_record holds every TXT value at example.com._report._dmarc.reports.example.net
resource "azurerm_dns_txt_record" "example_com__report__dmarc_reports_example_net" {
  name                = "example.com._report._dmarc.reports"
  zone_name           = var.zone_name_example_net
  resource_group_name = var.resource_group_name_example_net
  ttl                 = 3600

  record {
    value = "v=DMARC1"
  }
}

# example.com: step 7, fixes dmarc.multiple_records
# remove the TXT value "v=DMARC1; p=reject; sp=none" at _dmarc.example.com
