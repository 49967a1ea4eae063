//! Writing plan files safely: atomically (temporary file in the same folder, fsync, rename) and
//! never over changes someone made since the plan was read.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a plan was not written. The original file is intact in every case.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} changed on disk since it was read; nothing was written. Run the command again")]
    ChangedOnDisk(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
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

/// Replaces `path` with `new` if it still holds `expected`.
pub fn replace_if_unchanged(path: &Path, expected: &str, new: &str) -> Result<(), WriteError> {
    replace_observed(path, expected, new, &mut |_| {})
}

/// [`replace_if_unchanged`], calling `after` once each step is done, so a test can stop the
/// process at any point and look at what is left.
pub fn replace_observed(
    path: &Path,
    expected: &str,
    new: &str,
    after: &mut dyn FnMut(Step),
) -> Result<(), WriteError> {
    let io_err = |source| WriteError::Io { path: path.to_owned(), source };
    // A plan linked into a checkout is updated where it lives, not replaced by a copy.
    let path = &fs::canonicalize(path).map_err(io_err)?;
    let current = fs::read(path).map_err(io_err)?;
    if current != expected.as_bytes() {
        return Err(WriteError::ChangedOnDisk(path.to_owned()));
    }
    let temp = temp_path(path);
    let result = write_temp_then_rename(path, &temp, new, after);
    if result.is_err() {
        // Best effort: a stray temp file is harmless, the original is untouched.
        let _ = fs::remove_file(&temp);
    }
    result.map_err(io_err)
}

fn write_temp_then_rename(
    path: &Path,
    temp: &Path,
    new: &str,
    after: &mut dyn FnMut(Step),
) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(temp)?;
    after(Step::TempCreated);
    file.write_all(new.as_bytes())?;
    file.set_permissions(fs::metadata(path)?.permissions())?;
    after(Step::TempWritten);
    file.sync_all()?;
    drop(file);
    after(Step::TempSynced);
    fs::rename(temp, path)?;
    after(Step::Renamed);
    // Make the rename itself durable; not every platform lets a directory be opened.
    if let Ok(dir) = File::open(parent(path)) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    parent(path).join(format!(".{name}.{}.tmp", std::process::id()))
}
