//! Progress for long runs: one updating line on standard error per stage (`loading 37/100
//! tenants…`, `evaluating 12,345 identities…`), ended by a newline.
//!
//! Off unless the caller turns it on (the CLI does when standard error is a terminal and
//! `--quiet` is not given), so tests, CI logs and the library's users never see it. It must stay
//! cheap: a count is one atomic add, and the line is redrawn at most every 100 ms.

use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Redraw the line at most this often (milliseconds).
const EVERY_MS: u64 = 100;

/// A progress line; every method does nothing when it is off.
pub struct Progress {
    on: bool,
    start: Instant,
    done: AtomicUsize,
    /// Milliseconds since `start` of the last redraw.
    drawn_at: AtomicU64,
    /// Held while writing, so concurrent redraws never interleave.
    line: Mutex<()>,
}

impl Progress {
    /// A progress line shown only when `on`.
    pub fn new(on: bool) -> Progress {
        Progress {
            on,
            start: Instant::now(),
            done: AtomicUsize::new(0),
            drawn_at: AtomicU64::new(0),
            line: Mutex::new(()),
        }
    }

    /// Count one finished item of `total` and redraw `loading n/total tenants…` when the last
    /// redraw is older than 100 ms (always, for small totals). Safe from any thread.
    pub fn tick(&self, total: usize) {
        if !self.on {
            return;
        }
        self.done.fetch_add(1, Ordering::Relaxed);
        let now = self.start.elapsed().as_millis() as u64;
        let last = self.drawn_at.load(Ordering::Relaxed);
        let due = total <= 20 || now.saturating_sub(last) >= EVERY_MS;
        if due
            && self
                .drawn_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.draw(&self.loading(total), false);
        }
    }

    /// End the loading line with the final count.
    pub fn loaded(&self, total: usize) {
        if self.on {
            self.draw(&self.loading(total), true);
        }
    }

    /// Show `evaluating N identities…` until [`Progress::evaluated`].
    pub fn evaluating(&self, identities: usize) {
        if self.on {
            self.draw(
                &format!("evaluating {} identities…", thousands(identities)),
                false,
            );
        }
    }

    /// End the evaluating line.
    pub fn evaluated(&self) {
        if self.on {
            self.draw("", true);
        }
    }

    fn loading(&self, total: usize) -> String {
        let done = self.done.load(Ordering::Relaxed).min(total);
        format!("loading {done}/{total} tenants…")
    }

    /// Redraw the line (`\r`, text, clear to the end of line); `end` adds the newline. An empty
    /// `text` with `end` keeps what is shown.
    fn draw(&self, text: &str, end: bool) {
        let _guard = self.line.lock().unwrap_or_else(|e| e.into_inner());
        let mut err = std::io::stderr().lock();
        // Progress is a courtesy: a failed write to the terminal is not an audit error.
        let _ = if text.is_empty() {
            write!(err, "{}", if end { "\n" } else { "" })
        } else {
            write!(err, "\r{text}\x1b[K{}", if end { "\n" } else { "" })
        };
        let _ = err.flush();
    }
}

/// `12345` → `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        for (n, s) in [(0, "0"), (999, "999"), (1000, "1,000"), (12345, "12,345")] {
            assert_eq!(thousands(n), s);
        }
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn off_counts_nothing() {
        let p = Progress::new(false);
        p.tick(3);
        assert_eq!(p.done.load(Ordering::Relaxed), 0);
    }
}
