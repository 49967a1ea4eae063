//! DKIM public keys for test zones: real RSA keys of 1024 and 2048 bits, and their TXT records
//! in zone-file syntax.

pub const RSA_1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCt2+Eh7gvTjlOaNZE+oeCTfY/BMy2k+k+9tgXqPVtMnnAW4GtZHeriq5kXmz7bg4HXaGcqtGAe0Szp4QORBeLpX8jus6rqQjr9E6DpWMF1FVgAAHuD6o9utfF3gfkmsccBHKOVki9HwvJAa8hSrSQat/9pv0Sp3+exSeedfUuxewIDAQAB";
pub const RSA_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4/UJm0/3l0Pid60NtygYm2rTiHHne8ilRq0TnnHx1tIwIEGLu8OCbGdGyJLFhAn4LoezQp1inaGq4r7jTuqvYg3UJeEuAzppWMHDh+TKW24WHT+H6kkhekZmsoTvqLfcdmYMCCn6XSeuWD3KZsKbQWJpEmeCgJGAgdb6wxyNvsmN9MIly40A/u7rapGuFXmPqLLkCoGVQxqGIYBYk6+kiKmqXUvJFTlLjjCLOROY6uDcBiS7Z2qyxEmOEaHw3sQNv9XV+2seOeU4ueFL+xcLLkV/ZJEeB6CRrt8/hwdFRcBjDCRJTqJAOeBOI+1cNq8LDkJnAmzhqf0wdgTVMfTzGQIDAQAB";

/// A `v=DKIM1` RSA key TXT in zone-file syntax.
pub fn key_txt(key: &str) -> String {
    dkim_txt("k=rsa; ", key)
}

/// A `v=DKIM1` TXT with `tags` before `p=`, in zone-file syntax, split into strings of at most
/// 200 bytes.
pub fn dkim_txt(tags: &str, key: &str) -> String {
    let text = format!("v=DKIM1; {tags}p={key}");
    let strings: Vec<String> = text
        .as_bytes()
        .chunks(200)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    strings.join(" ")
}
