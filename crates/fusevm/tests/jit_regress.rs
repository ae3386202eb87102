//! JIT regression tests: upstream's crash inputs (spec `jit.md` § 7, J-1 … J-9), its
//! wrong-result quirks (Q-J1 … Q-J9), its tier tests with the interpreter's answers, and
//! the guards that hand control back to the interpreter (kind changes, strings, fuel,
//! interrupts). Every case here crashed, panicked or answered differently upstream.

#![cfg(feature = "jit")]

use fusevm::{Chunk, ChunkBuilder, ErrorKind, JitCompiler, Limits, Op, VMResult, Value, VM};
use std::time::Duration;

fn chunk(ops: &[Op]) -> Chunk {
    Chunk {
        ops: ops.to_vec(),
        ..Chunk::default()
    }
}

fn built(ops: &[Op], constants: &[Value]) -> Chunk {
    let mut b = ChunkBuilder::new();
    for c in constants {
        b.add_constant(c.clone());
    }
    for op in ops {
        b.emit(*op, 1);
    }
    b.build()
}

fn linear(ops: &[Op], slots: &[i64]) -> Option<Value> {
    JitCompiler::new().try_run_linear(&chunk(ops), slots)
}

/// Runs `c` on fresh VMs with tracing on, `runs` times (the 11th compiles it), checking
/// every run against the interpreter: result, stack, slots. Returns the last VM.
fn vm_runs(c: &Chunk, slots: &[Value], runs: usize) -> VM {
    let interp = {
        let mut vm = VM::new(c.clone());
        vm.frames[0].slots = slots.to_vec();
        let r = vm.run();
        format!("{r:?} {:?} {:?}", vm.stack, vm.frames[0].slots)
    };
    let mut last = None;
    for run in 1..=runs {
        let mut vm = VM::new(c.clone());
        vm.frames[0].slots = slots.to_vec();
        vm.enable_tracing_jit();
        let r = vm.run();
        // Debug text: floats by value (NaN payloads aside), -0.0 distinct from 0.0.
        let got = format!("{r:?} {:?} {:?}", vm.stack, vm.frames[0].slots);
        assert_eq!(got, interp, "run {run} of {:?}", c.ops);
        last = Some(vm);
    }
    last.expect("at least one run")
}

/// `s=0; i=0; while i < n { s += i; i += 1 }; s` with ordinary ops (slots 0, 1).
fn loop_sum(n: i64) -> Chunk {
    built(
        &[
            Op::LoadInt(0),
            Op::SetSlot(0),
            Op::LoadInt(0),
            Op::SetSlot(1),
            Op::GetSlot(1), // 4
            Op::LoadInt(n),
            Op::NumLt,
            Op::JumpIfFalse(17),
            Op::GetSlot(0),
            Op::GetSlot(1),
            Op::Add,
            Op::SetSlot(0),
            Op::GetSlot(1),
            Op::LoadInt(1),
            Op::Add,
            Op::SetSlot(1),
            Op::Jump(4),
            Op::GetSlot(0), // 17
        ],
        &[],
    )
}

// ---------------------------------------------------------------- crash inputs (§ 7)

#[test]
fn j1_linear_with_short_or_empty_slices() {
    assert_eq!(linear(&[Op::GetSlot(0)], &[]), Some(Value::Undef));
    assert_eq!(linear(&[Op::GetSlot(5)], &[1, 2]), Some(Value::Undef));
    assert_eq!(linear(&[Op::PreIncSlot(7)], &[]), Some(Value::Int(1)));
    assert_eq!(
        linear(&[Op::LoadInt(5), Op::SetSlot(3), Op::GetSlot(3)], &[]),
        Some(Value::Int(5))
    );
    assert_eq!(
        linear(&[Op::AddAssignSlotVoid(9, 1), Op::GetSlot(9)], &[0, 4]),
        Some(Value::Int(4))
    );
    assert_eq!(JitCompiler::new().try_run_linear(&Chunk::new(), &[]), None);
    assert_eq!(
        JitCompiler::new().try_run_block_eager(&Chunk::new(), &mut []),
        None
    );
}

