// example.com: step 1, fixes dmarc.delegated
// in D("example.com", ...), remove CNAME("_dmarc", "example.com.dmarc.vendor.example.")

// example.com: step 2, fixes dmarc.delegated
// in D("example.com", ...):
TXT("_dmarc", "v=DMARC1; p=none; rua=mailto:\"dmarc\\reports\"@example.com,https://r.example.com/a\\b?q=\"x\"", TTL(3600)),
