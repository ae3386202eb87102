//! The JIT cache's bound through the public API: a thread that compiles more distinct
//! chunks than [`CACHE_MAX_CHUNKS`] keeps only the most recently used, and an evicted
//! chunk still runs correctly: compiled again when asked (after a fresh warm-up), the
//! interpreter's answer meanwhile. Upstream never evicts (`docs/compat.md`, JIT).
//!
//! Each test runs on its own thread, so each starts with an empty cache.

#![cfg(feature = "jit")]

use fusevm::jit::{CACHE_MAX_BYTES, CACHE_MAX_CHUNKS};
use fusevm::{Chunk, ChunkBuilder, JitCompiler, Op, VMResult, Value, VM};

/// `i = 0; while i < n { i += 1 }; i`: a distinct block-compilable chunk per `n`.
fn counting_loop(n: i32) -> Chunk {
    let mut b = ChunkBuilder::new();
    for op in [
        Op::LoadInt(0),
        Op::SetSlot(0),
        Op::SlotLtIntJumpIfFalse(0, n, 5),
        Op::PreIncSlotVoid(0),
        Op::Jump(2),
        Op::GetSlot(0),
    ] {
        b.emit(op, 1);
    }
    b.build()
}

fn compiled(jit: &JitCompiler, range: std::ops::Range<i32>) -> usize {
    range
        .filter(|&n| jit.block_jit_is_compiled(&counting_loop(n)))
        .count()
}

// The limits are sane: a program's hot chunks fit, each with room for a few pages of code.
const _: () = assert!(CACHE_MAX_CHUNKS >= 64);
const _: () = assert!(CACHE_MAX_BYTES >= CACHE_MAX_CHUNKS * 16 * 1024);

#[test]
fn compiling_more_chunks_than_the_limit_keeps_the_newest() {
    let jit = JitCompiler::new();
    let total = CACHE_MAX_CHUNKS as i32 + 64;
    for n in 1..=total {
        assert_eq!(
            jit.try_run_block_eager(&counting_loop(n), &mut [0]),
            Some(n as i64)
        );
    }
    // Checked newest first: `block_jit_is_compiled` counts as a use.
    assert!(jit.block_jit_is_compiled(&counting_loop(total)));
    let kept = compiled(&jit, 1..total + 1);
    assert!(kept <= CACHE_MAX_CHUNKS, "{kept} chunks still compiled");
    assert!(
        kept >= CACHE_MAX_CHUNKS / 2,
        "evicted in batches, not all: {kept}"
    );
    assert!(
        !jit.block_jit_is_compiled(&counting_loop(1)),
        "the oldest went first"
    );
}

#[test]
fn an_evicted_chunk_warms_up_again_and_answers_the_same() {
    let jit = JitCompiler::new();
    let first = counting_loop(1000);
    let mut words = [0i64; 1];
    assert_eq!(jit.try_run_block_eager(&first, &mut words), Some(1000));
    assert!(jit.block_jit_is_compiled(&first));
    for n in 0..CACHE_MAX_CHUNKS as i32 {
        // Not compiled (10 warm-up calls), but each creates an entry.
        assert_eq!(jit.try_run_block(&counting_loop(2000 + n), &mut [0]), None);
    }
    assert!(!jit.block_jit_is_compiled(&first), "evicted");
    // The warm-up counter was forgotten with the code: 10 calls answer `None` again.
    for call in 1..=10 {
        assert_eq!(jit.try_run_block(&first, &mut words), None, "call {call}");
    }
    assert_eq!(jit.try_run_block(&first, &mut words), Some(1000));
    assert!(jit.block_jit_is_compiled(&first));
}

#[test]
fn vm_runs_of_evicted_chunks_give_the_interpreters_results() {
    // Each chunk is run 12 times with the JIT on (compiled on the 11th run), then far
    // more chunks than the cache holds go by, then the first ones run again.
    let run = |n: i32| {
        let mut vm = VM::new(counting_loop(n));
        vm.enable_tracing_jit();
        let result = vm.run();
        assert!(
            matches!(result, VMResult::Ok(Value::Int(v)) if v == n as i64),
            "{n}: {result:?}"
        );
        assert_eq!(vm.frames[0].slots, vec![Value::Int(n as i64)]);
    };
    let jit = JitCompiler::new();
    for n in 1..=3 {
        for _ in 0..12 {
            run(n);
        }
        assert!(jit.block_jit_is_compiled(&counting_loop(n)));
    }
    for n in 100..100 + CACHE_MAX_CHUNKS as i32 {
        run(n);
    }
    assert_eq!(compiled(&jit, 1..4), 0, "evicted");
    for n in 1..=3 {
        for _ in 0..12 {
            run(n);
        }
        assert!(jit.block_jit_is_compiled(&counting_loop(n)), "compiled again");
    }
}

#[test]
fn marking_a_chunk_hot_compiles_it_on_the_next_vm_run() {
    let jit = JitCompiler::new();
    let chunk = counting_loop(500);
    assert!(jit.mark_block_hot(&chunk));
    assert!(!jit.block_jit_is_compiled(&chunk), "marking does not compile");
    let mut vm = VM::new(chunk.clone());
    vm.enable_tracing_jit();
    assert!(matches!(vm.run(), VMResult::Ok(Value::Int(500))));
    assert!(jit.block_jit_is_compiled(&chunk), "the first run compiled it");
    // Not block-eligible (a print), or not verifying: nothing to mark.
    let mut b = ChunkBuilder::new();
    b.emit(Op::LoadInt(1), 1);
    b.emit(Op::Print(1), 1);
    assert!(!jit.mark_block_hot(&b.build()));
    let bad = Chunk {
        ops: vec![Op::Jump(9)],
        ..Chunk::default()
    };
    assert!(!jit.mark_block_hot(&bad));
}