#[test]
fn j2_block_in_the_vm_with_fewer_slots_than_referenced() {
    let c = built(
        &[
            Op::LoadInt(5),
            Op::SetSlot(0),
            Op::GetSlot(0),
            Op::LoadInt(1),
            Op::Add,
        ],
        &[],
    );
    let vm = vm_runs(&c, &[], 14);
    assert_eq!(vm.frames[0].slots, vec![Value::Int(5)]);
    assert!(JitCompiler::new().block_jit_is_compiled(&c));
}

#[test]
fn j4_integer_division_edges_never_fault() {
    let min = i64::MIN;
    let cases: [(&[Op], Value); 6] = [
        (
            &[Op::LoadInt(min), Op::LoadInt(-1), Op::Div],
            Value::Float(9.223372036854776e18),
        ),
        (&[Op::LoadInt(min), Op::LoadInt(-1), Op::Mod], Value::Int(0)),
        (&[Op::LoadInt(7), Op::LoadInt(0), Op::Mod], Value::Int(0)),
        (&[Op::LoadInt(7), Op::LoadInt(0), Op::Div], Value::Undef),
        (&[Op::LoadInt(-7), Op::LoadInt(2), Op::Mod], Value::Int(-1)),
        (
            &[Op::LoadFloat(7.5), Op::LoadInt(0), Op::Mod],
            Value::Float(f64::NAN),
        ),
    ];
    for (ops, want) in cases {
        let got = linear(ops, &[]).expect("linear-eligible");
        assert_eq!(format!("{got:?}"), format!("{want:?}"), "linear {ops:?}");
        // The same with the divisor coming from a slot, in a loop, on the block tier.
        let mut looped = vec![Op::LoadInt(0), Op::SetSlot(1)];
        looped.extend_from_slice(&ops[..2]);
        looped.extend([Op::SetSlot(3), Op::SetSlot(2)]);
        let top = looped.len();
        looped.extend([
            Op::GetSlot(2),
            Op::GetSlot(3),
            ops[2],
            Op::SetSlot(0),
            Op::SlotIncLtIntJumpBack(1, 3, top),
            Op::GetSlot(0),
        ]);
        vm_runs(&built(&looped, &[]), &[], 12);
    }
}

#[test]
fn j5_float_to_int_conversions_never_fault() {
    let inf = f64::INFINITY;
    assert_eq!(
        linear(&[Op::LoadFloat(inf), Op::Inc], &[]),
        Some(Value::Int(i64::MIN))
    );
    assert_eq!(
        linear(&[Op::LoadFloat(f64::NAN), Op::Dec], &[]),
        Some(Value::Int(-1))
    );
    assert_eq!(
        linear(&[Op::LoadFloat(-1e300), Op::LoadInt(1), Op::BitOr], &[]),
        Some(Value::Int(i64::MIN | 1))
    );
    // A Float stored to a slot stays a Float; a Float result is a Float.
    let c = built(
        &[
            Op::LoadFloat(f64::NAN),
            Op::SetSlot(0),
            Op::LoadFloat(0.5),
            Op::LoadFloat(inf),
            Op::Mul,
            Op::PreIncSlotVoid(0),
        ],
        &[],
    );
    let vm = vm_runs(&c, &[], 12);
    assert_eq!(vm.frames[0].slots, vec![Value::Int(1)]);
    let mut words = [0i64; 1];
    assert_eq!(
        JitCompiler::new().try_run_block_eager(&c, &mut words),
        None,
        "Float result"
    );
    assert_eq!(words, [0], "not committed");
}

