//! Shared by the benches: summary statistics over repeated timings, and peak memory.
//!
//! Benches here use `harness = false` and `std::time::Instant` (no criterion: it would add compile time
//! for everyone). The machine is small and noisy, so read ratios within one run, not absolute times
//! across runs.

use std::time::Duration;

/// Median and minimum of repeated timings.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub median: Duration,
    pub min: Duration,
}

impl Summary {
    /// Summarises the samples (at least one). The median of an even count is the mean of the two
    /// middle samples.
    pub fn of(samples: &[Duration]) -> Self {
        assert!(!samples.is_empty(), "no timing samples");
        let mut s = samples.to_vec();
        s.sort_unstable();
        let n = s.len();
        let median = if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2 };
        Self { median, min: s[0] }
    }
}

/// Milliseconds with a precision that suits the magnitude.
pub fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 1.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.3} ms")
    }
}

/// Peak resident set size of this process (`VmHWM` in `/proc/self/status`), when available.
pub fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(format!("{:.1} MiB", kib / 1024.0))
}

/// The 1, 5 and 15-minute load averages (`/proc/loadavg`): other work on the machine skews the
/// timings, parallel speed-ups first.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unavailable".into())
}
