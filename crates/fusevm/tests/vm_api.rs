//! VM-level behaviour through the public API: calls and frames, the deliberate fixes of
//! upstream quirks (top-level return, frame misuse, argc underflow), limits, interrupts,
//! handlers, builtins, re-entrancy and the structured error.

use fusevm::{ChunkBuilder, ErrorKind, Limits, Op, VMResult, Value, VM};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn run_ops(ops: &[Op]) -> (VMResult, VM) {
    let mut b = ChunkBuilder::new();
    for (i, op) in ops.iter().enumerate() {
        b.emit(*op, i as u32 + 1);
    }
    let mut vm = VM::new(b.build());
    let r = vm.run();
    (r, vm)
}

fn fib_chunk(n: i64) -> fusevm::Chunk {
    let mut b = ChunkBuilder::new();
    let fib = b.add_name("fib");
    b.emit(Op::LoadInt(n), 1);
    b.emit(Op::Call(fib, 1), 1);
    let skip = b.emit(Op::Jump(0), 1);
    let entry = b.current_pos();
    b.add_sub_entry(fib, entry);
    b.emit(Op::SetSlot(0), 2);
    b.emit(Op::GetSlot(0), 2);
    b.emit(Op::LoadInt(2), 2);
    b.emit(Op::NumLt, 2);
    let to_rec = b.emit(Op::JumpIfFalse(0), 2);
    b.emit(Op::GetSlot(0), 3);
    b.emit(Op::ReturnValue, 3);
    let rec = b.current_pos();
    b.patch_jump(to_rec, rec);
    b.emit(Op::GetSlot(0), 4);
    b.emit(Op::LoadInt(1), 4);
    b.emit(Op::Sub, 4);
    b.emit(Op::Call(fib, 1), 4);
    b.emit(Op::GetSlot(0), 4);
    b.emit(Op::LoadInt(2), 4);
    b.emit(Op::Sub, 4);
    b.emit(Op::Call(fib, 1), 4);
    b.emit(Op::Add, 4);
    b.emit(Op::ReturnValue, 4);
    let end = b.current_pos();
    b.patch_jump(skip, end);
    b.build()
}

#[test]
fn recursive_fib_returns_the_fibonacci_number() {
    let mut vm = VM::new(fib_chunk(20));
    assert!(matches!(vm.run(), VMResult::Ok(Value::Int(6765))));
    assert_eq!(vm.frames.len(), 1, "every call frame was popped");
    assert!(vm.stack.is_empty());
}

#[test]
fn top_level_return_value_halts_instead_of_rerunning() {
    // Upstream re-runs the chunk and returns Undef (quirk B1).
    let (r, _) = run_ops(&[Op::LoadInt(5), Op::SetSlot(0), Op::GetSlot(0), Op::ReturnValue]);
    assert!(matches!(r, VMResult::Ok(Value::Int(5))), "{r:?}");
}

#[test]
fn top_level_return_halts_with_the_stack_top() {
    let (r, vm) = run_ops(&[Op::LoadInt(7), Op::Return, Op::LoadInt(9)]);
    assert!(matches!(r, VMResult::Ok(Value::Int(7))), "{r:?}");
    assert_eq!(vm.ip, 2, "ip stops after the Return");
}

#[test]
fn call_with_more_arguments_than_the_stack_holds_is_an_error() {
    let mut b = ChunkBuilder::new();
    let f = b.add_name("f");
    b.emit(Op::Call(f, 3), 7);
    b.emit(Op::ReturnValue, 8);
    b.add_sub_entry(f, 1);
    let mut vm = VM::new(b.build());
    let VMResult::Error(text) = vm.run() else {
        panic!("expected an error")
    };
    let err = vm.last_error().expect("structured error");
    assert_eq!(err.kind, ErrorKind::StackUnderflow);
    assert_eq!((err.ip, err.line), (Some(0), Some(7)));
    assert!(text.contains("ip 0") && text.contains("line 7"), "{text}");
}

#[test]
fn undefined_function_error_keeps_upstreams_text_as_prefix() {
    let mut b = ChunkBuilder::new();
    let g = b.add_name("nosuch");
    b.emit(Op::Call(g, 0), 3);
    let mut vm = VM::new(b.build());
    let VMResult::Error(text) = vm.run() else {
        panic!("expected an error")
    };
    assert!(text.starts_with("undefined function: nosuch"), "{text}");
    assert_eq!(vm.last_error().unwrap().kind, ErrorKind::UndefinedFunction);
}