#[test]
fn j6_constant_operands_of_div_and_mod_at_the_limits() {
    let jit = JitCompiler::new();
    for op in [Op::Div, Op::Mod] {
        let c = chunk(&[Op::LoadInt(i64::MIN), Op::LoadInt(-1), op]);
        assert!(jit.is_linear_eligible(&c));
        assert!(jit.try_run_linear(&c, &[]).is_some());
    }
}

#[test]
fn j7_linear_never_writes_the_callers_slice() {
    let slots = vec![41i64, 7];
    let got = linear(
        &[
            Op::PreIncSlot(0),
            Op::LoadInt(9),
            Op::SetSlot(1),
            Op::AddAssignSlotVoid(0, 1),
        ],
        &slots,
    );
    assert_eq!(got, Some(Value::Int(42)));
    assert_eq!(slots, vec![41, 7]);
}

#[test]
fn j9_jump_targets_past_the_end() {
    let c = chunk(&[Op::LoadInt(1), Op::Jump(10), Op::Nop]);
    assert_eq!(JitCompiler::new().try_run_block_eager(&c, &mut [0; 2]), None);
    for _ in 0..12 {
        let mut vm = VM::new(c.clone());
        vm.enable_tracing_jit();
        assert!(matches!(vm.run(), VMResult::Error(e) if e.contains("invalid chunk")));
    }
    assert!(!JitCompiler::new().block_jit_is_compiled(&c));
    // Jumping to exactly the end is legal: the run finishes there.
    vm_runs(&chunk(&[Op::LoadInt(5), Op::Jump(3), Op::Nop]), &[], 12);
}

// ---------------------------------------------------------------- wrong results (quirks)

#[test]
fn qj1_cache_is_keyed_by_content_not_op_hash() {
    let jit = JitCompiler::new();
    let a = chunk(&[Op::LoadInt(1), Op::LoadInt(2), Op::Add]);
    let b = chunk(&[Op::LoadInt(10), Op::LoadInt(20), Op::Mul]);
    assert_eq!((a.op_hash, b.op_hash), (0, 0));
    assert_eq!(jit.try_run_linear(&a, &[]), Some(Value::Int(3)));
    assert_eq!(jit.try_run_linear(&b, &[]), Some(Value::Int(200)));
    // Editing a built chunk's ops leaves a stale op_hash; the content decides.
    let mut c = built(&[Op::LoadInt(4), Op::LoadInt(4), Op::Mul], &[]);
    let hash = c.op_hash;
    assert_eq!(jit.try_run_linear(&c, &[]), Some(Value::Int(16)));
    c.ops[0] = Op::LoadInt(5);
    assert_eq!(c.op_hash, hash);
    assert_eq!(jit.try_run_linear(&c, &[]), Some(Value::Int(20)));
    // Constants are part of the content.
    let mut k = built(&[Op::LoadConst(0)], &[Value::Int(1)]);
    assert_eq!(jit.try_run_linear(&k, &[]), Some(Value::Int(1)));
    k.constants[0] = Value::Float(1.5);
    assert_eq!(jit.try_run_linear(&k, &[]), Some(Value::Float(1.5)));
}

#[test]
fn qj2_numeric_results_are_the_interpreters() {
    let cases: [(&[Op], Value); 9] = [
        (&[Op::LoadInt(2), Op::LoadInt(10), Op::Pow], Value::Float(1024.0)),
        (&[Op::LoadInt(2), Op::LoadInt(-1), Op::Pow], Value::Float(0.5)),
        (&[Op::LoadInt(1), Op::LoadInt(2), Op::NumLt], Value::Bool(true)),
        (&[Op::LoadInt(5), Op::LoadInt(5), Op::NumNe], Value::Bool(false)),
        (&[Op::LoadTrue], Value::Bool(true)),
        (&[Op::LoadFloat(2.0)], Value::Float(2.0)),
        (&[Op::LoadInt(7), Op::LoadInt(2), Op::Div], Value::Float(3.5)),
        (&[Op::LoadFloat(f64::NAN), Op::LogNot], Value::Bool(false)),
        (
            &[Op::LoadFloat(1.0), Op::LoadFloat(2.0), Op::Add],
            Value::Float(3.0),
        ),
    ];
    for (ops, want) in cases {
        assert_eq!(linear(ops, &[]), Some(want.clone()), "{ops:?}");
        vm_runs(&chunk(ops), &[], 12);
    }
}

