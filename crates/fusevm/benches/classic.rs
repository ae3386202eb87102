//! Classic interpreter benchmarks: small whole programs (recursion, loops, arrays, hashes)
//! compiled the way a simple frontend would emit them, without fused ops.
//!
//! Run with `cargo bench -p fusevm --bench classic`; criterion prints each figure as time
//! per run and as units per second (the unit is named in each program's doc).

mod programs;

use criterion::{criterion_group, criterion_main, Criterion};
use programs::{bench_group, config};

fn classic(c: &mut Criterion) {
    let programs = vec![
        programs::fib_iterative(100_000),
        programs::fib_recursive(24),
        programs::ackermann(3, 6),
        programs::nested_loop(300),
        programs::array_push_sum(100_000),
        programs::hash_count(100_000, 1000),
    ];
    bench_group(c, "classic", programs);
}

criterion_group! {
    name = benches;
    config = config();
    targets = classic
}
criterion_main!(benches);
