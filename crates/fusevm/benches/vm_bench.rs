//! VM mechanism benchmarks: what one op, one loop iteration, one call and one string append
//! cost, and what the fused superinstructions save over the generic sequences they replace.
//!
//! Run with `cargo bench -p fusevm --bench vm_bench`; criterion prints each figure as time
//! per run and as units per second (the unit is named in each program's doc).

mod programs;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use fusevm::VM;
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
        programs::string_build_from_slot(N, "x"),
        programs::string_build_fused(N, "x"),
    ];
    bench_group(c, "string_append", programs);
}

/// A million `s = s . "x"` and `s = s . t` emitted as plain `get_slot; load_const|get_slot;
/// concat; set_slot`: amortized O(1) per append with automatic fusion (`SlotAppendConst`,
/// `SlotAppendSlot`) and without it (`Concat` appending in place). Each figure includes
/// the loop around the append.
fn string_append_million(c: &mut Criterion) {
    let mut g = c.benchmark_group("string_append_1e6");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for (tail, p) in [
        ("const", programs::string_build(1_000_000, "x")),
        ("slot", programs::string_build_from_slot(1_000_000, "x")),
    ] {
        p.check();
        g.throughput(Throughput::Elements(p.units));
        for (mode, fusion) in [("automatic_fusion", true), ("fusion_off", false)] {
            g.bench_function(format!("{tail}/{mode}"), |b| {
                b.iter_batched(
                    || p.chunk.clone(),
                    |chunk| {
                        let mut vm = VM::new(chunk);
                        vm.set_fusion(fusion);
                        black_box(vm.run())
                    },
                    BatchSize::SmallInput,
                )
            });
        }
    }
    g.finish();
}

fn call(c: &mut Criterion) {
    bench_group(c, "call", vec![programs::call_loop(N)]);
}

criterion_group! {
    name = benches;
    config = config();
    targets = sum_loop, dispatch, string_append, string_append_million, call
}
criterion_main!(benches);
