//! JIT benchmarks: the interpreter, the linear tier, the block tier and native Rust on the
//! same three workloads, side by side in one run.
//!
//! * `slot_arith`: straight-line slot arithmetic (32 ops: loads, mixed `Add`/`Mul`/`Sub`/
//!   `BitXor`, stores); the only workload the linear tier takes. Unit: one evaluation.
//! * `loop_sum`: `s = 0; i = 0; while i < N { s += i; i += 1 }` with ordinary ops (the
//!   kit's `loop_sum`). Unit: one iteration.
//! * `nested_loop`: `while i < N { j = 0; while j < N { s += i * j; j += 1 }; i += 1 }`.
//!   Unit: one inner iteration.
//!
//! Tiers: `interp` = `VM::new` + `run` (no tracing); `block` = the same with
//! `enable_tracing_jit` after the chunk was warmed up (compiled); `linear` =
//! `JitCompiler::try_run_linear`; `native` = the same computation in Rust, with
//! `black_box` on the induction variable so LLVM runs the loop one iteration at a time
//! (otherwise it replaces `loop_sum` by a closed formula and measures nothing).
//!
//! Run with `cargo bench -p fusevm --features jit --bench jit_bench`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fusevm::{Chunk, ChunkBuilder, JitCompiler, Op, VMResult, Value, VM};
use std::time::Duration;

const S: u16 = 0;
const I: u16 = 1;
const J: u16 = 2;

fn set_int(b: &mut ChunkBuilder, slot: u16, n: i64) {
    b.emit(Op::LoadInt(n), 1);
    b.emit(Op::SetSlot(slot), 1);
}

fn inc(b: &mut ChunkBuilder, slot: u16) {
    b.emit(Op::GetSlot(slot), 1);
    b.emit(Op::LoadInt(1), 1);
    b.emit(Op::Add, 1);
    b.emit(Op::SetSlot(slot), 1);
}

/// `top: if !(slot < limit) goto exit`; returns (top, index of the jump to patch).
fn while_head(b: &mut ChunkBuilder, slot: u16, limit: i64) -> (usize, usize) {
    let top = b.current_pos();
    b.emit(Op::GetSlot(slot), 1);
    b.emit(Op::LoadInt(limit), 1);
    b.emit(Op::NumLt, 1);
    (top, b.emit(Op::JumpIfFalse(0), 1))
}

fn while_end(b: &mut ChunkBuilder, top: usize, jf: usize) {
    b.emit(Op::Jump(top), 1);
    let end = b.current_pos();
    b.patch_jump(jf, end);
}

fn loop_sum(n: i64) -> Chunk {
    let mut b = ChunkBuilder::new();
    set_int(&mut b, S, 0);
    set_int(&mut b, I, 0);
    let (top, jf) = while_head(&mut b, I, n);
    b.emit(Op::GetSlot(S), 2);
    b.emit(Op::GetSlot(I), 2);
    b.emit(Op::Add, 2);
    b.emit(Op::SetSlot(S), 2);
    inc(&mut b, I);
    while_end(&mut b, top, jf);
    b.emit(Op::GetSlot(S), 3);
    b.build()
}

fn nested_loop(n: i64) -> Chunk {
    let mut b = ChunkBuilder::new();
    set_int(&mut b, S, 0);
    set_int(&mut b, I, 0);
    let (otop, ojf) = while_head(&mut b, I, n);
    set_int(&mut b, J, 0);
    let (itop, ijf) = while_head(&mut b, J, n);
    b.emit(Op::GetSlot(S), 3);
    b.emit(Op::GetSlot(I), 3);
    b.emit(Op::GetSlot(J), 3);
    b.emit(Op::Mul, 3);
    b.emit(Op::Add, 3);
    b.emit(Op::SetSlot(S), 3);
    inc(&mut b, J);
    while_end(&mut b, itop, ijf);
    inc(&mut b, I);
    while_end(&mut b, otop, ojf);
    b.emit(Op::GetSlot(S), 4);
    b.build()
}

/// `s0 = (s0 * 3 + s1) ^ s2; s1 = s1 - s0 * 7; s2 = s2 + s1 * s0; result s0 + s1 + s2`.
fn slot_arith() -> Chunk {
    let ops = [
        Op::GetSlot(0),
        Op::LoadInt(3),
        Op::Mul,
        Op::GetSlot(1),
        Op::Add,
        Op::GetSlot(2),
        Op::BitXor,
        Op::SetSlot(0),
        Op::GetSlot(1),
        Op::GetSlot(0),
        Op::LoadInt(7),
        Op::Mul,
        Op::Sub,
        Op::SetSlot(1),
        Op::GetSlot(2),
        Op::GetSlot(1),
        Op::GetSlot(0),
        Op::Mul,
        Op::Add,
        Op::SetSlot(2),
        Op::GetSlot(0),
        Op::GetSlot(1),
        Op::Add,
        Op::GetSlot(2),
        Op::Add,
    ];
    let mut b = ChunkBuilder::new();
    for op in ops {
        b.emit(op, 1);
    }
    b.build()
}

