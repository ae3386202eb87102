//! The one function that times the bench programs (`workloads.rs` builds them).
//!
//! Each `Program` carries the result a correct VM must return and the number of work units
//! one run performs. `bench_group` checks every program once before timing it, so a broken
//! VM fails the bench instead of producing a fast number, and reports
//! `Throughput::Elements(units)` so criterion prints a per-unit rate.
//!
//! Lives in `benches/programs/mod.rs` (not `benches/programs.rs`) so cargo does not take it
//! for a bench target of its own.

// Each bench target uses only some of the programs.
#![allow(dead_code)]

use criterion::{black_box, BatchSize, Criterion, SamplingMode, Throughput};
use fusevm::{VMResult, Value, VM};

mod workloads;
use std::time::Duration;
pub use workloads::*;

impl Program {
    /// Runs the program once on a fresh VM and panics unless it returns `expected`.
    pub fn check(&self) {
        let mut vm = VM::new(self.chunk.clone());
        match vm.run() {
            VMResult::Ok(v) => assert!(
                v == self.expected,
                "bench program `{}` returned {:?}, expected {:?}",
                self.name,
                abbreviate(&v),
                abbreviate(&self.expected)
            ),
            other => panic!("bench program `{}` did not return a value: {other:?}", self.name),
        }
    }
}

/// Long strings would flood the panic message; show their length instead.
fn abbreviate(v: &Value) -> String {
    match v {
        Value::Str(s) if s.len() > 64 => format!("Str(<{} bytes>)", s.len()),
        other => format!("{other:?}"),
    }
}

/// Criterion settings that keep `cargo bench -p fusevm` within a few minutes on 2 cores:
/// most programs run for 1-30 ms, so 20 samples over 2 s are plenty.
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// Checks and times each program as `VM::new(chunk) + run()` in one criterion group. The
/// chunk is cloned outside the timed part.
pub fn bench_group(c: &mut Criterion, group: &str, programs: Vec<Program>) {
    let mut g = c.benchmark_group(group);
    // Flat sampling (the same iteration count in every sample) suits runs of milliseconds:
    // linear sampling would need 210 runs per program and overrun the measurement time.
    g.sampling_mode(SamplingMode::Flat);
    for p in &programs {
        p.check();
        g.throughput(Throughput::Elements(p.units));
        g.bench_function(p.name, |b| {
            b.iter_batched(
                || p.chunk.clone(),
                |chunk| {
                    let mut vm = VM::new(chunk);
                    black_box(vm.run())
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}
