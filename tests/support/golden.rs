//! Golden files under `tests/golden/`: compared, or rewritten when `GOLDEN_UPDATE` is set.

use std::path::PathBuf;

/// Compares `text` with `tests/golden/<dir>/<name>` (or writes it there under `GOLDEN_UPDATE`);
/// the mismatch to report, if any.
pub fn mismatch(dir: &str, name: &str, text: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(dir).join(name);
    if std::env::var_os("GOLDEN_UPDATE").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("golden dir");
        std::fs::write(&path, text).expect("write golden");
        return None;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    (expected != text).then(|| format!("--- {name} expected:\n{expected}\n--- got:\n{text}"))
}
