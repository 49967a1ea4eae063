set -euo pipefail
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the DNS zone}"

# example.com: two DMARC records, which receivers ignore: keep one
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=none' --keep-empty-record-set
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=reject' --keep-empty-record-set
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=none; rua=mailto:dmarc@example.com'

# example.com: SPF lacks Salesforce
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '@' -v 'v=spf1 include:spf.protection.outlook.com -all' --keep-empty-record-set
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.com' -n '@' -v 'v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all'

# mail.example.com: a stray record
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc.mail' -v 'v=DMARC1; p=reject; sp=none'

# example.net accepts reports for example.com
az network dns record-set txt create -g "$RESOURCE_GROUP" -z 'example.net' -n 'example.com._report._dmarc' --ttl 3600 --if-none-match
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.net' -n 'example.com._report._dmarc' -v 'v=DMARC1'