#[test]
fn qj3_vm_results_keep_their_variant_from_the_eleventh_run_on() {
    for ops in [
        &[Op::LoadInt(1), Op::LoadInt(2), Op::NumLt][..],
        &[Op::LoadFloat(1.5), Op::LoadFloat(1.25), Op::Add],
        &[Op::LoadInt(7), Op::LoadInt(2), Op::Div],
        &[Op::LoadInt(5), Op::Jump(3), Op::Nop],
        &[Op::LoadInt(1), Op::Pop],
        &[Op::LoadInt(1), Op::SetSlot(0), Op::PushFrame, Op::GetSlot(0)],
    ] {
        let c = chunk(ops);
        vm_runs(&c, &[], 13);
        assert!(JitCompiler::new().block_jit_is_compiled(&c), "{ops:?}");
    }
}

#[test]
fn qj4_only_slots_native_code_owns_are_written_back() {
    let c = chunk(&[
        Op::LoadInt(2),
        Op::LoadInt(3),
        Op::Mul,
        Op::SetSlot(4),
        Op::GetSlot(4),
    ]);
    let slots = [
        Value::str("hello"),
        Value::Bool(true),
        Value::Undef,
        Value::Float(1.5),
        Value::Int(1),
        Value::array(vec![Value::Int(1)]),
    ];
    let vm = vm_runs(&c, &slots, 12);
    let mut want = slots.to_vec();
    want[4] = Value::Int(6);
    assert_eq!(vm.frames[0].slots, want);
    // A slot written on one path only keeps the VM's value on the other.
    let cond = chunk(&[
        Op::GetSlot(1),
        Op::JumpIfFalse(4),
        Op::LoadInt(9),
        Op::SetSlot(0),
        Op::GetSlot(0),
    ]);
    vm_runs(&cond, &[Value::str("keep"), Value::Bool(false)], 12);
    vm_runs(&cond, &[Value::str("keep"), Value::Bool(true)], 2);
}

#[test]
fn qj5_kind_changes_inside_loops() {
    // x starts Int and becomes Float; a bool is stored; the loop counter stays Int.
    let c = built(
        &[
            Op::LoadInt(0),
            Op::SetSlot(0),
            Op::LoadInt(0),
            Op::SetSlot(1),
            Op::GetSlot(0), // 4
            Op::LoadFloat(0.5),
            Op::Add,
            Op::SetSlot(0),
            Op::GetSlot(1),
            Op::LoadInt(3),
            Op::NumGt,
            Op::SetSlot(2),
            Op::SlotIncLtIntJumpBack(1, 10, 4),
            Op::GetSlot(0),
        ],
        &[],
    );
    let vm = vm_runs(&c, &[], 12);
    assert_eq!(
        vm.frames[0].slots,
        vec![Value::Float(5.0), Value::Int(10), Value::Bool(true)]
    );
}

#[test]
fn qj9_failed_compiles_are_remembered() {
    // Eligible, but larger than the block tier compiles: it bails once, then every call
    // answers from the cache (and the VM keeps interpreting it correctly).
    let mut ops = vec![Op::Nop; 10_001];
    ops.push(Op::LoadInt(3));
    let c = chunk(&ops);
    let jit = JitCompiler::new();
    assert!(jit.is_block_eligible(&c));
    for _ in 0..3 {
        assert_eq!(jit.try_run_block_eager(&c, &mut []), None);
        assert!(!jit.block_jit_is_compiled(&c));
    }
    vm_runs(&c, &[], 12);
}

// ---------------------------------------------------------------- upstream's tier tests

