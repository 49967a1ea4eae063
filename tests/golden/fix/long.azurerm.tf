variable "zone_name_example_com" {
  description = "the Azure DNS zone"
  type        = string
  default     = "example.com"
}

variable "resource_group_name_example_com" {
  description = "the resource group of the Azure DNS zone example.com"
  type        = string
}

# example.com: step 1, fixes spf.pass_all
# azurerm_dns_txt_record holds every TXT value at example.com
# in place of "v=spf1 +all"
resource "azurerm_dns_txt_record" "example_com" {
  name                = "@"
  zone_name           = var.zone_name_example_com
  resource_group_name = var.resource_group_name_example_com
  ttl                 = 3600

  record {
    value = "v=spf1 include:_spf01.vendor-mail.example include:_spf02.vendor-mail.example include:_spf03.vendor-mail.example include:_spf04.vendor-mail.example include:_spf05.vendor-mail.example include:_spf06.vendor-mail.example include:_spf07.vendor-mail.example include:_spf08.vendor-mail.example include:_spf09.vendor-mail.example include:_spf10.vendor-mail.example include:_spf11.vendor-mail.example include:_spf12.vendor-mail.example include:_spf13.vendor-mail.example include:_spf14.vendor-mail.example -all"
  }
}
