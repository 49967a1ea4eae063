set -euo pipefail
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the DNS zone}"

# example.com: step 1, fixes dmarc.delegated
az network dns record-set cname remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -c 'example.com.dmarc.vendor.example'

# example.com: step 2, fixes dmarc.delegated
az network dns record-set txt create -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' --ttl 3600 --if-none-match
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=none; rua=mailto:"dmarc\reports"@example.com,https://r.example.com/a\b?q="x"'
