//! Peak memory of this process, for the benchmarks.
// Each benchmark uses a different subset.
#![allow(dead_code)]

/// Peak resident set size (`VmHWM` in `/proc/self/status`), in MiB; 0 where unavailable.
pub fn peak_rss_mib() -> f64 {
    peak_in("/proc/self/status")
}

/// The same for another process of this user, e.g. a server a benchmark started.
pub fn peak_rss_mib_of(pid: u32) -> f64 {
    peak_in(&format!("/proc/{pid}/status"))
}

fn peak_in(path: &str) -> f64 {
    let status = std::fs::read_to_string(path).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Starts the peak over from the current RSS (Linux: `5` written to `/proc/self/clear_refs`),
/// so a benchmark can leave out the memory it used to generate its input.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
