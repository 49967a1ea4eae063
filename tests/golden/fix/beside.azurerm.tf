variable "zone_name_example_com" {
  description = "the Azure DNS zone"
  type        = string
  default     = "example.com"
}

variable "resource_group_name_example_com" {
  description = "the resource group of the Azure DNS zone example.com"
  type        = string
}

# example.com: step 1, fixes spf.no_record
# azurerm_dns_txt_record holds every TXT value at example.com
# with the values already there: "MS=ms48291735", "google-site-verification=x1"
resource "azurerm_dns_txt_record" "example_com" {
  name                = "@"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600

  record {
    value = "MS=ms48291735"
  }

  record {
    value = "google-site-verification=x1"
  }

  record {
    value = "v=spf1 include:spf.protection.outlook.com -all"
  }
}
