set -euo pipefail
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the DNS zone}"

# example.com: step 1, fixes spf.pass_all
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '@' -v 'v=spf1 +all' --keep-empty-record-set
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.com' -n '@' -v 'v=spf1 include:_spf01.vendor-mail.example include:_spf02.vendor-mail.example include:_spf03.vendor-mail.example include:_spf04.vendor-mail.example include:_spf05.vendor-mail.example include:_spf06.vendor-mail.example include:_spf07.vendor-mail.example include:_spf08.vendor-mail.example include:_spf09.vendor-mail.example include:_spf10.vendor-mail.example include:_spf11.vendor-mail.example include:_spf12.vendor-mail.example include:_spf13.vendor-mail.example include:_spf14.vendor-mail.example -all'
