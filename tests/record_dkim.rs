//! DKIM key records: tag-list syntax, key sizes read from real keys, hostile input, and the
//! Microsoft 365 CNAME target forms.

use dmarc_rollout::record::dkim::{KeyType, M365Form, classify_m365_target, parse_dkim_key};

// Generated once with `openssl genrsa N | openssl rsa -pubout` (SubjectPublicKeyInfo).
const RSA_512: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMipMC48/cElUJICG32g3QAmLp0BRTS7sWGDXJR3JxU3r2GYvYPJoDsjfT5Oht0KzKJbHeoyxIVqPyvl5GvGfkkCAwEAAQ==";
const RSA_1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCt2+Eh7gvTjlOaNZE+oeCTfY/BMy2k+k+9tgXqPVtMnnAW4GtZHeriq5kXmz7bg4HXaGcqtGAe0Szp4QORBeLpX8jus6rqQjr9E6DpWMF1FVgAAHuD6o9utfF3gfkmsccBHKOVki9HwvJAa8hSrSQat/9pv0Sp3+exSeedfUuxewIDAQAB";
const RSA_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4/UJm0/3l0Pid60NtygYm2rTiHHne8ilRq0TnnHx1tIwIEGLu8OCbGdGyJLFhAn4LoezQp1inaGq4r7jTuqvYg3UJeEuAzppWMHDh+TKW24WHT+H6kkhekZmsoTvqLfcdmYMCCn6XSeuWD3KZsKbQWJpEmeCgJGAgdb6wxyNvsmN9MIly40A/u7rapGuFXmPqLLkCoGVQxqGIYBYk6+kiKmqXUvJFTlLjjCLOROY6uDcBiS7Z2qyxEmOEaHw3sQNv9XV+2seOeU4ueFL+xcLLkV/ZJEeB6CRrt8/hwdFRcBjDCRJTqJAOeBOI+1cNq8LDkJnAmzhqf0wdgTVMfTzGQIDAQAB";
const RSA_4096: &str = "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAnuaAAGsfFD1758n5Qpbg+ZcNMSFs6uxxGujlNfVv98KNGX7eA/IKNsRTbKlXSCiEKWFcvN653HyQbRJrNmt/0AZLINnlfONhuMvNic69G1X+RApFGv/VI9AuzuAKw84KQsRCvRGJqZ3M/UMwOuwG0oXnRjm+wpa6Pa+kVpOXfjN8EVE+LE5wJNv1/rrRVrmgCDuqqy9th9Y20vTqf8ErDblDSgVyoWTyDx2FRNYk2QxqEt7dAkU0C3bqVa90ydve5Tt+52nqBRWc0mgn9vDmcIBktNcDSTFJ8qkTZUa2IFIb35cyQofWPBAoO6uUC2j8On2jXRGXu/pV66xsKmeEnHPzDAn+UHXzT0eFIYYHgeOaBMVOf3v8jPWY6IGYV83eUTIZ8rHYZLb+Yyvd795vkSE84oIzVVlF5q0DiVlzHqVUHoEG9Y4UiC4zqyH5/LLgzqQ2ARA5q9ebumCOwHsLd13v26bhM/YVDZaFJzrmn2NiXEnyhoh4LHbKPqgUwPLaNDhmCZMXEPVs12lwsDrzmGXYoQyAcFskwUZA6vEKFZ8aGT/YXnogUAkm90Ou7CvLVGyj/BhFWdDNBFgekdcYj2fbehGrAgkYFh4aE7mrogd+rmUtKjQZzwlbQJXU+r+Tg1kmbrZOrlZ4YcNbjatN+XcGDJb5f8bxle1hrQSDTgcCAwEAAQ==";
// `openssl rsa -RSAPublicKey_out`: a bare PKCS#1 RSAPublicKey, which some publishers paste.
const RSA_2048_PKCS1: &str = "MIIBCgKCAQEAp0n6qtTs7HtxTe7Zzot9gAYanj6JXH95VqppQZJIgFYSZ6v8ybD92miiToMi1iLQPxiAkcLyORnjw3K1JaLDOaQ1pVsILrDsrR2RvmPgacTIU1CrH7KT9Byo+iSLCAMBintbwxTeuOxwl9gWQE4vpGNfHj/H2V/IpWSCvdrzmN38d4Mes09wQaTTq6rQhUFOIuj6C5bQ8pMKeGfM+QJafUpcH7mFcPJ0m1n2Swj6rDvUn+9OkCwfAU06vnyi8br4lrxAJWZWYZnzpzhcpjmCIkOfiYuIOsNB4iMmYFc7h/pFrAw6nUQFMiXRKRFeisyvOVZvJ2N3Dl83yGNCf/5vuwIDAQAB";
// `openssl genpkey -algorithm ed25519`: the raw 32 bytes (RFC 8463) and the SPKI wrapping.
const ED25519_RAW: &str = "A8ilaZMRXuqtKCWa6C254W+YI8WR+DlPWL36QyOYJgs=";
const ED25519_SPKI: &str = "MCowBQYDK2VwAyEAA8ilaZMRXuqtKCWa6C254W+YI8WR+DlPWL36QyOYJgs=";