#[test]
fn fuel_allows_exactly_the_budget_of_back_edges() {
    // slot0 counts down from 10; each iteration takes one back-edge (9 back-edges).
    let prog = [
        Op::LoadInt(10),
        Op::SetSlot(0),
        Op::GetSlot(0), // 2
        Op::Dec,
        Op::Dup,
        Op::SetSlot(0),
        Op::JumpIfTrue(2),
        Op::GetSlot(0),
    ];
    for (fuel, ok) in [(9, true), (8, false), (0, false), (1000, true)] {
        let mut b = ChunkBuilder::new();
        for op in prog {
            b.emit(op, 1);
        }
        let mut vm = VM::new(b.build());
        vm.set_limits(Limits {
            fuel: Some(fuel),
            ..Limits::default()
        });
        let r = vm.run();
        if ok {
            assert!(matches!(r, VMResult::Ok(Value::Int(0))), "fuel {fuel}: {r:?}");
        } else {
            assert!(matches!(r, VMResult::Error(_)), "fuel {fuel}: {r:?}");
            assert_eq!(vm.last_error().unwrap().kind, ErrorKind::OutOfFuel);
        }
    }
}

#[test]
fn infinite_loop_is_stopped_by_an_interrupt_from_another_thread() {
    let mut b = ChunkBuilder::new();
    b.emit(Op::Jump(0), 1);
    let mut vm = VM::new(b.build());
    let handle = vm.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        handle.interrupt();
    });
    let r = vm.run();
    t.join().unwrap();
    assert!(matches!(r, VMResult::Error(_)));
    assert_eq!(vm.last_error().unwrap().kind, ErrorKind::Interrupted);
}

#[test]
fn deep_recursion_ends_with_a_depth_error() {
    let mut b = ChunkBuilder::new();
    let f = b.add_name("f");
    b.emit(Op::Call(f, 0), 1);
    b.add_sub_entry(f, 0);
    let mut vm = VM::new(b.build());
    vm.set_limits(Limits {
        max_call_depth: 1000,
        ..Limits::default()
    });
    assert!(matches!(vm.run(), VMResult::Error(_)));
    assert_eq!(vm.last_error().unwrap().kind, ErrorKind::CallDepth);
    assert_eq!(vm.frames.len(), 1000);
}

#[test]
fn string_append_loop_builds_the_whole_string() {
    let mut b = ChunkBuilder::new();
    let empty = b.add_constant(Value::str(""));
    let x = b.add_constant(Value::str("ab"));
    b.emit(Op::LoadConst(empty), 1);
    b.emit(Op::SetSlot(0), 1);
    b.emit(Op::LoadInt(0), 1);
    b.emit(Op::SetSlot(1), 1);
    let top = b.current_pos();
    b.emit(Op::GetSlot(0), 2);
    b.emit(Op::LoadConst(x), 2);
    b.emit(Op::Concat, 2);
    b.emit(Op::SetSlot(0), 2);
    b.emit(Op::SlotIncLtIntJumpBack(1, 1000, top), 2);
    b.emit(Op::GetSlot(0), 3);
    let mut vm = VM::new(b.build());
    let VMResult::Ok(Value::Str(s)) = vm.run() else {
        panic!()
    };
    assert_eq!(s.len(), 2000);
    assert!(s.starts_with("abab"));
}

#[test]
fn after_an_error_the_vm_stays_halted_until_reset() {
    // Upstream resumes after the failing Call on the next run (quirk B12).
    let mut b = ChunkBuilder::new();
    let g = b.add_name("missing");
    b.emit(Op::LoadInt(1), 1);
    b.emit(Op::Call(g, 0), 1);
    b.emit(Op::LoadInt(2), 1);
    let chunk = b.build();
    let mut vm = VM::new(chunk.clone());
    assert!(matches!(vm.run(), VMResult::Error(_)));
    assert!(
        matches!(vm.run(), VMResult::Ok(Value::Int(1))),
        "second run only pops"
    );
    assert!(matches!(vm.run(), VMResult::Halted));
    vm.reset(chunk);
    assert!(vm.last_error().is_none());
    assert!(matches!(vm.run(), VMResult::Error(_)));
}

