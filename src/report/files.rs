//! The file edge of report reading: walks files, folders and Maildirs, opens gzip, zip and email
//! containers by their magic bytes, caps what any one file may decompress to, and hands each
//! XML stream to the pure [`fold_report`]. Problems are recorded per file; reading goes on.

use std::cell::Cell;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;

use super::bounds::{Focus, MAX_NAME_CHARS, cut};
use super::fold::fold_report;
use super::mime;
use super::model::{Corpus, Window};

/// Zip entries read per archive; a report zip holds one.
const MAX_ZIP_ENTRIES: usize = 1000;
/// Bytes of a zip's central directory, which the zip reader holds whole: 1,000 entries with
/// names of 4 KB.
const MAX_ZIP_DIRECTORY: u64 = 4 << 20;
/// Bytes of one email, which is read into memory whole (with its decoded attachments).
const MAX_MESSAGE_BYTES: u64 = 32 * 1024 * 1024;
/// Containers nested inside containers (an email holding a zip holding a gzip).
const MAX_NESTING: u8 = 3;

/// Resource limits for hostile input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes one file may expand to, counting every entry or attachment in it.
    pub max_decompressed_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_decompressed_bytes: 256 * 1024 * 1024 }
    }
}

/// Reads reports from files and folders (recursively; Maildirs by their `cur/` and `new/`).
pub fn read_paths(paths: &[PathBuf], window: &Window) -> Corpus {
    read_paths_with(paths, window, &Limits::default())
}

pub fn read_paths_with(paths: &[PathBuf], window: &Window, limits: &Limits) -> Corpus {
    read(paths, Corpus::new(*window), *limits)
}

/// [`read_paths`] keeping the policy domains `focus` asks for: only a plan's domains for its
/// evidence gates, or one `--domain`, whatever else the mailbox holds.
pub fn read_paths_for(paths: &[PathBuf], window: &Window, focus: Focus) -> Corpus {
    read(paths, Corpus::focused(*window, focus), Limits::default())
}

fn read(paths: &[PathBuf], corpus: Corpus, limits: Limits) -> Corpus {
    let mut run = Run { corpus, limits };
    for path in paths {
        run.path(path);
    }
    run.corpus
}

/// Reads one document held in memory as if it were a file named `label`, through the same
/// containers and limits, without the file system (for fuzzing and for input from a pipe).
/// `as_message` reads it as an email, as an entry of a Maildir is.
pub fn read_bytes(
    bytes: &[u8],
    label: &str,
    as_message: bool,
    window: &Window,
    limits: &Limits,
) -> Corpus {
    let mut run = Run { corpus: Corpus::new(*window), limits: *limits };
    let budget = Cell::new(limits.max_decompressed_bytes);
    let kind = sniff(&bytes[..bytes.len().min(512)]);
    if as_message || kind == Kind::Message {
        run.message(Cursor::new(bytes), label, &budget, Expect::Message);
    } else {
        run.corpus.files_read += 1;
        run.container(kind, Cursor::new(bytes), label, &budget, 0);
    }
    run.corpus
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Empty,
    Gzip,
    Zip,
    Xml,
    Message,
    Unknown,
}

/// Recognises a container by its first bytes, whatever the file is called.
fn sniff(head: &[u8]) -> Kind {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = text.iter().position(|b| !b.is_ascii_whitespace()).map(|i| &text[i..]);
    match (head, first) {
        ([], _) => Kind::Empty,
        ([0x1f, 0x8b, ..], _) => Kind::Gzip,
        ([b'P', b'K', 3 | 5, 4 | 6, ..], _) => Kind::Zip,
        (_, Some([b'<', ..])) => Kind::Xml,
        _ if looks_like_header(head) => Kind::Message,
        _ => Kind::Unknown,
    }
}

/// An RFC 5322 header line (`Name: value`) or an mbox `From ` line.
fn looks_like_header(head: &[u8]) -> bool {
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    line.starts_with(b"From ")
        || line.iter().position(|b| *b == b':').is_some_and(|colon| {
            colon > 0 && line[..colon].iter().all(|b| b.is_ascii_graphic() && *b != b':')
        })
}

