//! Reading and writing plan files safely. Reads refuse what is not a regular file and cap the
//! size. Writes take an advisory lock on the plan, re-read it under the lock, and replace it
//! atomically (a temporary file with a unique name in the same folder, fsync, rename) with its
//! mode and owner; a read-only plan is refused. Not pure: files, the clock (lock waits).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fs4::fs_std::FileExt as _;

/// The largest plan read: a plan of 100,000 domains is about 6 MB.
pub const MAX_PLAN_BYTES: u64 = 16 << 20;
/// How long a writer waits for another one to finish with the plan.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Why a plan was not written. The original file is intact in every case.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} changed on disk since it was read; nothing was written. Run the command again", shown(.0))]
    ChangedOnDisk(PathBuf),
    #[error(
        "{} is being written by another dmarc-rollout (waited {} s for its lock); nothing was written. Run the command again",
        shown(.path), .waited.as_secs()
    )]
    Locked { path: PathBuf, waited: Duration },
    #[error("{} is read-only; nothing was written. Make it writable (chmod u+w) to record in it", shown(.0))]
    ReadOnly(PathBuf),
    #[error("cannot write {}: {source}", shown(.path))]
    Io { path: PathBuf, source: io::Error },
}

/// A path as it may be shown on a terminal: file names are anyone's text.
pub fn shown(path: &Path) -> String {
    crate::text::escape(&path.display().to_string()).into_owned()
}

/// The steps of a write, in order; a crash after any of them leaves the old file or the new
/// one, never a mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    TempCreated,
    TempWritten,
    TempSynced,
    Renamed,
}

/// Reads a text file of at most `max` bytes: a FIFO, a device or a folder is refused before it
/// is opened (a FIFO would block, `/dev/zero` would never end).
pub fn read_text(path: &Path, max: u64) -> io::Result<String> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::other(format!("{} is not a regular file", kind_of(&meta))));
    }
    let mut file = File::open(path)?;
    read_capped(&mut file, max)
}

fn read_capped(file: &mut File, max: u64) -> io::Result<String> {
    let mut bytes = Vec::new();
    Read::by_ref(file).take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::other(format!(
            "it is larger than {} MiB, the most this tool reads",
            max >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        io::Error::other(format!("it is not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
    })
}

fn kind_of(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    match () {
        () if t.is_dir() => "a folder",
        () if t.is_fifo() => "a FIFO (named pipe)",
        () if t.is_socket() => "a socket",
        () if t.is_char_device() || t.is_block_device() => "a device",
        () => "not a file",
    }
}

/// A plan held under an exclusive advisory lock, with its text as it is on disk now. Other
/// writers wait until it is dropped (after [`Locked::replace`]).
pub struct Locked {
    path: PathBuf,
    file: File,
    text: String,
}

impl Locked {
    /// The plan's text, read under the lock.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The plan's path, symlinks resolved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the plan with `new`, atomically, keeping its mode and owner.
    pub fn replace(self, new: &str) -> Result<(), WriteError> {
        self.replace_observed(new, &mut |_| {})
    }

    /// [`Locked::replace`], calling `after` once each step is done, so a test can stop the
    /// process at any point and look at what is left.
    pub fn replace_observed(
        self,
        new: &str,
        after: &mut dyn FnMut(Step),
    ) -> Result<(), WriteError> {
        let path = &self.path;
        let io_err = |source| WriteError::Io { path: path.clone(), source };
        let meta = self.file.metadata().map_err(io_err)?;
        let (mut temp_file, temp) = create_temp(path).map_err(io_err)?;
        let result = write_temp_then_rename(&mut temp_file, &temp, path, &meta, new, after);
        if result.is_err() {
            // Best effort: a stray temp file is harmless, the original is untouched.
            let _ = fs::remove_file(&temp);
        }
        result.map_err(io_err)
        // The lock goes with `self.file`, after the rename.
    }
}

/// Locks the plan at `path` for writing and reads it, waiting up to [`LOCK_WAIT`] for another
/// writer. A read-only plan is refused here, before anything is written.
pub fn lock(path: &Path) -> Result<Locked, WriteError> {
    lock_within(path, LOCK_WAIT)
}

/// [`lock`] with another wait.
pub fn lock_within(path: &Path, wait: Duration) -> Result<Locked, WriteError> {
    let io_err = |source| WriteError::Io { path: path.to_owned(), source };
    // A plan linked into a checkout is updated where it lives, not replaced by a copy.
    let path = fs::canonicalize(path).map_err(io_err)?;
    let io_err = |source| WriteError::Io { path: path.clone(), source };
    let started = Instant::now();
    loop {
        let meta = fs::metadata(&path).map_err(io_err)?;
        if !meta.is_file() {
            let kind = kind_of(&meta);
            return Err(io_err(io::Error::other(format!("{kind} is not a regular file"))));
        }
        if meta.permissions().readonly() {
            return Err(WriteError::ReadOnly(path));
        }
        let mut file = OpenOptions::new().read(true).write(true).open(&path).map_err(io_err)?;
        while !file.try_lock_exclusive().map_err(io_err)? {
            if started.elapsed() >= wait {
                return Err(WriteError::Locked { path, waited: started.elapsed() });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // The writer we waited for renamed a new file in: lock that one instead.
        let now = fs::metadata(&path).map_err(io_err)?;
        let held = file.metadata().map_err(io_err)?;
        if (now.dev(), now.ino()) != (held.dev(), held.ino()) {
            continue;
        }
        let text = read_capped(&mut file, MAX_PLAN_BYTES).map_err(io_err)?;
        return Ok(Locked { path, file, text });
    }
}

/// Replaces `path` with `new` if it still holds `expected`, under the plan's lock.
pub fn replace_if_unchanged(path: &Path, expected: &str, new: &str) -> Result<(), WriteError> {
    replace_observed(path, expected, new, &mut |_| {})
}

/// [`replace_if_unchanged`], calling `after` once each step is done.
pub fn replace_observed(
    path: &Path,
    expected: &str,
    new: &str,
    after: &mut dyn FnMut(Step),
) -> Result<(), WriteError> {
    let locked = lock(path)?;
    if locked.text() != expected {
        return Err(WriteError::ChangedOnDisk(locked.path));
    }
    locked.replace_observed(new, after)
}

/// A new temporary file beside `path`, named so that no other run (nor a killed one whose
/// file was left behind) can hold the same name.
fn create_temp(path: &Path) -> io::Result<(File, PathBuf)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = parent(path).join(format!(".{name}.{}.{nanos}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => {}
            Err(e) => return Err(e),
        }
    }
}

fn write_temp_then_rename(
    file: &mut File,
    temp: &Path,
    path: &Path,
    meta: &fs::Metadata,
    new: &str,
    after: &mut dyn FnMut(Step),
) -> io::Result<()> {
    after(Step::TempCreated);
    file.write_all(new.as_bytes())?;
    file.set_permissions(meta.permissions())?;
    keep_owner(file, meta)?;
    after(Step::TempWritten);
    file.sync_all()?;
    after(Step::TempSynced);
    fs::rename(temp, path)?;
    after(Step::Renamed);
    // Make the rename itself durable; not every platform lets a directory be opened.
    if let Ok(dir) = File::open(parent(path)) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Gives the new file the old one's owner and group (a plan edited by root stays its owner's).
fn keep_owner(file: &File, old: &fs::Metadata) -> io::Result<()> {
    let new = file.metadata()?;
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot give the new file the plan's owner {}:{} ({e})", old.uid(), old.gid()),
        )
    })
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}
