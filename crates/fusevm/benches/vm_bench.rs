//! VM mechanism benchmarks: what one op, one loop iteration, one call and one string append
//! cost, and what the fused superinstructions save over the generic sequences they replace.
//!
//! Run with `cargo bench -p fusevm --bench vm_bench`; criterion prints each figure as time
//! per run and as units per second (the unit is named in each program's doc).

mod programs;

use criterion::{criterion_group, criterion_main, Criterion};
use programs::{bench_group, config};

/// Loop iterations of the sum loops, calls of the call loop, appends of the string builds.
const N: i64 = 100_000;

fn sum_loop(c: &mut Criterion) {
    let programs = vec![
        programs::loop_sum(N),
        programs::loop_sum_fused_backedge(N),
        programs::loop_sum_accum(N),
    ];
    bench_group(c, "sum_loop", programs);
}

fn dispatch(c: &mut Criterion) {
    bench_group(c, "dispatch", vec![programs::dispatch_nop(1000, 1000)]);
}

fn string_append(c: &mut Criterion) {
    let programs = vec![
        programs::string_build(N, "x"),
        programs::string_build_fused(N, "x"),
    ];
    bench_group(c, "string_append", programs);
}

fn call(c: &mut Criterion) {
    bench_group(c, "call", vec![programs::call_loop(N)]);
}

criterion_group! {
    name = benches;
    config = config();
    targets = sum_loop, dispatch, string_append, call
}
criterion_main!(benches);
