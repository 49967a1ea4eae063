set -euo pipefail
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the DNS zone}"

# example.com: step 1, fixes spf.no_record
test "$(az network dns record-set txt show -g "$RESOURCE_GROUP" -z 'example.com' -n '@' --query "TXTRecords[].join('', value)" -o tsv | sort)" = "$(printf '%s\n' 'MS=ms48291735' 'google-site-verification=x1' | sort)" || { echo 'example.com: @ has TXT records other than those read; nothing was changed' >&2; exit 1; }
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.com' -n '@' -v 'v=spf1 include:spf.protection.outlook.com -all'
