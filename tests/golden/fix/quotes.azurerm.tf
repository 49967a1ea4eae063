variable "zone_name_example_com" {
  description = "the Azure DNS zone"
  type        = string
  default     = "example.com"
}

variable "resource_group_name_example_com" {
  description = "the resource group of the Azure DNS zone example.com"
  type        = string
}

# example.com: step 1, fixes dmarc.delegated
# remove the CNAME value "example.com.dmarc.vendor.example" at _dmarc.example.com

# example.com: step 2, fixes dmarc.delegated
# azurerm_dns_txt_record holds every TXT value at _dmarc.example.com
resource "azurerm_dns_txt_record" "_dmarc_example_com" {
  name                = "_dmarc"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600

  record {
    value = "v=DMARC1; p=none; rua=mailto:\"dmarc\\reports\"@example.com,https://r.example.com/a\\b?q=\"x\""
  }
}