fn ids(text: &str) -> Vec<&'static str> {
    parse_dkim_key(text).findings.iter().map(|f| f.id).collect()
}

#[test]
fn rsa_key_sizes_are_read_from_the_key_and_judged() {
    let cases: &[(&str, &str, Option<u32>, &[&str])] = &[
        ("512", RSA_512, Some(512), &["dkim.key_too_small"]),
        ("1024", RSA_1024, Some(1024), &["dkim.weak_key"]),
        ("2048", RSA_2048, Some(2048), &[]),
        ("4096", RSA_4096, Some(4096), &[]),
        ("bare RSAPublicKey", RSA_2048_PKCS1, Some(2048), &[]),
    ];
    for (name, key, bits, expected) in cases {
        let record = format!("v=DKIM1; k=rsa; p={key}");
        let parsed = parse_dkim_key(&record);
        assert_eq!(parsed.public_key_bits, *bits, "{name}");
        assert_eq!(parsed.key_type, KeyType::Rsa, "{name}");
        assert_eq!(ids(&record), *expected, "{name}");
    }
}

#[test]
fn whitespace_inside_the_base64_is_allowed() {
    let folded: String = RSA_2048
        .as_bytes()
        .chunks(60)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" \r\n\t");
    let parsed = parse_dkim_key(&format!("v=DKIM1; p={folded}"));
    assert_eq!(parsed.public_key_bits, Some(2048));
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
}

#[test]
fn record_level_rules_give_their_findings() {
    let key = RSA_2048;
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("minimal record is fine", format!("p={key}"), vec![]),
        ("trailing semicolon is fine", format!("v=DKIM1; p={key};"), vec![]),
        ("empty p is revoked", "v=DKIM1; p=".to_string(), vec!["dkim.revoked"]),
        ("no p", "v=DKIM1; k=rsa".to_string(), vec!["dkim.missing_key"]),
        ("v not first", format!("k=rsa; v=DKIM1; p={key}"), vec!["dkim.version_not_first"]),
        ("wrong version", format!("v=DKIM2; p={key}"), vec!["dkim.bad_version"]),
        ("testing flag", format!("v=DKIM1; t=y; p={key}"), vec!["dkim.testing"]),
        ("testing among flags", format!("t=s:y; p={key}"), vec!["dkim.testing"]),
        ("strict flag alone is fine", format!("t=s; p={key}"), vec![]),
        ("sha1 only", format!("h=sha1; p={key}"), vec!["dkim.sha1_only"]),
        ("sha1 and sha256 is fine", format!("h=sha1:sha256; p={key}"), vec![]),
        ("unknown hash only", format!("h=sha512; p={key}"), vec!["dkim.no_sha256"]),
        ("unknown key type", format!("k=dsa; p={key}"), vec!["dkim.unknown_key_type"]),
        ("service not email", format!("s=tlsrpt; p={key}"), vec!["dkim.not_for_email"]),
        ("service star is fine", format!("s=*; p={key}"), vec![]),
        ("duplicate tag", format!("p={key}; p={key}"), vec!["dkim.duplicate_tag"]),
        ("tag without equals", format!("v=DKIM1; junk; p={key}"), vec!["dkim.syntax"]),
        ("bad tag name", format!("1x=y; p={key}"), vec!["dkim.syntax"]),
        ("not base64", "p=not*base64".to_string(), vec!["dkim.bad_key"]),
        ("base64 but not DER", "p=aGVsbG8gd29ybGQ=".to_string(), vec!["dkim.bad_key"]),
        (
            "ed25519 SPKI is not the raw key",
            format!("k=rsa; p={ED25519_SPKI}"),
            vec!["dkim.bad_key"],
        ),
    ];
    for (name, record, expected) in cases {
        assert_eq!(ids(&record), expected, "{name}: {record}");
    }
}