#[test]
fn a_handler_that_replaces_the_chunk_continues_safely_in_the_new_one() {
    // Upstream keeps a dangling pointer to the old ops (quirk B10).
    let mut b = ChunkBuilder::new();
    b.emit(Op::Extended(0, 0), 1);
    b.emit(Op::LoadInt(999), 1);
    let mut vm = VM::new(b.build());
    vm.set_extension_handler(Box::new(|vm, _, _| {
        let mut nb = ChunkBuilder::new();
        nb.emit(Op::LoadInt(40), 1);
        nb.emit(Op::LoadInt(2), 1);
        nb.emit(Op::Add, 1);
        vm.chunk = nb.build();
        vm.ip = 0;
    }));
    assert!(matches!(vm.run(), VMResult::Ok(Value::Int(42))));
}

#[test]
fn a_replaced_chunk_is_verified_before_it_runs() {
    let mut b = ChunkBuilder::new();
    b.emit(Op::Extended(0, 0), 1);
    let mut vm = VM::new(b.build());
    vm.set_extension_handler(Box::new(|vm, _, _| {
        vm.chunk.ops = vec![Op::LoadConst(7)];
        vm.ip = 0;
    }));
    let VMResult::Error(text) = vm.run() else {
        panic!("expected a verify error")
    };
    assert!(text.starts_with("invalid chunk:"), "{text}");
    assert_eq!(vm.last_error().unwrap().kind, ErrorKind::Verify);
}

#[test]
fn a_handler_installed_from_inside_a_handler_is_kept() {
    // Upstream overwrites it when the outer call returns (quirk B16).
    let mut b = ChunkBuilder::new();
    b.emit(Op::Extended(0, 0), 1);
    b.emit(Op::Extended(0, 0), 1);
    let mut vm = VM::new(b.build());
    vm.set_extension_handler(Box::new(|vm, _, _| {
        vm.push(Value::Int(1));
        vm.set_extension_handler(Box::new(|vm, _, _| vm.push(Value::Int(2))));
    }));
    assert!(matches!(vm.run(), VMResult::Ok(Value::Int(2))));
    assert!(matches!(vm.stack.as_slice(), [Value::Int(1)]));
}

#[test]
fn handlers_see_the_public_state_and_can_halt() {
    fn builtin(vm: &mut VM, argc: u8) -> Value {
        let a = vm.pop().to_int();
        let b = vm.pop().to_int();
        vm.request_halt();
        Value::Int(a * b + argc as i64 + vm.frames[0].slots[0].to_int())
    }
    let mut b = ChunkBuilder::new();
    b.emit(Op::LoadInt(100), 1);
    b.emit(Op::SetSlot(0), 1);
    b.emit(Op::LoadInt(6), 1);
    b.emit(Op::LoadInt(7), 1);
    b.emit(Op::CallBuiltin(3, 2), 1);
    b.emit(Op::LoadInt(-1), 1);
    let mut vm = VM::new(b.build());
    vm.register_builtin(3, builtin);
    assert!(
        matches!(vm.run(), VMResult::Ok(Value::Int(144))),
        "6*7 + 2 + slot 100, then halt"
    );
    assert!(matches!(vm.run(), VMResult::Halted), "halt persists until reset");
}

#[test]
fn full_pools_refuse_instead_of_wrapping() {
    let mut b = ChunkBuilder::new();
    for i in 0..65_536 {
        assert_eq!(b.try_add_constant(Value::Int(i)), Ok(i as u16));
    }
    let err = b.try_add_constant(Value::Int(0)).unwrap_err();
    assert_eq!(err.pool, "constant");
    let panic = std::panic::catch_unwind(move || {
        let mut b = b;
        b.add_constant(Value::Undef)
    });
    let msg = panic.unwrap_err().downcast::<String>().unwrap();
    assert!(msg.contains("constant pool is full"), "{msg}");
}

#[test]
fn pool_recycles_vms_and_keeps_their_handlers() {
    fn seven(_: &mut VM, _: u8) -> Value {
        Value::Int(7)
    }
    let mut pool = fusevm::VMPool::with_capacity(2);
    let mut b = ChunkBuilder::new();
    b.emit(Op::CallBuiltin(1, 0), 1);
    let chunk = b.build();
    let mut vm = pool.acquire(chunk.clone());
    vm.register_builtin(1, seven);
    pool.release(vm);
    assert_eq!(pool.len(), 1);
    let r = pool.with(chunk, |vm| vm.run());
    assert!(matches!(r, VMResult::Ok(Value::Int(7))));
    assert_eq!(pool.len(), 1);
}