struct Run {
    corpus: Corpus,
    limits: Limits,
}

impl Run {
    fn reject(&mut self, path: &Path, reason: impl Into<String>) {
        self.corpus.reject(path.to_owned(), &reason.into());
    }

    fn path(&mut self, path: &Path) {
        match fs::metadata(path) {
            Err(e) => self.reject(path, format!("cannot read: {e}")),
            Ok(m) if m.is_dir() => self.dir(path),
            Ok(m) if m.is_file() => self.file(path, Expect::Report),
            // A FIFO would block the reader, a device never end.
            Ok(_) => self.reject(path, "not a regular file or folder"),
        }
    }

    fn dir(&mut self, dir: &Path) {
        let mut entries: Vec<(PathBuf, fs::FileType)> = match fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .filter_map(|e| Some((e.path(), e.file_type().ok()?)))
                .collect(),
            Err(e) => return self.reject(dir, format!("cannot list folder: {e}")),
        };
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let name_is = |p: &Path, n: &str| p.file_name().is_some_and(|f| f == n);
        let maildir =
            entries.iter().any(|(p, t)| t.is_dir() && (name_is(p, "cur") || name_is(p, "new")));
        for (path, kind) in entries {
            // Symlinked folders are not followed: a link back up would loop.
            if kind.is_dir() {
                if maildir && (name_is(&path, "cur") || name_is(&path, "new")) {
                    self.maildir_messages(&path);
                } else if !(maildir && name_is(&path, "tmp")) {
                    self.dir(&path);
                }
            } else if fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                self.file(&path, Expect::Maybe);
            }
        }
    }

    fn maildir_messages(&mut self, dir: &Path) {
        let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect(),
            Err(e) => return self.reject(dir, format!("cannot list folder: {e}")),
        };
        files.sort();
        for path in files {
            self.file(&path, Expect::Message);
        }
    }

    fn file(&mut self, path: &Path, expect: Expect) {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => return self.reject(path, format!("cannot open: {e}")),
        };
        let kind = match head_kind(&mut file) {
            Ok(k) => k,
            Err(e) => return self.reject(path, format!("cannot read: {e}")),
        };
        let kind = match (kind, expect) {
            (Kind::Unknown, Expect::Message) => Kind::Message,
            (Kind::Empty | Kind::Unknown, Expect::Maybe) if !has_report_extension(path) => {
                self.corpus.files_skipped += 1;
                return;
            }
            (k, _) => k,
        };
        let budget = Cell::new(self.limits.max_decompressed_bytes);
        let label = path.display().to_string();
        if kind == Kind::Message {
            return self.message(file, &label, &budget, expect);
        }
        self.corpus.files_read += 1;
        self.container(kind, file, &label, &budget, 0);
    }

    /// A seekable container of any kind.
    fn container<R: Read + Seek>(
        &mut self,
        kind: Kind,
        r: R,
        label: &str,
        budget: &Cell<u64>,
        depth: u8,
    ) {
        match kind {
            Kind::Zip if depth < MAX_NESTING => self.zip(r, label, budget, depth),
            _ => self.stream(kind, r, label, budget, depth),
        }
    }

    /// A forward-only stream: XML, or gzip of XML.
    fn stream(&mut self, kind: Kind, r: impl Read, label: &str, budget: &Cell<u64>, depth: u8) {
        match kind {
            Kind::Xml => self.fold(Capped { inner: r, left: budget }, label),
            Kind::Gzip if depth < MAX_NESTING => {
                let Some(compressed) = self.verified_gzip(r, label, budget) else { return };
                // GzDecoder stops after the first member, so trailing bytes (Mimecast) are ignored.
                let mut inner = BufReader::new(GzDecoder::new(Cursor::new(compressed)));
                match inner.fill_buf().map(sniff) {
                    Ok(Kind::Xml) => self.fold(Capped { inner, left: budget }, label),
                    Ok(Kind::Empty) => self.reject_label(label, "the gzip holds nothing"),
                    Ok(_) => self.reject_label(label, "the gzip does not hold XML"),
                    Err(e) => self.reject_label(label, format!("gzip: {e}")),
                }
            }
            Kind::Empty => self.reject_label(label, "empty file"),
            Kind::Zip | Kind::Message | Kind::Gzip => {
                self.reject_label(label, "containers nested too deeply");
            }
            Kind::Unknown => self.reject_label(label, "not XML, gzip, zip or an email"),
        }
    }

    /// The gzip's bytes once its first member decompresses whole with a matching CRC-32 and
    /// length: a damaged member is rejected before any report in it counts, since nothing can
    /// say which part is damaged and enforcement must not rest on it.
    fn verified_gzip(&mut self, r: impl Read, label: &str, budget: &Cell<u64>) -> Option<Vec<u8>> {
        let mut compressed = Vec::new();
        let cap = self.limits.max_decompressed_bytes;
        if let Err(e) = r.take(cap.saturating_add(1)).read_to_end(&mut compressed) {
            self.reject_label(label, format!("gzip: {e}"));
            return None;
        }
        if u64::try_from(compressed.len()).unwrap_or(u64::MAX) > cap {
            self.reject_label(label, "the gzip is larger than the decompression limit");
            return None;
        }
        let trial = Cell::new(budget.get());
        let mut check = Capped { inner: GzDecoder::new(compressed.as_slice()), left: &trial };
        if let Err(e) = io::copy(&mut check, &mut io::sink()) {
            self.reject_label(label, format!("gzip: {e}; nothing in it was counted"));
            return None;
        }
        Some(compressed)
    }

    fn zip<R: Read + Seek>(&mut self, mut r: R, label: &str, budget: &Cell<u64>, depth: u8) {
        match zip_directory_size(&mut r) {
            Ok(size) if size <= MAX_ZIP_DIRECTORY => {}
            Ok(size) => {
                return self.reject_label(
                    label,
                    format!(
                        "the zip's directory is {size} bytes; at most {} MiB is read (a report zip holds one file)",
                        MAX_ZIP_DIRECTORY >> 20
                    ),
                );
            }
            Err(e) => return self.reject_label(label, format!("unreadable zip: {e}")),
        }
        let mut archive = match zip::ZipArchive::new(r) {
            Ok(a) => a,
            Err(e) => return self.reject_label(label, format!("unreadable zip: {e}")),
        };
        let mut entries = 0;
        for i in 0..archive.len().min(MAX_ZIP_ENTRIES) {
            let entry = match archive.by_index(i) {
                Ok(e) if e.is_dir() => continue,
                Ok(e) => e,
                Err(e) => {
                    self.reject_label(label, format!("zip entry {i}: {e}"));
                    continue;
                }
            };
            entries += 1;
            let name = entry
                .name()
                .map_or_else(|_| format!("entry {i}"), |n| cut(&n, MAX_NAME_CHARS).into_owned());
            let entry_label = format!("{label}!{name}");
            let mut inner = BufReader::new(entry);
            match inner.fill_buf().map(sniff) {
                Ok(kind) => self.stream(kind, inner, &entry_label, budget, depth + 1),
                Err(e) => self.reject_label(&entry_label, format!("zip: {e}")),
            }
        }
        if entries == 0 {
            self.reject_label(label, "the zip holds no files");
        }
    }

    fn message(&mut self, r: impl Read, label: &str, budget: &Cell<u64>, expect: Expect) {
        // An email is held whole while its parts are decoded, so it gets a smaller cap.
        let message_budget = Cell::new(budget.get().min(MAX_MESSAGE_BYTES));
        let mut raw = Vec::new();
        if let Err(e) = (Capped { inner: r, left: &message_budget }).read_to_end(&mut raw) {
            return self.reject_label(label, format!("cannot read email: {e}"));
        }
        let found = mime::attachments(&raw);
        drop(raw);
        match (found.is_empty(), expect) {
            // Any email saved beside the reports; only a rua mailbox must hold reports.
            (true, Expect::Maybe) => {
                self.corpus.files_skipped += 1;
                return;
            }
            (true, _) => {
                self.corpus.files_read += 1;
                return self.reject_label(label, "no report attachment in this email");
            }
            (false, _) => self.corpus.files_read += 1,
        }
        for (i, a) in found.into_iter().enumerate() {
            let part = if a.name.is_empty() {
                format!("part {}", i + 1)
            } else {
                cut(&a.name, MAX_NAME_CHARS).into_owned()
            };
            let part_label = format!("{label}#{part}");
            let kind = sniff(&a.body);
            self.container(kind, Cursor::new(a.body), &part_label, budget, 1);
        }
    }

    fn fold(&mut self, r: impl Read, label: &str) {
        let reader = BufReader::with_capacity(64 * 1024, r);
        match fold_report(reader, label, &mut self.corpus) {
            Ok(f) if f.problems.is_empty() => {}
            Ok(f) => self.corpus.recovered(PathBuf::from(label), &f.problems.join("; ")),
            Err(e) => self.reject_label(label, e.to_string()),
        }
    }

    fn reject_label(&mut self, label: &str, reason: impl Into<String>) {
        self.reject(Path::new(label), reason);
    }
}

