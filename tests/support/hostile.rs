//! Hostile DNS data for tests of every output (CLI and TUI): payloads that attack terminals
//! (escape sequences, C0/C1 controls, DEL, bidi overrides, bytes that are not UTF-8), records
//! that are huge, many or tangled (64 KB over TCP, hundreds at one name, CNAME loops and long
//! chains, names at the 253-byte limit), a test server serving them from its own runtime (so a
//! synchronous test can drive the binary or a pty meanwhile), and the check that output is safe
//! for a terminal.

use hickory_server::proto::rr::rdata::{CNAME, TXT};
use hickory_server::proto::rr::{Name, RData, Record};

use super::dns_server::{TestDns, zone_text};

/// Each hostile payload, by the label its domains carry.
pub const PAYLOADS: &[(&str, &[u8])] = &[
    ("csi", b"\x1b[31mred\x1b[0m"),
    ("osc52", b"\x1b]52;c;cm0gLXJmIH4K\x07"),
    ("c0", b"nul\x00bel\x07bs\x08cr\rlf\ntab\tvt\x0bend"),
    ("c1", "csi8\u{9b}31mnel\u{85}osc8\u{9d}end".as_bytes()),
    ("del", b"del\x7f\x7fend"),
    ("bidi", "rlo\u{202e}lri\u{2066}zwsp\u{200b}end".as_bytes()),
    ("bytes", b"raw\xff\xfe\x9b31m\xc0\x80end"),
];

/// Where a payload sits in a domain's `_dmarc` record: label, text before, text after.
pub const SHAPES: &[(&str, &[u8], &[u8])] = &[
    ("p", b"v=DMARC1; p=", b""),
    ("rua", b"v=DMARC1; p=none; rua=mailto:", b"@hostile.test"),
    ("tag", b"v=DMARC1; p=none; x", b"=1"),
    ("quoted", b"v=DMARC1; p=none; ruf=mailto:a@hostile.test; fo=", b""),
];

/// The test server, with the runtime that drives it; the server stops first when dropped.
pub struct Served {
    pub dns: TestDns,
    _runtime: tokio::runtime::Runtime,
}

pub fn serve(zones: &[&str], extra: Vec<Record>) -> Served {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dns = runtime.block_on(TestDns::start_with(zones, extra));
    Served { dns, _runtime: runtime }
}

pub fn name(text: &str) -> Name {
    Name::from_ascii(format!("{text}.")).expect("name")
}

/// One TXT record of several character-strings, each at most 255 bytes.
pub fn txt(owner: Name, data: &[u8]) -> Record {
    let strings: Vec<&[u8]> = data.chunks(255).collect();
    Record::from_rdata(owner, 300, RData::TXT(TXT::from_bytes(strings)))
}

pub fn cname(owner: Name, target: Name) -> Record {
    Record::from_rdata(owner, 300, RData::CNAME(CNAME(target)))
}

