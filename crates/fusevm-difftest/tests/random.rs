//! Random differential properties: the same generated program on both VMs must agree.
//!
//! `PROPTEST_CASES` sets the number of cases per property (default 512). A failure shrinks
//! to a small program and prints its listing with both outcomes. Each property also checks
//! that most cases really ran on both VMs (a generator that produced only discarded cases
//! would otherwise pass vacuously); `--nocapture` shows the discard reasons.

use fusevm_difftest::gen::{straight_line, structured, underflow, Spec};
use fusevm_difftest::{compare, Verdict};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    Config {
        cases,
        max_shrink_iters: 4096,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/random.txt",
        ))),
        ..Config::default()
    }
}

/// The discard reason without its details (for the statistics).
fn reason_class(why: &str) -> String {
    why.split('(')
        .next()
        .unwrap_or(why)
        .trim()
        .chars()
        .take(80)
        .collect()
}

fn property(name: &str, strategy: impl Strategy<Value = Spec>) {
    let config = config();
    let cases = config.cases;
    let stats: RefCell<BTreeMap<String, u32>> = RefCell::new(BTreeMap::new());
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |spec| {
        let key = match compare(&spec.lower()) {
            Verdict::Same(_) => "ran on both".to_string(),
            Verdict::Skipped(why) => format!("skipped: {}", reason_class(&why)),
            Verdict::Mismatch(m) => return Err(TestCaseError::fail(m)),
        };
        *stats.borrow_mut().entry(key).or_default() += 1;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let stats = stats.into_inner();
    eprintln!("{name}: {stats:?}");
    let ran = stats.get("ran on both").copied().unwrap_or(0);
    assert!(
        ran * 2 >= cases,
        "{name}: only {ran} of {cases} cases ran on both VMs: {stats:?}"
    );
}

#[test]
fn straight_line_programs_agree() {
    property("straight_line", straight_line());
}

#[test]
fn underflow_programs_agree() {
    property("underflow", underflow());
}

#[test]
fn structured_programs_agree() {
    property("structured", structured());
}
