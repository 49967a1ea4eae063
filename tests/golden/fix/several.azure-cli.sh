set -euo pipefail
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the DNS zone}"

# example.com: step 2, fixes dkim.selector_missing
az network dns record-set cname create -g "$RESOURCE_GROUP" -z 'example.com' -n 'selector1._domainkey' --ttl 3600 --if-none-match
az network dns record-set cname set-record -g "$RESOURCE_GROUP" -z 'example.com' -n 'selector1._domainkey' -c 'selector1-example-com._domainkey.contoso.onmicrosoft.com'

# example.com: step 3, fixes dkim.dangling_cname
az network dns record-set cname remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n 'selector2._domainkey' -c 'selector2.old-host.example.net' --keep-empty-record-set
az network dns record-set cname set-record -g "$RESOURCE_GROUP" -z 'example.com' -n 'selector2._domainkey' -c 'selector2-example-com._domainkey.contoso.onmicrosoft.com'

# example.com: step 4, fixes spf.missing_include
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '@' -v 'v=spf1 include:spf.protection.outlook.com +all' --keep-empty-record-set
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.com' -n '@' -v 'v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all'

# example.com: step 5, fixes spf.multiple_records
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '@' -v 'v=spf1 a -all'

# example.com: step 6, fixes reports.unauthorized, for the owner of reports.example.net to publish in its zone
az network dns record-set txt create -g "$RESOURCE_GROUP" -z 'example.net' -n 'example.com._report._dmarc.reports' --ttl 3600 --if-none-match
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.net' -n 'example.com._report._dmarc.reports' -v 'v=DMARC1'

# example.com: step 7, fixes dmarc.multiple_records
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=reject; sp=none'