#[test]
fn a_key_type_receivers_do_not_verify_is_an_unusable_key() {
    let parsed = parse_dkim_key("v=DKIM1; k=dsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB");
    let f = parsed.findings.iter().find(|f| f.id == "dkim.unknown_key_type").expect("found");
    assert_eq!(f.severity, dmarc_rollout::record::Severity::Error);
    assert!(f.message.contains("unusable"), "{}", f.message);
}

#[test]
fn quoted_key_says_to_drop_the_quotes() {
    let parsed =
        parse_dkim_key(&format!("v=DKIM1; p=\"{}\" \"{}\"", &RSA_2048[..200], &RSA_2048[200..]));
    assert_eq!(parsed.findings.len(), 1);
    assert!(parsed.findings[0].message.contains("quot"), "{}", parsed.findings[0].message);
}

/// xorshift64: a fixed, dependency-free stream of pseudo-random bytes.
fn noise(seed: u64) -> impl Iterator<Item = u64> {
    std::iter::successors(Some(seed), |x| {
        let mut x = *x;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Some(x)
    })
}

#[test]
fn random_mutations_of_real_records_never_panic() {
    let base = format!("v=DKIM1; k=rsa; h=sha256; t=s; p={RSA_1024}");
    let alphabet = b"=; :\t\r\n\"ABCMIIab+/09%-_.\x00\x7f\xff";
    let mut rng = noise(0x2545_f491_4f6c_dd1d);
    let mut next = move || usize::try_from(rng.next().unwrap_or(1) % 1_000_003).unwrap_or(0);
    for _ in 0..5_000 {
        let mut bytes = base.clone().into_bytes();
        for _ in 0..=(next() % 8) {
            let at = next() % (bytes.len() + 1);
            match next() % 3 {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => bytes.truncate(at),
                _ => bytes.insert(at, alphabet[next() % alphabet.len()]),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_dkim_key(&text);
        let _ = classify_m365_target(&text);
    }
}

#[test]
fn revoked_key_is_flagged_and_has_no_size() {
    let parsed = parse_dkim_key("v=DKIM1; k=rsa; p=");
    assert!(parsed.revoked);
    assert_eq!(parsed.public_key_bits, None);
    assert_eq!(parsed.version.as_deref(), Some("DKIM1"));
}

#[test]
fn ed25519_keys_are_32_bytes() {
    let good = parse_dkim_key(&format!("v=DKIM1; k=ed25519; p={ED25519_RAW}"));
    assert_eq!(good.key_type, KeyType::Ed25519);
    assert_eq!(good.public_key_bits, Some(256));
    assert!(good.findings.is_empty(), "{:?}", good.findings);
    assert_eq!(ids(&format!("k=ed25519; p={ED25519_SPKI}")), ["dkim.bad_key"]);
}

#[test]
fn testing_flag_is_reported_on_the_key() {
    assert!(parse_dkim_key(&format!("t=y; p={RSA_2048}")).testing);
    assert!(!parse_dkim_key(&format!("t=s; p={RSA_2048}")).testing);
}

#[test]
fn finding_spans_point_at_the_value() {
    let record = "v=DKIM1; t=y; p=";
    let parsed = parse_dkim_key(record);
    let testing = parsed.findings.iter().find(|f| f.id == "dkim.testing").expect("testing finding");
    assert_eq!(&record[testing.span.clone()], "y");
}

#[test]
fn hostile_der_never_panics_and_is_a_bad_key() {
    let truncated = &RSA_2048[..120];
    let cases = [
        truncated,
        "MIT/////AgEA",     // SEQUENCE with a 4-byte length far past the end
        "MIACAQUAAA==",     // indefinite length, not DER
        "MIkBAgMEBQYHCAk=", // 9 length bytes
        "MAMCBQA=",         // INTEGER longer than its SEQUENCE
        "MA==",             // a lone tag
        "MAYCAQACAQM=",     // modulus zero
        "",
        "====",
        "A",
    ];
    for p in cases {
        let parsed = parse_dkim_key(&format!("p={p}"));
        assert_eq!(parsed.public_key_bits, None, "{p}");
        let expected: &[&str] = if p.is_empty() { &["dkim.revoked"] } else { &["dkim.bad_key"] };
        assert_eq!(parsed.findings.iter().map(|f| f.id).collect::<Vec<_>>(), expected, "{p}");
    }
}

#[test]
fn hostile_records_never_panic() {
    let huge = "p=".to_string() + &"A".repeat(20_000);
    let controls: String = (0u8..=255).map(char::from).collect();
    for text in
        [huge.as_str(), controls.as_str(), ";;;;", "=", "p", "é=ü; p=\u{0}", "v=DKIM1; p=MII\u{7f}"]
    {
        let _ = parse_dkim_key(text);
    }
}

#[test]
fn m365_targets_are_classified() {
    let legacy = classify_m365_target("selector1-contoso-com._domainkey.contoso.onmicrosoft.com.")
        .expect("legacy");
    assert_eq!(legacy.form, M365Form::Legacy);
    assert_eq!(legacy.selector, "selector1");
    assert_eq!(legacy.domain_dashes, "contoso-com");
    assert_eq!(legacy.tenant, "contoso");
    assert_eq!(legacy.partition, None);
    assert!(legacy.is_for_domain("Contoso.com."));
    assert!(!legacy.is_for_domain("contoso.org"));

    let modern = classify_m365_target(
        "Selector2-contoso-co-uk._domainkey.contosotenant.n-v1.dkim.mail.microsoft",
    )
    .expect("modern");
    assert_eq!(modern.form, M365Form::Modern);
    assert_eq!(modern.selector, "selector2");
    assert_eq!(modern.domain_dashes, "contoso-co-uk");
    assert_eq!(modern.tenant, "contosotenant");
    assert_eq!(modern.partition.as_deref(), Some("n-v1"));
    assert!(modern.is_for_domain("contoso.co.uk"));
}

#[test]
fn other_targets_are_not_m365() {
    for target in [
        "",
        "selector1._domainkey.contoso.com",
        "selector3-contoso-com._domainkey.contoso.onmicrosoft.com",
        "selector1-._domainkey.contoso.onmicrosoft.com",
        "selector1-contoso-com._domainkey..onmicrosoft.com",
        "selector1-contoso-com._domainkey.onmicrosoft.com",
        "selector1-contoso-com._domainkey.contoso.v1.dkim.mail.microsoft",
        "selector1-contoso-com._domainkey.contoso.-v1.dkim.mail.microsoft",
        "s1._domainkey.example.com.dkim.amazonses.com",
        "selector1-contoso-com._domainkey.a.b.onmicrosoft.com",
    ] {
        assert_eq!(classify_m365_target(target), None, "{target}");
    }
}
