// example.com: step 1, fixes spf.no_record
// in D("example.com", ...):
TXT("@", "v=spf1 include:spf.protection.outlook.com -all", TTL(3600)),