#[test]
fn upstream_linear_expectations_with_interpreter_results() {
    let jit = JitCompiler::new();
    let k = |ops: &[Op], consts: &[Value]| jit.try_run_linear(&built(ops, consts), &[]);
    assert_eq!(
        linear(&[Op::LoadInt(40), Op::LoadInt(2), Op::Add], &[]),
        Some(Value::Int(42))
    );
    assert_eq!(
        linear(&[Op::LoadFloat(1.5), Op::LoadFloat(2.5), Op::Add], &[]),
        Some(Value::Float(4.0))
    );
    assert_eq!(
        linear(&[Op::LoadInt(1), Op::LoadFloat(2.5), Op::Add], &[]),
        Some(Value::Float(3.5))
    );
    for (a, b, want) in [(1, 2, -1), (2, 2, 0), (3, 2, 1)] {
        let ops = [Op::LoadInt(a), Op::LoadInt(b), Op::Spaceship];
        assert_eq!(linear(&ops, &[]), Some(Value::Int(want)));
    }
    assert_eq!(
        linear(&[Op::LoadFloat(1.0), Op::LoadFloat(2.0), Op::Spaceship], &[]),
        Some(Value::Int(-1))
    );
    assert_eq!(
        linear(&[Op::LoadInt(0b1100), Op::LoadInt(0b1010), Op::BitXor], &[]),
        Some(Value::Int(0b0110))
    );
    assert_eq!(
        linear(&[Op::LoadInt(1), Op::LoadInt(4), Op::Shl], &[]),
        Some(Value::Int(16))
    );
    assert_eq!(
        linear(&[Op::LoadInt(-16), Op::LoadInt(2), Op::Shr], &[]),
        Some(Value::Int(-4))
    );
    assert_eq!(linear(&[Op::LoadInt(5), Op::BitNot], &[]), Some(Value::Int(-6)));
    assert_eq!(
        linear(&[Op::LoadInt(21), Op::Dup, Op::Add], &[]),
        Some(Value::Int(42))
    );
    assert_eq!(
        linear(&[Op::LoadInt(1), Op::LoadInt(9), Op::Swap, Op::Sub], &[]),
        Some(Value::Int(8))
    );
    assert_eq!(
        linear(&[Op::LoadInt(0), Op::LogNot], &[]),
        Some(Value::Bool(true))
    );
    assert_eq!(
        linear(&[Op::GetSlot(0), Op::GetSlot(1), Op::Add], &[100, 200]),
        Some(Value::Int(300))
    );
    assert_eq!(linear(&[Op::PreIncSlot(0)], &[41]), Some(Value::Int(42)));
    assert_eq!(k(&[Op::LoadConst(0)], &[Value::Int(42)]), Some(Value::Int(42)));
    assert_eq!(
        k(&[Op::LoadConst(0)], &[Value::Float(3.25)]),
        Some(Value::Float(3.25))
    );
    assert_eq!(
        linear(&[Op::LoadFloat(3.25), Op::Negate], &[]),
        Some(Value::Float(-3.25))
    );
    assert_eq!(
        linear(&[Op::LoadInt(17), Op::LoadInt(5), Op::Mod], &[]),
        Some(Value::Int(2))
    );
    assert_eq!(linear(&[Op::LoadInt(1), Op::LoadInt(2), Op::Concat], &[]), None);
    assert_eq!(linear(&[Op::LoadInt(0), Op::Exec(1)], &[]), None);
    let twice = chunk(&[Op::LoadInt(6), Op::LoadInt(7), Op::Mul]);
    assert_eq!(jit.try_run_linear(&twice, &[]), jit.try_run_linear(&twice, &[]));
    assert!(!jit.is_linear_eligible(&chunk(&[Op::Nop, Op::LoadInt(1)])));
    assert!(!jit.is_linear_eligible(&chunk(&[Op::LoadInt(1), Op::LoadInt(2)])));
}