/// How sure the walk is that a file is meant to be a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Named by the caller: anything unreadable is an error.
    Report,
    /// Found in a folder: a README, a LICENSE or an email without a report is skipped quietly.
    Maybe,
    /// In a Maildir: an email.
    Message,
}

fn has_report_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xml", "gz", "zip", "eml"].iter().any(|x| e.eq_ignore_ascii_case(x)))
}

fn head_kind(file: &mut File) -> io::Result<Kind> {
    let mut head = Vec::with_capacity(512);
    file.by_ref().take(512).read_to_end(&mut head)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(sniff(&head))
}

/// The size of a zip's central directory as its end record states it, before the zip reader
/// loads the directory whole; a ZIP64 archive (more than 65,535 entries or 4 GiB) counts as
/// too big, since a report zip holds one small file.
fn zip_directory_size<R: Read + Seek>(r: &mut R) -> io::Result<u64> {
    const END_RECORD: usize = 22;
    let len = r.seek(SeekFrom::End(0))?;
    let tail_len = len.min(u64::from(u16::MAX) + END_RECORD as u64);
    r.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::new();
    r.by_ref().take(tail_len).read_to_end(&mut tail)?;
    r.seek(SeekFrom::Start(0))?;
    let at = tail
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .filter(|at| at + END_RECORD <= tail.len())
        .ok_or_else(|| io::Error::other("no end of central directory record"))?;
    let record = &tail[at..at + END_RECORD];
    let entries = u16::from_le_bytes([record[10], record[11]]);
    let size = u32::from_le_bytes([record[12], record[13], record[14], record[15]]);
    if entries == u16::MAX || size == u32::MAX {
        return Ok(u64::MAX);
    }
    Ok(u64::from(size))
}

/// A reader that fails once the file's decompression budget is spent (zip and gzip bombs).
struct Capped<'a, R> {
    inner: R,
    left: &'a Cell<u64>,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let left = self.left.get();
        let used = u64::try_from(n).unwrap_or(u64::MAX);
        if used > left {
            return Err(io::Error::other(
                "more data than the decompression limit allows (a zip bomb?)",
            ));
        }
        self.left.set(left - used);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_recognised_by_their_first_bytes() {
        let cases: [(&[u8], Kind); 8] = [
            (b"", Kind::Empty),
            (b"\x1f\x8b\x08\x00", Kind::Gzip),
            (b"PK\x03\x04rest", Kind::Zip),
            (b"<?xml version='1.0'?>", Kind::Xml),
            (b"\xEF\xBB\xBF\r\n\t<feedback>", Kind::Xml),
            (b"Return-Path: <a@b>\r\n", Kind::Message),
            (b"# DMARC aggregate report samples\n", Kind::Unknown),
            (b"                Apache License\n", Kind::Unknown),
        ];
        for (head, kind) in cases {
            assert_eq!(sniff(head), kind, "{:?}", String::from_utf8_lossy(head));
        }
    }
}
