// example.com: step 2, fixes dkim.selector_missing
// in D("example.com", ...):
CNAME("selector1._domainkey", "selector1-example-com._domainkey.contoso.onmicrosoft.com.", TTL(3600)),

// example.com: step 3, fixes dkim.dangling_cname
// in D("example.com", ...), in place of CNAME("selector2._domainkey", "selector2.old-host.example.net."):
CNAME("selector2._domainkey", "selector2-example-com._domainkey.contoso.onmicrosoft.com.", TTL(3600)),

// example.com: step 4, fixes spf.missing_include
// example.com: step 5, fixes spf.multiple_records
// in D("example.com", ...), in place of TXT("@", "v=spf1 include:spf.protection.outlook.com +all") and TXT("@", "v=spf1 a -all"):
TXT("@", "v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all", TTL(3600)),

// example.com: step 6, fixes reports.unauthorized, for the owner of reports.example.net to publish in its zone
// in D("example.net", ...):
TXT("example.com._report._dmarc.reports", "v=DMARC1", TTL(3600)),

// example.com: step 7, fixes dmarc.multiple_records
// in D("example.com", ...), remove TXT("_dmarc", "v=DMARC1; p=reject; sp=none")