#[test]
fn upstream_block_expectations() {
    let jit = JitCompiler::new();
    // Counted loop with the fused test and a plain back-edge.
    let counted = chunk(&[
        Op::LoadInt(0),
        Op::SetSlot(0),
        Op::LoadInt(0),
        Op::SetSlot(1),
        Op::SlotLtIntJumpIfFalse(1, 100, 12),
        Op::GetSlot(0),
        Op::GetSlot(1),
        Op::Add,
        Op::SetSlot(0),
        Op::PreIncSlotVoid(1),
        Op::Jump(4),
        Op::Nop,
        Op::GetSlot(0),
    ]);
    assert_eq!(jit.try_run_block_eager(&counted, &mut [0, 0]), Some(4950));
    let accum = chunk(&[Op::AccumSumLoop(0, 1, 1000), Op::GetSlot(0)]);
    assert_eq!(jit.try_run_block_eager(&accum, &mut [0, 0]), Some(499_500));
    let mut slots = [0i64, 0];
    let accum10 = chunk(&[Op::AccumSumLoop(0, 1, 10), Op::GetSlot(0)]);
    assert_eq!(jit.try_run_block_eager(&accum10, &mut slots), Some(45));
    assert_eq!(slots, [45, 10]);
    let if_else = |flag: i64| {
        chunk(&[
            Op::LoadInt(flag),
            Op::JumpIfFalse(4),
            Op::LoadInt(42),
            Op::Jump(5),
            Op::LoadInt(99),
        ])
    };
    assert_eq!(jit.try_run_block_eager(&if_else(1), &mut []), Some(42));
    assert_eq!(jit.try_run_block_eager(&if_else(0), &mut []), Some(99));
    let fused = chunk(&[
        Op::LoadInt(0),
        Op::SetSlot(0),
        Op::LoadInt(0),
        Op::SetSlot(1),
        Op::Nop,
        Op::AddAssignSlotVoid(0, 1),
        Op::SlotIncLtIntJumpBack(1, 50, 5),
        Op::GetSlot(0),
    ]);
    assert_eq!(jit.try_run_block_eager(&fused, &mut [0, 0]), Some(1225));
    assert!(!jit.is_block_eligible(&chunk(&[Op::LoadInt(1), Op::Print(1)])));
    // Warm-up: ten calls answer None, the eleventh compiles and runs.
    let warm = loop_sum(10);
    let mut s = [0i64; 2];
    for _ in 0..10 {
        assert_eq!(jit.try_run_block(&warm, &mut s), None);
        assert!(!jit.block_jit_is_compiled(&warm));
    }
    assert_eq!(jit.try_run_block(&warm, &mut s), Some(45));
    assert!(jit.block_jit_is_compiled(&warm));
    assert_eq!(s, [45, 10]);
    // A region cut out of a bigger chunk and run eagerly.
    let mut ops = vec![Op::Print(0)];
    ops.extend(loop_sum(100).ops.iter().map(|op| match *op {
        Op::Jump(t) => Op::Jump(t + 1),
        Op::JumpIfFalse(t) => Op::JumpIfFalse(t + 1),
        other => other,
    }));
    let big = chunk(&ops);
    let (start, end) = jit.find_jit_region(&big).expect("a region");
    assert_eq!((start, end), (1, ops.len()));
    let region = jit.extract_region(&big, start, end);
    assert_eq!(jit.try_run_block_eager(&region, &mut [0, 0]), Some(4950));
}

// ---------------------------------------------------------------- guards and exits