/// While a run is in progress frames are register windows; a handler must still see (and
/// may edit) upstream's public view: one `Frame` per open frame, each with its own slots.
#[test]
fn handlers_see_and_edit_every_frames_slots_at_depth() {
    // main: slot0 = 100; f(7); slot0 ; f: slot0 = arg, slot1 = arg * 2; g(); slot0 + slot1
    // g: slot0 = 5; extended 0 (inspects, then edits f's slot 1); return
    let mut b = ChunkBuilder::new();
    let (f, g) = (b.add_name("f"), b.add_name("g"));
    for op in [
        Op::LoadInt(100),
        Op::SetSlot(0),
        Op::LoadInt(7),
        Op::Call(f, 1),
        Op::GetSlot(0),
        Op::Add,
    ] {
        b.emit(op, 1);
    }
    let skip = b.emit(Op::Jump(0), 1);
    b.add_sub_entry(f, b.current_pos());
    for op in [
        Op::SetSlot(0),
        Op::GetSlot(0),
        Op::LoadInt(2),
        Op::Mul,
        Op::SetSlot(1),
        Op::Call(g, 0),
        Op::Pop,
        Op::GetSlot(0),
        Op::GetSlot(1),
        Op::Add,
        Op::ReturnValue,
    ] {
        b.emit(op, 2);
    }
    b.add_sub_entry(g, b.current_pos());
    for op in [
        Op::LoadInt(5),
        Op::SetSlot(0),
        Op::Extended(0, 0),
        Op::LoadUndef,
        Op::ReturnValue,
    ] {
        b.emit(op, 3);
    }
    let end = b.current_pos();
    b.patch_jump(skip, end);
    let mut vm = VM::new(b.build());
    vm.set_extension_handler(Box::new(|vm, _, _| {
        let seen: Vec<Vec<i64>> = vm
            .frames
            .iter()
            .map(|f| f.slots.iter().map(Value::to_int).collect())
            .collect();
        assert_eq!(seen, vec![vec![100], vec![7, 14], vec![5]]);
        assert_eq!(vm.frames[1].stack_base, 0, "f's argument was the first value");
        vm.frames[1].slots[1] = Value::Int(1000);
        vm.frames[2].slots.push(Value::Int(6)); // a slot g never wrote: harmless
    }));
    // f returns 7 + 1000 (the edit), main adds its own slot 0.
    assert!(matches!(vm.run(), VMResult::Ok(Value::Int(1107))));
    assert_eq!(vm.frames.len(), 1);
    assert_eq!(vm.frames[0].slots.len(), 1);
}

/// `count(n)`: `n == 0 ? 40 : count(n - 1)` with the recursive call in tail position
/// (`call; return_value`), entered from `main` through `wrap`, whose tail call sits inside a
/// `push_frame` scope; `main` itself ends with a top-level `call; return_value`. The
/// interpreter threads the chained returns; results, the scope's closing and profiled op
/// counts must be exactly those of one return per frame.
fn tail_calls() -> fusevm::Chunk {
    fusevm::asm::assemble(
        "
        load_int 7
        call wrap, 1
        return_value
.func wrap
        set_slot 0
        get_slot 0
        push_frame
        call count, 1
        return_value
.func count
        set_slot 0
        get_slot 0
        load_int 0
        num_eq
        jump_if_false more
        load_int 40
        return_value
more:   get_slot 0
        load_int 1
        sub
        call count, 1
        return_value
",
        "tail_calls.fasm",
    )
    .expect("assembles")
}

#[test]
fn chained_returns_in_tail_position_are_exact() {
    for fusion in [true, false] {
        let mut vm = VM::new(tail_calls());
        vm.set_fusion(fusion);
        vm.push(Value::Int(-1)); // below the run's values: must survive every return
        assert!(
            matches!(vm.run(), VMResult::Ok(Value::Int(40))),
            "fusion {fusion}"
        );
        assert_eq!(vm.frames.len(), 1, "every frame and the scope closed");
        assert_eq!(vm.stack.len(), 1);
        assert!(matches!(vm.stack[0], Value::Int(-1)));
    }
    let mut profile = fusevm::profile::Profile::new();
    let mut vm = VM::new(tail_calls());
    assert!(matches!(
        vm.run_profiled(&mut profile),
        VMResult::Ok(Value::Int(40))
    ));
    let returns = profile.op_counts[Op::ReturnValue.opcode() as usize];
    // count(7..=0): 8 returns, wrap's, main's.
    assert_eq!(returns, 10, "a profiled run counts every return_value");
    assert_eq!(profile.op_counts[Op::Call(0, 0).opcode() as usize], 9);
}

