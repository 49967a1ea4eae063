// example.com: phase 1 (monitor), repairs the report addresses
// in D("example.com", ...), in place of TXT("_dmarc", "v=DMARC1; p=none; rua=mailto:\"old\\box\"@example.com"):
TXT("_dmarc", "v=DMARC1; p=none; rua=mailto:\"dmarc\\reports\"@example.com,https://r.example.com/a\\b?q=\"x\"", TTL(3600)),