#[test]
fn loops_frontends_emit_engage_and_stay_exact() {
    // while with the test at the top
    let c = loop_sum(1000);
    vm_runs(&c, &[], 12);
    assert!(JitCompiler::new().block_jit_is_compiled(&c));
    // do-while and nested loops
    let nested = built(
        &[
            Op::LoadInt(0),
            Op::SetSlot(0),
            Op::LoadInt(0),
            Op::SetSlot(1),
            Op::LoadInt(0), // 4: outer body
            Op::SetSlot(2),
            Op::GetSlot(0), // 6: inner body
            Op::GetSlot(1),
            Op::GetSlot(2),
            Op::Mul,
            Op::Add,
            Op::SetSlot(0),
            Op::GetSlot(2),
            Op::LoadInt(1),
            Op::Add,
            Op::Dup,
            Op::SetSlot(2),
            Op::LoadInt(30),
            Op::NumLt,
            Op::JumpIfTrue(6),
            Op::GetSlot(1),
            Op::LoadInt(1),
            Op::Add,
            Op::Dup,
            Op::SetSlot(1),
            Op::LoadInt(20),
            Op::NumLt,
            Op::JumpIfTrue(4),
            Op::GetSlot(0),
        ],
        &[],
    );
    let vm = vm_runs(&nested, &[], 12);
    assert!(JitCompiler::new().block_jit_is_compiled(&nested));
    assert_eq!(
        vm.frames[0].slots,
        vec![Value::Int(190 * 435), Value::Int(20), Value::Int(30)]
    );
}

#[test]
fn a_string_slot_read_mid_loop_hands_back_the_exact_state() {
    // Slot 0 holds a string; the loop reads it once i reaches 7 (native code exits there
    // and the interpreter finishes the loop with the string's numeric value).
    let c = built(
        &[
            Op::LoadInt(0),
            Op::SetSlot(1),
            Op::LoadInt(0),
            Op::SetSlot(2),
            Op::GetSlot(1), // 4
            Op::LoadInt(7),
            Op::NumLt,
            Op::JumpIfTrue(11),
            Op::GetSlot(0),
            Op::Jump(12),
            Op::Nop,
            Op::GetSlot(1), // 11
            Op::GetSlot(2), // 12
            Op::Add,
            Op::SetSlot(2),
            Op::SlotIncLtIntJumpBack(1, 10, 4),
            Op::GetSlot(2),
        ],
        &[],
    );
    let vm = vm_runs(&c, &[Value::str("100")], 12);
    assert_eq!(vm.frames[0].slots[0], Value::str("100"));
    assert_eq!(vm.frames[0].slots[2], Value::Float(321.0));
    // A string constant inside a scope inside a loop: the exit rebuilds the scope frame.
    let scoped = built(
        &[
            Op::LoadInt(0),
            Op::SetSlot(0),
            Op::PushFrame, // 2
            Op::LoadInt(4),
            Op::SetSlot(3),
            Op::LoadConst(0),
            Op::GetSlot(3),
            Op::Add,
            Op::SetSlot(1),
            Op::PopFrame,
            Op::SlotIncLtIntJumpBack(0, 3, 2),
            Op::GetSlot(0),
        ],
        &[Value::str("1.5")],
    );
    vm_runs(&scoped, &[], 12);
}

#[test]
fn fuel_runs_out_at_the_same_op_on_every_tier() {
    let c = loop_sum(1_000_000);
    for fuel in [0u64, 1, 5, 1023, 1024, 1025, 5000] {
        let run = |jit: bool| {
            let mut vm = VM::new(c.clone());
            vm.set_limits(Limits {
                fuel: Some(fuel),
                ..Limits::default()
            });
            if jit {
                vm.enable_tracing_jit();
            }
            let r = vm.run();
            (format!("{r:?}"), vm.frames[0].slots.clone(), vm.fuel_left())
        };
        let want = run(false);
        for _ in 0..12 {
            assert_eq!(run(true), want, "fuel {fuel}");
        }
    }
    // Enough fuel: the same result and the same fuel left.
    let small = loop_sum(300);
    let run = |jit: bool| {
        let mut vm = VM::new(small.clone());
        vm.set_limits(Limits {
            fuel: Some(10_000),
            ..Limits::default()
        });
        if jit {
            vm.enable_tracing_jit();
        }
        (format!("{:?}", vm.run()), vm.fuel_left())
    };
    let want = run(false);
    assert_eq!(want.1, Some(10_000 - 300));
    for _ in 0..12 {
        assert_eq!(run(true), want);
    }
}