/// `f(n) = n < 2 ? base[n] : f(n - 1) + f(n - 2)`, the bases given as assembly operands.
/// The second call's `add; return_value` is threaded into the return that brings its value
/// (Int + Int only; any other pair takes the ops one by one).
fn two_term_recursion(base0: &str, base1: &str, n: i64) -> fusevm::Chunk {
    let src = format!(
        "
        load_int {n}
        call f, 1
        return_value
.func f
        set_slot 0
        get_slot 0
        load_int 0
        num_eq
        jump_if_false not_zero
        {base0}
        return_value
not_zero:
        get_slot 0
        load_int 1
        num_eq
        jump_if_false recurse
        {base1}
        return_value
recurse:
        get_slot 0
        load_int 1
        sub
        call f, 1
        get_slot 0
        load_int 2
        sub
        call f, 1
        add
        return_value
"
    );
    fusevm::asm::assemble(&src, "two_term.fasm").expect("assembles")
}

/// A number as the pair rule computes it: Int + Int wraps, anything else is Float.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Int(i64),
    Float(f64),
}

fn two_term_expected(base0: Num, base1: Num, n: i64) -> Num {
    let add = |a: Num, b: Num| match (a, b) {
        (Num::Int(x), Num::Int(y)) => Num::Int(x.wrapping_add(y)),
        (Num::Int(x), Num::Float(y)) => Num::Float(x as f64 + y),
        (Num::Float(x), Num::Int(y)) => Num::Float(x + y as f64),
        (Num::Float(x), Num::Float(y)) => Num::Float(x + y),
    };
    let (mut a, mut b) = (base0, base1); // f(0), f(1)
    if n == 0 {
        return a;
    }
    for _ in 1..n {
        (a, b) = (b, add(b, a));
    }
    b
}

#[test]
fn threaded_add_returns_match_the_pair_rule() {
    let cases = [
        ("load_int 0", Num::Int(0), "load_int 1", Num::Int(1)),
        // Sums past i64::MAX wrap, as `add` does.
        (
            "load_int 4611686018427387904",
            Num::Int(1 << 62),
            "load_int 4611686018427387904",
            Num::Int(1 << 62),
        ),
        // Mixed pairs leave the Int path at every level.
        ("load_int 1", Num::Int(1), "load_float 0.5", Num::Float(0.5)),
        ("load_float 0.25", Num::Float(0.25), "load_int 3", Num::Int(3)),
    ];
    for (src0, base0, src1, base1) in cases {
        let n = 16;
        let expected = two_term_expected(base0, base1, n);
        for fusion in [true, false] {
            let mut vm = VM::new(two_term_recursion(src0, src1, n));
            vm.set_fusion(fusion);
            let got = match vm.run() {
                VMResult::Ok(Value::Int(x)) => Num::Int(x),
                VMResult::Ok(Value::Float(x)) => Num::Float(x),
                other => panic!("{src0} / {src1}, fusion {fusion}: {other:?}"),
            };
            assert_eq!(got, expected, "{src0} / {src1}, fusion {fusion}");
            assert_eq!(vm.frames.len(), 1);
            assert!(vm.stack.is_empty(), "{src0} / {src1}: {:?}", vm.stack);
        }
    }
    // Strings are not Ints: `add` reads them through `to_float` (("3" + "2") + "3").
    let mut vm = VM::new(two_term_recursion("load_const \"2\"", "load_const \"3\"", 3));
    assert!(matches!(vm.run(), VMResult::Ok(Value::Float(x)) if x == 8.0));
    // A profiled run still counts each `add` and `return_value` once per execution.
    let mut profile = fusevm::profile::Profile::new();
    let mut vm = VM::new(two_term_recursion("load_int 0", "load_int 1", 10));
    assert!(matches!(
        vm.run_profiled(&mut profile),
        VMResult::Ok(Value::Int(55))
    ));
    // f(10) makes 177 calls, 88 of them with n >= 2 (each adds once).
    assert_eq!(profile.op_counts[Op::Add.opcode() as usize], 88);
    assert_eq!(profile.op_counts[Op::ReturnValue.opcode() as usize], 178);
}