pub fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The character is a C0 or C1 control, DEL, a bidi control or an invisible character.
pub fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}')
        || matches!(c, '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Output a terminal can show as is: UTF-8, no control but newline (and tab where the format
/// uses it), no bidi or invisible characters.
pub fn assert_terminal_safe(what: &str, bytes: &[u8], tab: bool) {
    let text = std::str::from_utf8(bytes)
        .unwrap_or_else(|e| panic!("{what}: raw bytes that are not UTF-8 reach the terminal: {e}"));
    for (line, l) in text.lines().enumerate() {
        let bad = l.chars().find(|&c| unsafe_char(c) && !(tab && c == '\t'));
        assert!(bad.is_none(), "{what} line {}: raw {bad:?} in {l:?}", line + 1);
    }
    assert!(!text.contains('\r'), "{what}: raw carriage return");
}

/// The `_dmarc` record of each payload in each shape, with the same payload at the apex and in
/// the DKIM key; returns the records and the domains.
pub fn payload_records() -> (Vec<Record>, Vec<(String, Vec<u8>)>) {
    let mut records = Vec::new();
    let mut domains = Vec::new();
    for (label, payload) in PAYLOADS {
        for (shape, before, after) in SHAPES {
            let domain = format!("{label}-{shape}.hostile.test");
            let value = concat(&[before, payload, after]);
            records.push(txt(name(&format!("_dmarc.{domain}")), &value));
            records.push(txt(name(&domain), &concat(&[b"v=spf1 include:", payload, b" -all"])));
            records.push(txt(name(&domain), payload));
            records.push(txt(
                name(&format!("s1._domainkey.{domain}")),
                &concat(&[b"v=DKIM1; p=", payload]),
            ));
            domains.push((domain, value));
        }
    }
    (records, domains)
}

/// A name of exactly `len` bytes ending in `.hostile.test`, of labels at most `label_len` long.
pub fn long_name(len: usize, label_len: usize) -> String {
    let suffix = ".hostile.test";
    let mut left = len - suffix.len();
    let mut labels = Vec::new();
    while left > label_len {
        // Leave room for the dot and at least one byte after it.
        let take = label_len.min(left - 2);
        labels.push("a".repeat(take));
        left -= take + 1;
    }
    labels.push("a".repeat(left));
    let name = format!("{}{suffix}", labels.join("."));
    assert_eq!(name.len(), len, "{name}");
    name
}

/// 62 000 bytes of every payload, over and over.
pub fn filler() -> Vec<u8> {
    PAYLOADS.iter().flat_map(|(_, p)| p.iter().copied()).cycle().take(62_000).collect()
}

/// The big, the many and the tangled: a 62 KB record, 230 records at one name (64 KB in all,
/// over TCP), a CNAME loop, a 20-hop chain, a CNAME to a name of control bytes, a `_dmarc` name
/// of 253 bytes and a domain of 120 labels that inherits.
pub fn tangled_records() -> Vec<Record> {
    let dmarc = |d: &str| name(&format!("_dmarc.{d}.hostile.test"));
    let plain = b"v=DMARC1; p=none; rua=mailto:dmarc@hostile.test";
    let filler: Vec<u8> =
        PAYLOADS.iter().flat_map(|(_, p)| p.iter().copied()).cycle().take(62_000).collect();
    let mut records = vec![
        txt(dmarc("big"), &concat(&[b"v=DMARC1; p=none; x=", &filler])),
        txt(name("hostile.test"), plain),
        // The loop crosses zones: hickory-server chases a loop inside one zone forever.
        cname(dmarc("loop"), name("l1.loop.test")),
        cname(name("l1.loop.test"), dmarc("loop")),
    ];
    for i in 0..230 {
        let head = format!("v=DMARC1; p=none; x={i}");
        records.push(txt(dmarc("many"), &concat(&[head.as_bytes(), &filler[..230]])));
    }
    for i in 0..20 {
        let from = if i == 0 { dmarc("chain") } else { name(&format!("c{i}.chain.hostile.test")) };
        records.push(cname(from, name(&format!("c{}.chain.hostile.test", i + 1))));
    }
    records.push(txt(name("c20.chain.hostile.test"), plain));
    let evil: &[&[u8]] =
        &[b"\x1b]52;c;eA==\x07", "\u{202e}\u{85}".as_bytes(), b"\xff\x7f", b"hostile", b"test"];
    let evil = Name::from_labels(evil.to_vec()).expect("binary labels");
    records.push(cname(dmarc("evil"), evil.clone()));
    records.push(txt(evil, plain));
    for d in [long_name(246, 63), long_name(246, 1)] {
        records.push(txt(name(&format!("_dmarc.{d}")), plain));
        // Present at the name too: hickory-server takes ~1 s to deny a name of 120 labels.
        records.push(txt(name(&d), b"v=spf1 -all"));
    }
    records
}

/// The zones `tangled_records` lives in: `hostile.test`, and `loop.test` for the loop's far end.
pub fn hostile_zones() -> [String; 2] {
    [zone_text("hostile.test", ""), zone_text("loop.test", "")]
}

/// The raw byte stream of a full-screen program (a pty) a terminal can take: UTF-8, every ESC
/// starting a CSI sequence (`ESC [` parameters, intermediates, one final byte: what ratatui and
/// crossterm draw with), no other control but CR and LF, no DEL, C1, bidi or invisible
/// characters, and no payload verbatim. OSC (`ESC ]`, e.g. OSC 52 writing the clipboard), DCS
/// and every lone ESC fail. [`assert_terminal_safe`] cannot serve here since the program's own
/// drawing is escape sequences.
pub fn assert_pty_safe(what: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes)
        .unwrap_or_else(|e| panic!("{what}: raw bytes that are not UTF-8 reach the terminal: {e}"));
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\u{1b}' {
            let csi = chars.next_if(|&(_, c)| c == '[').is_some()
                && std::iter::from_fn(|| {
                    chars.next_if(|&(_, c)| ('\u{20}'..='\u{3f}').contains(&c))
                })
                .count()
                    < 64
                && chars.next_if(|&(_, c)| ('\u{40}'..='\u{7e}').contains(&c)).is_some();
            assert!(
                csi,
                "{what}: an escape sequence that is no CSI at byte {at}: {:?}",
                &text[at..]
            );
        } else {
            let bad = unsafe_char(c) && c != '\r' && c != '\n';
            assert!(!bad, "{what}: raw {c:?} at byte {at}: {:?}", &text[at..]);
        }
    }
    for (label, payload) in PAYLOADS {
        let raw = bytes.windows(payload.len()).any(|w| w == *payload);
        assert!(!raw, "{what}: the {label} payload reaches the terminal verbatim");
    }
}