/// Warms `endless` up (ten fuel-limited runs), then runs it without a budget natively and
/// interrupts it from another thread.
fn interrupt_native(endless: &Chunk) {
    for _ in 0..10 {
        let mut vm = VM::new(endless.clone());
        vm.set_limits(Limits {
            fuel: Some(100),
            ..Limits::default()
        });
        vm.enable_tracing_jit();
        assert!(matches!(vm.run(), VMResult::Error(_)));
    }
    let mut vm = VM::new(endless.clone());
    vm.enable_tracing_jit();
    let handle = vm.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    let r = vm.run();
    stopper.join().unwrap();
    assert!(matches!(r, VMResult::Error(_)), "{r:?}");
    assert_eq!(vm.last_error().map(|e| e.kind), Some(ErrorKind::Interrupted));
    assert!(JitCompiler::new().block_jit_is_compiled(endless));
}

#[test]
fn an_interrupt_stops_a_native_endless_loop() {
    // A plain back-edge.
    interrupt_native(&built(
        &[Op::LoadInt(1), Op::SetSlot(0), Op::PreIncSlotVoid(0), Op::Jump(2)],
        &[],
    ));
    // A while loop with a straight body (rotated and unrolled: one check per two
    // iterations).
    interrupt_native(&built(
        &[
            Op::LoadTrue, // 0: the test
            Op::JumpIfFalse(4),
            Op::PreIncSlotVoid(0),
            Op::Jump(0),
            Op::GetSlot(0),
        ],
        &[],
    ));
}

#[test]
fn limits_that_native_code_could_meet_keep_the_interpreter() {
    // PushFrame beyond the call-depth limit and a stack beyond max_stack are errors the
    // interpreter raises; with tracing on they are the same errors.
    let scopes = chunk(&[Op::PushFrame, Op::PushFrame, Op::LoadInt(1)]);
    for jit in [false, true] {
        for _ in 0..12 {
            let mut vm = VM::new(scopes.clone());
            vm.set_limits(Limits {
                max_call_depth: 2,
                ..Limits::default()
            });
            if jit {
                vm.enable_tracing_jit();
            }
            assert!(matches!(vm.run(), VMResult::Error(e) if e.contains("call depth")));
        }
    }
}

#[test]
fn values_pushed_before_the_run_are_left_alone() {
    // The chunk adds to a value pushed by the embedder: native code cannot see it, so it
    // hands back at the Add, and the interpreter does it.
    let c = chunk(&[Op::LoadInt(2), Op::Add, Op::LoadInt(1), Op::Sub]);
    for run in 0..12 {
        let mut vm = VM::new(c.clone());
        vm.push(Value::Int(40));
        vm.enable_tracing_jit();
        assert!(matches!(vm.run(), VMResult::Ok(Value::Int(41))), "run {run}");
        assert!(vm.stack.is_empty());
    }
}

#[test]
fn chunks_the_verifier_refuses_get_no_answer() {
    // Verification is remembered per content and function table: changing the table
    // changes the answer.
    let jit = JitCompiler::new();
    let mut c = built(&[Op::LoadInt(6), Op::LoadInt(7), Op::Mul], &[]);
    assert_eq!(jit.try_run_linear(&c, &[]), Some(Value::Int(42)));
    c.names.push("f".into());
    c.sub_entries.push((0, 99));
    assert_eq!(jit.try_run_linear(&c, &[]), None, "entry past the end");
    assert_eq!(jit.try_run_block_eager(&c, &mut []), None);
    c.sub_entries[0].1 = 1;
    assert_eq!(jit.try_run_linear(&c, &[]), Some(Value::Int(42)));
    assert_eq!(jit.try_run_block_eager(&c, &mut []), Some(42));
}
