set -euo pipefail
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the DNS zone}"

# example.com: phase 2 (quarantine half)
az network dns record-set txt remove-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=none' --keep-empty-record-set
az network dns record-set txt add-record -g "$RESOURCE_GROUP" -z 'example.com' -n '_dmarc' -v 'v=DMARC1; p=quarantine; rua=mailto:dmarc-01@reports.example.com,mailto:dmarc-02@reports.example.com,mailto:dmarc-03@reports.example.com,mailto:dmarc-04@reports.example.com,mailto:dmarc-05@reports.example.com,mailto:dmarc-06@reports.example.com,mailto:dmarc-07@reports.example.com,mailto:dmarc-08@reports.example.com,mailto:dmarc-09@reports.example.com,mailto:dmarc-10@reports.example.com,mailto:dmarc-11@reports.example.com,mailto:dmarc-12@reports.example.com; fo=1; adkim=s; aspf=s; pct=50'
