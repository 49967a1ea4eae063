set -euo pipefail
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the DNS zone}"

# example.com: phase 1 (monitor), repairs the report addresses
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=none; rua=mailto:"old\box"@example.com' --keep-empty-record-set
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=none; rua=mailto:"dmarc\reports"@example.com,https://r.example.com/a\b?q="x"'
