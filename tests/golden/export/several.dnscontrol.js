// example.com: two DMARC records, which receivers ignore: keep one
// in D("example.com", ...), in place of TXT("_dmarc", "v=DMARC1; p=none") and TXT("_dmarc", "v=DMARC1; p=reject"):
TXT("_dmarc", "v=DMARC1; p=none; rua=mailto:dmarc@example.com", TTL(3600)),

// example.com: SPF lacks Salesforce
// in D("example.com", ...), in place of TXT("@", "v=spf1 include:spf.protection.outlook.com -all"):
TXT("@", "v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all", TTL(3600)),

// mail.example.com: a stray record
// in D("example.com", ...), remove TXT("_dmarc.mail", "v=DMARC1; p=reject; sp=none")

// example.net accepts reports for example.com
// in D("example.net", ...):
TXT("example.com._report._dmarc", "v=DMARC1", TTL(3600)),
