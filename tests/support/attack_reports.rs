//! Report files an attacker could mail to a public rua address, generated rather than stored:
//! many tiny reports, many domains, long names, empty zip entries, one enormous text node.
//! Shared by `tests/hostile_reports.rs` and `benches/hostile_reports.rs`.

use std::fmt::Write as _;
use std::io::Write as _;

use base64::Engine as _;

/// One minimal aggregate report for `domain` with one record of `messages` messages.
pub fn feedback(id: &str, domain: &str, messages: u64) -> String {
    format!(
        "<feedback><report_metadata><org_name>attacker.example</org_name>\
         <report_id>{id}</report_id><date_range><begin>1700000000</begin>\
         <end>1700086399</end></date_range></report_metadata><policy_published>\
         <domain>{domain}</domain><p>none</p></policy_published><record><row>\
         <source_ip>192.0.2.1</source_ip><count>{messages}</count><policy_evaluated>\
         <dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers>\
         <header_from>{domain}</header_from></identifiers></record></feedback>\n"
    )
}

/// The same report `times` times in one document: every copy after the first is a repeat.
pub fn repeated(times: usize) -> Vec<u8> {
    feedback("same", "victim.example", 1).repeat(times).into_bytes()
}

/// `count` reports, each for its own domain (`d0.example`, `d1.example`, …).
pub fn distinct_domains(count: usize) -> Vec<u8> {
    let mut xml = String::with_capacity(count * 420);
    for i in 0..count {
        xml.push_str(&feedback(&i.to_string(), &format!("d{i}.example"), 1));
    }
    xml.into_bytes()
}

/// One report whose `<org_name>` text node is `bytes` long, after a complete report.
pub fn huge_text_node(bytes: usize) -> Vec<u8> {
    let mut xml = feedback("before", "victim.example", 3).into_bytes();
    xml.extend_from_slice(b"<feedback><report_metadata><org_name>");
    xml.resize(xml.len() + bytes, b'x');
    xml.extend_from_slice(b"</org_name></report_metadata></feedback>");
    xml
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

pub fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(name.as_str(), options).expect("zip entry");
        w.write_all(data).expect("zip data");
    }
    w.finish().expect("zip").into_inner()
}

/// A zip of `entries` empty files, each named with `name_bytes` characters.
pub fn empty_entries_zip(entries: usize, name_bytes: usize) -> Vec<u8> {
    let list: Vec<(String, Vec<u8>)> = (0..entries)
        .map(|i| (format!("{i:05}{}.xml", "n".repeat(name_bytes.saturating_sub(9))), Vec::new()))
        .collect();
    zip_of(&list)
}

/// An email with these attachments (file name, content type, body), base64 encoded.
pub fn email(attachments: &[(String, &str, Vec<u8>)]) -> Vec<u8> {
    let mut mail = String::from(
        "Return-Path: <noreply@attacker.example>\r\nFrom: noreply@attacker.example\r\n\
         Subject: Report domain: victim.example\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"=_b0\"\r\n\r\n",
    );
    for (name, content_type, body) in attachments {
        let _ = write!(
            mail,
            "--=_b0\r\nContent-Type: {content_type}; name=\"{name}\"\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n"
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(body);
        for line in b64.as_bytes().chunks(76) {
            mail.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            mail.push_str("\r\n");
        }
    }
    mail.push_str("--=_b0--\r\n");
    mail.into_bytes()
}