fn native_slot_arith(s: [i64; 3]) -> i64 {
    let [mut a, mut b, mut c] = s;
    a = a.wrapping_mul(3).wrapping_add(b) ^ c;
    b = b.wrapping_sub(a.wrapping_mul(7));
    c = c.wrapping_add(b.wrapping_mul(a));
    a.wrapping_add(b).wrapping_add(c)
}

fn native_loop_sum(n: i64) -> i64 {
    let (mut s, mut i) = (0i64, 0i64);
    while i < n {
        s = s.wrapping_add(i);
        i = black_box(i) + 1;
    }
    s
}

fn native_nested_loop(n: i64) -> i64 {
    let (mut s, mut i) = (0i64, 0i64);
    while i < n {
        let mut j = 0i64;
        while j < n {
            s = s.wrapping_add(i.wrapping_mul(j));
            j = black_box(j) + 1;
        }
        i += 1;
    }
    s
}

fn vm_run(chunk: &Chunk, slots: &[Value], jit: bool) -> Value {
    let mut vm = VM::new(chunk.clone());
    vm.frames[0].slots.extend_from_slice(slots);
    if jit {
        vm.enable_tracing_jit();
    }
    match vm.run() {
        VMResult::Ok(v) => v,
        other => panic!("bench program failed: {other:?}"),
    }
}

/// Runs `chunk` through `VM::run` with tracing until the block tier compiled it.
fn warm_block(chunk: &Chunk, slots: &[Value]) {
    let jit = JitCompiler::new();
    for _ in 0..12 {
        if jit.block_jit_is_compiled(chunk) {
            return;
        }
        vm_run(chunk, slots, true);
    }
    assert!(jit.block_jit_is_compiled(chunk), "the block tier did not compile");
}

fn bench_slot_arith(c: &mut Criterion) {
    let chunk = slot_arith();
    let words = [5i64, -3, 11];
    let values: Vec<Value> = words.iter().map(|&w| Value::Int(w)).collect();
    let want = Value::Int(native_slot_arith(words));
    assert_eq!(vm_run(&chunk, &values, false), want);
    let jit = JitCompiler::new();
    assert_eq!(jit.try_run_linear(&chunk, &words), Some(want.clone()));
    warm_block(&chunk, &values);
    assert_eq!(vm_run(&chunk, &values, true), want);
    let mut g = c.benchmark_group("slot_arith");
    g.throughput(Throughput::Elements(1));
    g.bench_function("interp", |b| b.iter(|| vm_run(&chunk, &values, false)));
    g.bench_function("linear", |b| {
        b.iter(|| jit.try_run_linear(&chunk, black_box(&words)))
    });
    g.bench_function("block", |b| b.iter(|| vm_run(&chunk, &values, true)));
    g.bench_function("native", |b| b.iter(|| native_slot_arith(black_box(words))));
    g.finish();
}

fn bench_loop(c: &mut Criterion, name: &str, chunk: Chunk, units: u64, native: impl Fn() -> i64) {
    let want = Value::Int(native());
    assert_eq!(vm_run(&chunk, &[], false), want);
    warm_block(&chunk, &[]);
    assert_eq!(vm_run(&chunk, &[], true), want);
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(units));
    g.bench_with_input(BenchmarkId::new("interp", units), &chunk, |b, ch| {
        b.iter(|| vm_run(ch, &[], false))
    });
    g.bench_with_input(BenchmarkId::new("block", units), &chunk, |b, ch| {
        b.iter(|| vm_run(ch, &[], true))
    });
    g.bench_function(BenchmarkId::new("native", units), |b| b.iter(&native));
    g.finish();
}

fn bench_loop_sum(c: &mut Criterion) {
    const N: i64 = 1_000_000;
    bench_loop(c, "loop_sum", loop_sum(N), N as u64, || {
        native_loop_sum(black_box(N))
    });
}

fn bench_nested_loop(c: &mut Criterion) {
    const N: i64 = 1000;
    bench_loop(c, "nested_loop", nested_loop(N), (N * N) as u64, || {
        native_nested_loop(black_box(N))
    });
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_slot_arith, bench_loop_sum, bench_nested_loop
}
criterion_main!(benches);