/// `down(n)`: three slots per frame, a handler call at every level, then `down(n - 1)`,
/// and on the way back the frame's own slots summed. Frames a handler has seen live in the
/// public `frames` until the run returns into them; the slots and the stack limit must not
/// notice the difference.
fn recursion_with_handler_calls() -> fusevm::Chunk {
    fusevm::asm::assemble(
        "
        load_int 200
        call down, 1
        return_value
.func down
        set_slot 0
        get_slot 0
        set_slot 1
        get_slot 0
        load_int 2
        mul
        set_slot 2
        extended 0, 0
        get_slot 0
        load_int 0
        num_eq
        jump_if_false more
        load_int 0
        return_value
more:   get_slot 0
        load_int 1
        sub
        call down, 1
        get_slot 1
        add
        get_slot 2
        add
        return_value
",
        "recursion_with_handler_calls.fasm",
    )
    .expect("assembles")
}

#[test]
fn handler_calls_at_every_depth_keep_each_frames_slots() {
    for with_handler in [false, true] {
        let mut vm = VM::new(recursion_with_handler_calls());
        let seen = Arc::new(AtomicUsize::new(0));
        if with_handler {
            let seen = seen.clone();
            vm.set_extension_handler(Box::new(move |vm, _, _| {
                // Every open frame is visible with its own slots: down(200 - k) at depth k + 1.
                let k = seen.fetch_add(1, Ordering::Relaxed);
                let n = vm.frames.len() - 1;
                assert_eq!(n, k + 1, "one more frame per level");
                let top = &vm.frames[n].slots;
                assert_eq!(top.len(), 3, "at depth {n}");
                assert_eq!(top[0].to_int(), 200 - k as i64);
                assert_eq!(top[2].to_int(), 2 * top[0].to_int());
                assert_eq!(vm.frames[1].slots[0].to_int(), 200);
            }));
        }
        // sum over n = 1..=200 of 3n.
        let expected = 3 * 200 * 201 / 2;
        assert!(matches!(vm.run(), VMResult::Ok(Value::Int(v)) if v == expected));
        assert_eq!(vm.frames.len(), 1);
        let calls = if with_handler { 201 } else { 0 };
        assert_eq!(
            seen.load(Ordering::Relaxed),
            calls,
            "down(200..=0) each call it once"
        );
    }
}

#[test]
fn the_stack_limit_counts_the_slots_of_frames_a_handler_has_seen() {
    // 201 frames of 3 slots: 603 values, over a limit of 500, with or without handlers.
    for with_handler in [false, true] {
        let mut vm = VM::new(recursion_with_handler_calls());
        vm.set_limits(Limits {
            max_stack: 500,
            ..Limits::default()
        });
        if with_handler {
            vm.set_extension_handler(Box::new(|_, _, _| {}));
        }
        assert!(matches!(vm.run(), VMResult::Error(_)));
        let err = vm.last_error().expect("an error");
        assert_eq!(
            err.kind,
            ErrorKind::StackOverflow,
            "handler {with_handler}: {err}"
        );
    }
}

#[test]
fn a_return_inside_a_scope_closes_it_after_handler_calls_too() {
    // f opens a scope, calls handlers and g, then returns from inside the scope: the scope
    // closes and f returns. After a handler call the scope is a public frame again, whose
    // kind the VM reads from its return ip.
    let chunk = fusevm::asm::assemble(
        "
        load_int 100
        call f, 0
        add
        return_value
.func f
        push_frame
        load_int 5
        set_slot 0
        extended 0, 0
        call g, 0
        pop
        get_slot 0
        return_value
.func g
        extended 0, 0
        load_int 1
        return_value
",
        "scope_return.fasm",
    )
    .expect("assembles");
    for with_handler in [false, true] {
        let mut vm = VM::new(chunk.clone());
        let seen = Arc::new(AtomicUsize::new(0));
        if with_handler {
            let seen = seen.clone();
            vm.set_extension_handler(Box::new(move |vm, _, _| {
                // First in f's scope (main, f, the scope), then in g (one frame more).
                let k = seen.fetch_add(1, Ordering::Relaxed);
                assert_eq!(vm.frames.len(), 3 + k);
            }));
        }
        assert!(
            matches!(vm.run(), VMResult::Ok(Value::Int(105))),
            "handler {with_handler}"
        );
        assert_eq!(vm.frames.len(), 1);
        assert!(vm.stack.is_empty());
        assert_eq!(seen.load(Ordering::Relaxed), if with_handler { 2 } else { 0 });
    }
}
