//! A tour of fusevm in nine short sections: build bytecode with `ChunkBuilder`, run it on a
//! `VM`, and meet calls, fused superinstructions, strings, hashes, frontend extension ops,
//! builtins, structured runtime errors and fuel limits.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```
//!
//! Every printed value is also checked with `assert!`, so the tour fails loudly instead of
//! printing a wrong answer. Timings are wall-clock and only indicative (run with
//! `--release`; a debug build is many times slower).

use fusevm::{Chunk, ChunkBuilder, ErrorKind, Limits, Op, VMResult, Value, VM};
use std::time::{Duration, Instant};

fn main() {
    usage();
    recursive_fib();
    fused_loop();
    string_appends();
    hash_count();
    extension_op();
    builtin();
    runtime_error();
    fuel_limit();
    println!("\nall sections passed");
}

/// Runs `chunk` on a fresh VM and returns its result value, panicking on anything else.
fn run(chunk: Chunk) -> Value {
    let mut vm = VM::new(chunk);
    match vm.run() {
        VMResult::Ok(v) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

/// Runs `chunk` and also returns how long `run()` took.
fn run_timed(chunk: Chunk) -> (Value, Duration) {
    let mut vm = VM::new(chunk);
    let start = Instant::now();
    let result = vm.run();
    let elapsed = start.elapsed();
    match result {
        VMResult::Ok(v) => (v, elapsed),
        other => panic!("expected a value, got {other:?}"),
    }
}

fn section(title: &str) {
    println!("\n== {title}");
}

/// Section 1: The README's first program: push 40, push 2, add.
fn usage() {
    section("1. usage: 40 + 2");
    let mut builder = ChunkBuilder::new();
    // `emit(op, line)`: the line number is only used in error messages.
    builder.emit(Op::LoadInt(40), 1);
    builder.emit(Op::LoadInt(2), 1);
    builder.emit(Op::Add, 1);
    let chunk = builder.build();

    let mut vm = VM::new(chunk);
    let printed = match vm.run() {
        VMResult::Ok(val) => format!("result: {}", val.to_str()),
        VMResult::Error(e) => format!("error: {e}"),
        VMResult::Halted => String::from("(halted with an empty stack)"),
    };
    println!("{printed}");
    assert_eq!(printed, "result: 42");
}

/// Section 2: Functions are regions of the same op list: `Call(name, argc)` enters one, arguments
/// stay on the stack, and the callee moves them into its own slots.
fn recursive_fib() {
    section("2. recursive fib(25) with Call / ReturnValue");
    let n = 25;
    let mut b = ChunkBuilder::new();
    let fib = b.add_name("fib");
    b.emit(Op::LoadInt(n), 1);
    b.emit(Op::Call(fib, 1), 1);
    let skip_body = b.emit(Op::Jump(0), 1); // patched below: jump over the function body

    // fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
    b.add_sub_entry(fib, b.current_pos());
    b.emit(Op::SetSlot(0), 2); // n -> slot 0
    b.emit(Op::GetSlot(0), 3);
    b.emit(Op::LoadInt(2), 3);
    b.emit(Op::NumLt, 3);
    let to_recursion = b.emit(Op::JumpIfFalse(0), 3);
    b.emit(Op::GetSlot(0), 3);
    b.emit(Op::ReturnValue, 3);
    b.patch_jump(to_recursion, b.current_pos());
    for k in [1, 2] {
        b.emit(Op::GetSlot(0), 4);
        b.emit(Op::LoadInt(k), 4);
        b.emit(Op::Sub, 4);
        b.emit(Op::Call(fib, 1), 4);
    }
    b.emit(Op::Add, 4);
    b.emit(Op::ReturnValue, 4);
    b.patch_jump(skip_body, b.current_pos());

    let (value, took) = run_timed(b.build());
    let calls = 242_785; // fib(25) makes 2 * fib(26) - 1 calls
    println!(
        "fib({n}) = {}  ({calls} calls in {:.2?}, {:.1} ns per call)",
        value.to_str(),
        took,
        took.as_nanos() as f64 / calls as f64
    );
    assert_eq!(value, Value::Int(75_025));
}

/// Section 3: The same loop twice: generic ops, then one fused superinstruction.
fn fused_loop() {
    section("3. sum of 1..=1_000_000: generic ops vs the fused AccumSumLoop");
    const N: i64 = 1_000_000;
    const SUM: u16 = 0;
    const I: u16 = 1;

    // sum = 0; i = 1; while i <= N { sum = sum + i; i = i + 1 }
    let mut b = ChunkBuilder::new();
    b.emit(Op::LoadInt(0), 1);
    b.emit(Op::SetSlot(SUM), 1);
    b.emit(Op::LoadInt(1), 1);
    b.emit(Op::SetSlot(I), 1);
    let top = b.current_pos();
    b.emit(Op::GetSlot(I), 2);
    b.emit(Op::LoadInt(N), 2);
    b.emit(Op::NumLe, 2);
    let exit = b.emit(Op::JumpIfFalse(0), 2);
    for op in [Op::GetSlot(SUM), Op::GetSlot(I), Op::Add, Op::SetSlot(SUM)] {
        b.emit(op, 3);
    }
    for op in [Op::GetSlot(I), Op::LoadInt(1), Op::Add, Op::SetSlot(I)] {
        b.emit(op, 4);
    }
    b.emit(Op::Jump(top), 4);
    b.patch_jump(exit, b.current_pos());
    b.emit(Op::GetSlot(SUM), 5);
    let (unfused, unfused_took) = run_timed(b.build());

    // AccumSumLoop(sum, i, limit): while i < limit { sum += i; i += 1 } in one op.
    let mut b = ChunkBuilder::new();
    b.emit(Op::LoadInt(0), 1);
    b.emit(Op::SetSlot(SUM), 1);
    b.emit(Op::LoadInt(1), 1);
    b.emit(Op::SetSlot(I), 1);
    b.emit(Op::AccumSumLoop(SUM, I, N as i32 + 1), 2);
    b.emit(Op::GetSlot(SUM), 3);
    let (fused, fused_took) = run_timed(b.build());

    let per_iter = |d: Duration| d.as_nanos() as f64 / N as f64;
    println!(
        "unfused: {}  in {:.2?} ({:.2} ns per iteration)",
        unfused.to_str(),
        unfused_took,
        per_iter(unfused_took)
    );
    println!(
        "fused:   {}  in {:.2?} ({:.2} ns per iteration)",
        fused.to_str(),
        fused_took,
        per_iter(fused_took)
    );
    let speedup = unfused_took.as_secs_f64() / fused_took.as_secs_f64().max(1e-9);
    println!("the fused op is {speedup:.0}x faster here");
    assert_eq!(unfused, Value::Int(500_000_500_000));
    assert_eq!(fused, Value::Int(500_000_500_000));
}

/// Section 4: `Concat` converts its operands to strings; `s = s . x` grows the string in place.
fn string_appends() {
    section("4. a string built by appends");
    const S: u16 = 0;
    const I: u16 = 1;
    let mut b = ChunkBuilder::new();
    let empty = b.add_constant(Value::str(""));
    b.emit(Op::LoadConst(empty), 1);
    b.emit(Op::SetSlot(S), 1);
    b.emit(Op::LoadInt(0), 1);
    b.emit(Op::SetSlot(I), 1);
    // do { s = s . i } while (++i < 10)
    let body = b.current_pos();
    for op in [Op::GetSlot(S), Op::GetSlot(I), Op::Concat, Op::SetSlot(S)] {
        b.emit(op, 2);
    }
    b.emit(Op::SlotIncLtIntJumpBack(I, 10, body), 2);
    b.emit(Op::GetSlot(S), 3);
    let s = run(b.build());
    println!("s = {:?}", s.to_str());
    assert_eq!(s, Value::str("0123456789"));
}

/// Section 5: Counting words in a global hash: `HashGet` / `Inc` / `HashSet`.
fn hash_count() {
    section("5. counting words in a hash");
    const W: u16 = 0; // loop index slot
    let mut b = ChunkBuilder::new();
    let words = b.add_name("words"); // names are also global-variable indices
    let counts = b.add_name("counts");
    let text = b.add_constant(Value::str("apple banana apple cherry banana apple"));
    // words = split(text); counts = {}
    b.emit(Op::LoadConst(text), 1);
    b.emit(Op::WordSplit, 1);
    b.emit(Op::SetArray(words), 1);
    b.emit(Op::DeclareHash(counts), 1);
    b.emit(Op::LoadInt(0), 1);
    b.emit(Op::SetSlot(W), 1);
    // while w < len(words) { counts[words[w]] += 1; w += 1 }
    let top = b.current_pos();
    b.emit(Op::GetSlot(W), 2);
    b.emit(Op::ArrayLen(words), 2);
    b.emit(Op::NumLt, 2);
    let exit = b.emit(Op::JumpIfFalse(0), 2);
    b.emit(Op::GetSlot(W), 3);
    b.emit(Op::ArrayGet(words), 3); // [word]
    b.emit(Op::Dup, 3); // [word, word]
    b.emit(Op::HashGet(counts), 3); // [word, count] (Undef the first time)
    b.emit(Op::Inc, 3); // Inc always yields an Int: Undef -> 1
    b.emit(Op::Swap, 3); // [count + 1, word]: HashSet wants the key on top
    b.emit(Op::HashSet(counts), 3);
    b.emit(Op::PreIncSlotVoid(W), 3);
    b.emit(Op::Jump(top), 3);
    b.patch_jump(exit, b.current_pos());
    // [counts["apple"], counts["banana"], counts["cherry"]]
    for word in ["apple", "banana", "cherry"] {
        let k = b.add_constant(Value::str(word));
        b.emit(Op::LoadConst(k), 4);
        b.emit(Op::HashGet(counts), 4);
    }
    b.emit(Op::MakeArray(3), 4);
    let result = run(b.build());
    println!("apple, banana, cherry counted: {}", result.to_str());
    assert_eq!(
        result,
        Value::array(vec![Value::Int(3), Value::Int(2), Value::Int(1)])
    );
}

/// Section 6: `Extended(id, arg)` is an op the VM leaves to the frontend: one handler closure
/// receives every such op and works on the VM directly.
fn extension_op() {
    section("6. a frontend op via Extended + set_extension_handler");
    const PUSH_ARG: u16 = 0;
    const SQUARE: u16 = 1;
    let mut b = ChunkBuilder::new();
    b.emit(Op::Extended(PUSH_ARG, 7), 1);
    b.emit(Op::Extended(SQUARE, 0), 1);
    let mut vm = VM::new(b.build());
    vm.set_extension_handler(Box::new(|vm, id, arg| match id {
        PUSH_ARG => vm.push(Value::Int(i64::from(arg))),
        SQUARE => {
            let x = vm.pop().to_int();
            vm.push(Value::Int(x * x));
        }
        _ => {}
    }));
    let result = vm.run();
    println!("Extended(push 7), Extended(square) -> {result:?}");
    assert!(matches!(result, VMResult::Ok(Value::Int(49))));
}

/// Section 7: `CallBuiltin(id, argc)` calls a plain function registered under `id`; it pops its
/// own arguments and returns the value the VM pushes.
fn builtin() {
    section("7. a builtin via register_builtin + CallBuiltin");
    fn max_of(vm: &mut VM, argc: u8) -> Value {
        let args: Vec<i64> = (0..argc).map(|_| vm.pop().to_int()).collect();
        args.into_iter().max().map_or(Value::Undef, Value::Int)
    }
    const MAX: u16 = 0;
    let mut b = ChunkBuilder::new();
    for n in [3, 9, 4] {
        b.emit(Op::LoadInt(n), 1);
    }
    b.emit(Op::CallBuiltin(MAX, 3), 1);
    let mut vm = VM::new(b.build());
    vm.register_builtin(MAX, max_of);
    let result = vm.run();
    println!("max(3, 9, 4) -> {result:?}");
    assert!(matches!(result, VMResult::Ok(Value::Int(9))));
}

/// Section 8: A failing run returns `VMResult::Error(text)`; `last_error()` has the details.
fn runtime_error() {
    section("8. a runtime error and its structured last_error()");
    let mut b = ChunkBuilder::new();
    let missing = b.add_name("no_such_function");
    b.emit(Op::LoadInt(1), 10);
    b.emit(Op::Call(missing, 1), 11); // ip 1, source line 11
    let mut vm = VM::new(b.build());
    let result = vm.run();
    println!("run() -> {result:?}");
    assert!(
        matches!(&result, VMResult::Error(text) if text.starts_with("undefined function: no_such_function"))
    );
    let err = vm.last_error().expect("a failed run leaves its error");
    println!(
        "kind = {} ({:?}), ip = {:?}, line = {:?}",
        err.kind.name(),
        err.kind,
        err.ip,
        err.line
    );
    println!("message = {:?}", err.message);
    assert_eq!(err.kind, ErrorKind::UndefinedFunction);
    assert_eq!(err.ip, Some(1));
    assert_eq!(err.line, Some(11));
}

/// Section 9: Untrusted bytecode can loop forever; a fuel budget turns that into an error.
fn fuel_limit() {
    section("9. an infinite loop stopped by a fuel limit");
    let mut b = ChunkBuilder::new();
    b.emit(Op::Nop, 1);
    b.emit(Op::Jump(0), 1); // loops forever
    let mut vm = VM::new(b.build());
    vm.set_limits(Limits {
        fuel: Some(10_000),
        ..Limits::default()
    });
    let result = vm.run();
    println!("run() -> {result:?}");
    assert!(matches!(result, VMResult::Error(_)));
    let err = vm.last_error().expect("a failed run leaves its error");
    println!("kind = {}, ip = {:?}", err.kind.name(), err.ip);
    assert_eq!(err.kind, ErrorKind::OutOfFuel);
}
