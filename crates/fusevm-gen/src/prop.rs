//! The proptest adapter: strategies that generate byte vectors and hand them to the same
//! `Unstructured`-based generators and checks the fuzz targets use. Shrinking shrinks the
//! bytes, which shrinks the generated program (shorter input, fewer and smaller choices).
//! Each case runs under a deadline ([`within_deadline`]): a hang ends the run with its input.

use arbitrary::Unstructured;
use proptest::collection::vec;
use proptest::prelude::*;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// Input bytes of up to `max_len` bytes, as the fuzz targets receive them.
pub fn bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max_len)
}

/// Values made by `generate` from up to `max_len` input bytes; inputs the generator
/// rejects are skipped.
pub fn generated<T: std::fmt::Debug>(
    max_len: usize,
    generate: fn(&mut Unstructured) -> arbitrary::Result<T>,
) -> impl Strategy<Value = T> {
    bytes(max_len).prop_filter_map("the generator rejected the input", move |b| {
        generate(&mut Unstructured::new(&b)).ok()
    })
}

/// The number of cases: `PROPTEST_CASES` if set, else `default` (CI runs the default).
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The suite's configuration: [`cases`]`(default)` cases, and shrinking a failure stops
/// after a minute (proptest's default has no bound) with the smallest input found by then.
pub fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        max_shrink_time: 60_000,
        ..ProptestConfig::default()
    }
}

/// The longest one property case may take: far beyond the slowest legitimate input (under
/// a second in a debug build), so reaching it is a finding, not a slow machine.
pub const CASE_DEADLINE: Duration = Duration::from_secs(30);

/// Runs `check(data)` on a worker thread and waits at most [`CASE_DEADLINE`] for it. A
/// panic in the check is re-raised here (proptest sees the failure and shrinks it). A
/// check still running at the deadline cannot be stopped, so the process prints the input
/// (hex, for `fuzz/regressions/`) and exits: a hang fails the run in seconds instead of
/// holding CI until its own timeout with nothing to reproduce it by.
pub fn within_deadline(data: &[u8], check: impl FnOnce(&[u8]) + Send + 'static) {
    let input = data.to_vec();
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        check(&input);
        let _ = done.send(());
    });
    match finished.recv_timeout(CASE_DEADLINE) {
        // Disconnected: the check panicked before sending.
        Ok(()) | Err(RecvTimeoutError::Disconnected) => {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(RecvTimeoutError::Timeout) => {
            let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
            eprintln!(
                "a property check ran past {CASE_DEADLINE:?} on this input ({} bytes; \
                 `xxd -r -p` turns the hex back into the file):\n{hex}",
                data.len()
            );
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::within_deadline;

    #[test]
    #[should_panic(expected = "the check's own failure")]
    fn a_failing_check_fails_the_case() {
        within_deadline(b"input", |_| panic!("the check's own failure"));
    }

    #[test]
    fn a_passing_check_runs_on_the_input() {
        let (seen, got) = std::sync::mpsc::channel();
        within_deadline(b"input", move |d| seen.send(d.to_vec()).expect("receiver alive"));
        assert_eq!(got.try_recv().ok().as_deref(), Some(&b"input"[..]));
    }
}
