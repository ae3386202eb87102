//! Automatic fusion is exact: every superinstruction against the op sequence its template
//! names (table-driven, on ints, floats, strings, undef, bools and overflow edges), and
//! random programs run fused and unfused with identical results, errors, stacks, slots and
//! fuel.

use fusevm::asm::{assemble, format_value};
use fusevm::fusion::{self, SUPERINSTRUCTIONS};
use fusevm::{Chunk, Limits, VMResult, Value, VM};
use proptest::prelude::*;

/// Everything observable after a run.
#[derive(Debug, PartialEq)]
struct Observed {
    result: String,
    error_kind: Option<&'static str>,
    error_ip: Option<usize>,
    stack: Vec<String>,
    slots: Vec<String>,
    globals: Vec<String>,
    fuel_left: Option<u64>,
}

fn show(v: &Value) -> String {
    // Bits, not `==`: NaN must equal NaN and 0.0 must differ from -0.0.
    match v {
        Value::Float(f) => format!("float-bits:{:x}", f.to_bits()),
        other => format_value(other),
    }
}

/// `show`, with arrays element by element and hashes as sorted entries (their iteration
/// order is not defined).
fn show_deep(v: &Value) -> String {
    match v {
        Value::Array(items) => format!("[{}]", items.iter().map(show_deep).collect::<Vec<_>>().join(", ")),
        Value::Hash(h) => {
            let mut entries: Vec<String> = h
                .iter()
                .map(|(k, v)| format!("{k:?}: {}", show_deep(v)))
                .collect();
            entries.sort();
            format!("{{{}}}", entries.join(", "))
        }
        other => show(other),
    }
}

fn observe(chunk: &Chunk, fused: bool, fuel: u64) -> Observed {
    let limits = Limits {
        fuel: Some(fuel),
        ..Limits::default()
    };
    observe_under(chunk, fused, limits)
}

fn observe_under(chunk: &Chunk, fused: bool, limits: Limits) -> Observed {
    let mut vm = VM::new(chunk.clone());
    vm.set_fusion(fused);
    vm.set_limits(limits);
    let result = match vm.run() {
        VMResult::Ok(v) => show(&v),
        VMResult::Halted => "halted".into(),
        VMResult::Error(e) => format!("error: {e}"),
    };
    Observed {
        result,
        error_kind: vm.last_error().map(|e| e.kind.name()),
        error_ip: vm.last_error().and_then(|e| e.ip),
        stack: vm.stack.iter().map(show).collect(),
        slots: vm.frames[0].slots.iter().map(show).collect(),
        globals: vm.globals.iter().map(show_deep).collect(),
        fuel_left: vm.fuel_left(),
    }
}

/// Asserts that fusion puts `name` into `chunk` (at op `ip` when given): the case under
/// test must really exercise the superinstruction.
fn assert_fuses(chunk: &Chunk, name: &str, ip: Option<usize>) {
    let sites = fusion::plan(chunk);
    assert!(
        sites
            .iter()
            .any(|s| s.name == name && ip.is_none_or(|ip| s.ip == ip)),
        "{name} not fused (at {ip:?}); sites: {sites:?}"
    );
}

fn assert_same(chunk: &Chunk, what: &str) {
    let fused = observe(chunk, true, 10_000);
    let plain = observe(chunk, false, 10_000);
    assert_eq!(fused, plain, "fused and unfused runs differ for {what}");
}

/// Operand values of every kind, as assembly literals.
const VALUES: &[&str] = &[
    "0",
    "1",
    "-7",
    "9223372036854775807",
    "-9223372036854775808",
    "2.5",
    "-0.0",
    "nan",
    "inf",
    "\"12\"",
    "\"abc\"",
    "undef",
    "true",
];

/// Integer constants for `{k}` fields: zero, small, and the i32 edges.
const CONSTANTS: &[i64] = &[0, 1, -1, 3, i32::MAX as i64, i32::MIN as i64];
/// The same for templates with an `i16` field (every constant field gets `k`).
const CONSTANTS_I16: &[i64] = &[0, 1, -1, 3, i16::MAX as i64, i16::MIN as i64];

/// The program for one superinstruction on one input: slots 0 and 1 and two stack values
/// hold the inputs, then the template (fields: slots 0, 1, 2; constant `k`; constant-pool
/// index 1, which holds `b`; the target `out`), then markers that show which way a branch
/// went.
/// Global `g` is an array `[10, a, "x"]` for templates on arrays, a hash `{"12": 5,
/// "1": -3}` for templates on hashes (so a key from the inputs may or may not be there);
/// templates with a call call `f`, which joins its two arguments.
fn program(template: &str, fields: &[(&str, &str)], a: &str, b: &str, k: i64) -> (String, usize) {
    let mut prelude = vec![
        "load_const 0",
        "set_slot 0",
        "load_const 1",
        "set_slot 1",
        "load_const 0",
        "load_const 1",
    ];
    if template.contains("array_") {
        prelude.extend([
            "declare_array g",
            "load_int 10",
            "array_push g",
            "load_const 0",
            "array_push g",
            "load_const 2",
            "array_push g",
        ]);
    }
    if template.contains("hash_") {
        prelude.extend([
            "declare_hash g",
            "load_int 5",
            "load_const 3",
            "hash_set g",
            "load_int -3",
            "load_const 4",
            "hash_set g",
        ]);
    }
    let mut text = format!(".const {a}\n.const {b}\n.const \"x\"\n.const \"12\"\n.const \"1\"\n");
    for op in &prelude {
        text.push_str(&format!("    {op}\n"));
    }
    let mut slot = 0;
    let mut line = template.to_string();
    for (i, (name, ty)) in fields.iter().enumerate() {
        let value = match (*name, *ty) {
            ("target", _) => "out".to_string(),
            ("constant", _) => "1".to_string(),
            ("global", _) => "g".to_string(),
            ("function", _) => "f".to_string(),
            // Two arguments fill `f`'s prologue (the call moves them); one does not.
            ("argc", _) => (1 + k.rem_euclid(2)).to_string(),
            (_, "u16") => {
                slot += 1;
                // The destination is slot 2 (fresh) unless it is the only slot field.
                if *name == "dst" && fields.len() > 1 {
                    "2".into()
                } else {
                    ((slot - 1) % 2).to_string()
                }
            }
            _ => k.to_string(),
        };
        line = line.replace(&format!("{{{i}}}"), &value);
    }
    for op in line.split(';') {
        text.push_str(&format!("    {}\n", op.trim()));
    }
    text.push_str("    load_int 111\nout:\n    load_int 222\n");
    if template.contains("call ") {
        // `f(x, y) = x . y`, entered with its arguments moved into slots when it has both.
        text.push_str("    jump end\n.func f\n    set_slot 1\n    set_slot 0\n    get_slot 0\n    get_slot 1\n    concat\n    return_value\nend:\n");
    }
    (text, prelude.len())
}

#[test]
fn every_superinstruction_equals_its_template_on_every_input() {
    let mut checked = 0;
    for info in SUPERINSTRUCTIONS {
        let takes_constant = info.fields.iter().any(|(_, ty)| *ty == "i32" || *ty == "i64");
        let narrow = info.fields.iter().any(|(_, ty)| *ty == "i16");
        let constants: &[i64] = match (takes_constant, narrow) {
            (_, true) => CONSTANTS_I16,
            (true, false) => CONSTANTS,
            (false, false) => &[0],
        };
        for a in VALUES {
            for b in VALUES {
                for &k in constants {
                    let (text, head) = program(info.template, info.fields, a, b, k);
                    let chunk = assemble(&text, "superinstruction.fasm")
                        .unwrap_or_else(|e| panic!("{}: {e}\n{text}", info.name));
                    // The case must really exercise the superinstruction.
                    let sites = fusion::plan(&chunk);
                    assert!(
                        sites.iter().any(|s| s.name == info.name && s.ip == head),
                        "{} not fused at ip {head} in\n{text}\nsites: {sites:?}",
                        info.name
                    );
                    assert_same(
                        &chunk,
                        &format!("{} with a = {a}, b = {b}, k = {k}\n{text}", info.name),
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} cases");
}

#[test]
fn fused_array_and_hash_ops_fail_like_their_templates_at_the_limits() {
    let small = Limits {
        max_collection_len: 3,
        max_string_len: 8,
        ..Limits::default()
    };
    let cases = [
        // `SlotArrayPush` past the collection limit: the error is at the `array_push`.
        ("array push", "declare_array g\n load_int 0\n set_slot 0\ntop: get_slot 0\n array_push g\n get_slot 0\n load_int 1\n add\n set_slot 0\n jump top\n", "SlotArrayPush"),
        // `SlotHashAddInt` inserting a fourth key: the error is at the `hash_set`.
        ("hash insert", "declare_hash g\n load_int 0\n set_slot 0\ntop: get_slot 0\n hash_get g\n load_int 1\n add\n get_slot 0\n hash_set g\n get_slot 0\n load_int 1\n add\n set_slot 0\n jump top\n", "SlotHashAddInt"),
        // A key whose string form passes the string limit: the error is at the `hash_get`.
        ("long key", "declare_hash g\n load_const \"abcdef\"\n load_const \"ghijkl\"\n make_array 2\n set_slot 0\n get_slot 0\n hash_get g\n load_int 1\n add\n get_slot 0\n hash_set g\n", "SlotHashAddInt"),
    ];
    for (what, text, name) in cases {
        let chunk = assemble(text, "limits.fasm").expect("valid test program");
        assert_fuses(&chunk, name, None);
        let fused = observe_under(&chunk, true, small);
        let plain = observe_under(&chunk, false, small);
        assert!(fused.error_kind.is_some(), "{what}: no error: {fused:?}");
        assert_eq!(fused, plain, "{what}: fused and unfused runs differ");
    }
}

#[test]
fn fused_stack_ops_below_two_values_behave_like_the_ops() {
    // `add; set_slot` and `num_lt; jump_if_false` with 0 and 1 values on the stack.
    for prelude in ["", "    load_int 5\n", "    load_const \"x\"\n"] {
        for body in [
            "add\n    set_slot 0",
            "num_lt\n    jump_if_false out",
            "num_eq\n    jump_if_true out",
        ] {
            let text = format!("{prelude}    {body}\n    load_int 111\nout:\n    load_int 222\n");
            let chunk = assemble(&text, "short.fasm").expect("assembles");
            assert!(!fusion::plan(&chunk).is_empty(), "not fused:\n{text}");
            assert_same(&chunk, &text);
        }
    }
}

/// `s = s . tail` 40 times on a string the slot alone holds (the in-place path), where
/// `tail` is the constant "ab" (`load_const 0`) or slot 2, which holds it (`get_slot 2`).
fn append_loop(tail: &str, max_string: usize) -> (Chunk, Limits) {
    let text = format!(".const \"ab\"\n    load_const 0\n    set_slot 2\n    load_const \"\"\n    load_const \"x\"\n    concat\n    set_slot 0\n    load_int 0\n    set_slot 1\ntop:\n    get_slot 0\n    {tail}\n    concat\n    set_slot 0\n    get_slot 1\n    load_int 1\n    add\n    set_slot 1\n    get_slot 1\n    load_int 40\n    num_lt\n    jump_if_true top\n    get_slot 0\n    string_len\n");
    let chunk = assemble(&text, "append.fasm").expect("assembles");
    let limits = Limits {
        max_string_len: max_string,
        ..Limits::default()
    };
    (chunk, limits)
}

#[test]
fn fused_append_grows_in_place_and_fails_at_the_concat_under_the_string_limit() {
    let run = |chunk: &Chunk, limits: Limits, fused: bool| {
        let mut vm = VM::new(chunk.clone());
        vm.set_fusion(fused);
        vm.set_limits(limits);
        let result = match vm.run() {
            VMResult::Ok(v) => show(&v),
            other => format!("{other:?}"),
        };
        (result, vm.last_error().map(|e| (e.kind.name(), e.ip)))
    };
    for (tail, superinstruction) in [
        ("load_const 0", "SlotAppendConst"),
        ("get_slot 2", "SlotAppendSlot"),
    ] {
        let (chunk, limits) = append_loop(tail, 1 << 20);
        assert_fuses(&chunk, superinstruction, Some(8));
        assert_eq!(run(&chunk, limits, true), ("81".to_string(), None), "{tail}");
        assert_eq!(run(&chunk, limits, false), run(&chunk, limits, true));
        // 1 + 2 * 20 = 41 bytes fit, the 21st append (43 bytes) does not: at the concat, ip 10.
        let (chunk, limits) = append_loop(tail, 42);
        let fused = run(&chunk, limits, true);
        assert_eq!(fused.1, Some(("string-too-long", Some(10))), "{tail}: {fused:?}");
        assert_eq!(run(&chunk, limits, false), fused);
    }
}

#[test]
fn a_slot_appended_to_itself_doubles_it_fused_and_unfused() {
    // s = s . s, five times from "ab": 64 bytes.
    let text = "    load_const \"a\"\n    load_const \"b\"\n    concat\n    set_slot 0\n    load_int 0\n    set_slot 1\ntop:\n    get_slot 0\n    get_slot 0\n    concat\n    set_slot 0\n    get_slot 1\n    load_int 1\n    add\n    set_slot 1\n    get_slot 1\n    load_int 5\n    num_lt\n    jump_if_true top\n    get_slot 0\n    string_len\n";
    let chunk = assemble(text, "double.fasm").expect("assembles");
    assert_fuses(&chunk, "SlotAppendSlot", None);
    for fused in [true, false] {
        let mut vm = VM::new(chunk.clone());
        vm.set_fusion(fused);
        assert!(matches!(vm.run(), VMResult::Ok(Value::Int(64))), "fused {fused}");
    }
}

/// `k = str(i) . ","` for i in 0..n (the constant read in place by `ConcatConst`), then the
/// length of the last `k`.
fn int_comma_loop(n: i64) -> Chunk {
    let text = format!(
        "    load_int 0\n    set_slot 0\ntop:\n    get_slot 0\n    load_const \",\"\n    concat\n    set_slot 1\n    get_slot 0\n    load_int 1\n    add\n    set_slot 0\n    get_slot 0\n    load_int {n}\n    num_lt\n    jump_if_true top\n    get_slot 1\n"
    );
    assemble(&text, "comma.fasm").expect("assembles")
}

#[test]
fn concat_of_a_constant_reads_it_in_place_and_fails_at_the_concat() {
    let chunk = int_comma_loop(1000);
    assert_fuses(&chunk, "ConcatConst", Some(3));
    for fused in [true, false] {
        let mut vm = VM::new(chunk.clone());
        vm.set_fusion(fused);
        assert!(matches!(vm.run(), VMResult::Ok(Value::Str(s)) if s.as_str() == "999,"));
        assert_eq!(vm.chunk.constants, chunk.constants, "the pool is as it was");
    }
    // Under a 3-byte limit, "100," is the first string too long: at the concat, ip 4.
    let limited = |fused: bool| {
        let mut vm = VM::new(chunk.clone());
        vm.set_fusion(fused);
        vm.set_limits(Limits {
            max_string_len: 3,
            ..Limits::default()
        });
        assert!(matches!(vm.run(), VMResult::Error(_)));
        assert_eq!(vm.chunk.constants, chunk.constants, "restored after the error");
        let e = vm.last_error().expect("an error");
        let i = vm.frames[0].slots.first().map(Value::to_int);
        (e.kind.name(), e.ip, i)
    };
    assert_eq!(limited(true), ("string-too-long", Some(4), Some(100)));
    assert_eq!(limited(false), limited(true));
}

#[test]
fn a_jump_into_the_middle_of_a_fused_sequence_runs_the_covered_ops() {
    // `jump mid` lands on `load_int 10` inside `get_slot 0; load_int 10; num_lt; jump_if_false`.
    let text = "    load_int 3\n    set_slot 0\n    load_int 1\n    jump mid\n    get_slot 0\nmid:\n    load_int 10\n    num_lt\n    jump_if_false out\n    load_int 111\nout:\n    load_int 222\n";
    let chunk = assemble(text, "mid.fasm").expect("assembles");
    assert_fuses(&chunk, "SlotIntLtJumpIfFalse", None);
    assert_same(&chunk, text);
    assert_eq!(observe(&chunk, true, 100).stack, vec!["111".to_string()]);
}

#[test]
fn a_fused_back_edge_is_charged_like_the_jump_and_fails_at_the_jump() {
    // do { i += 1 } while i < 1000, under 10 units of fuel: out of fuel at the
    // back-edge's `jump_if_true` (ip 7), with the same fuel left either way.
    let text = "    load_int 0\n    set_slot 0\ntop:\n    get_slot 0\n    load_int 1\n    add\n    set_slot 0\n    get_slot 0\n    load_int 1000\n    num_lt\n    jump_if_true top\n";
    let chunk = assemble(text, "loop.fasm").expect("assembles");
    let fused = observe(&chunk, true, 10);
    assert_eq!(fused.error_kind, Some("out-of-fuel"));
    assert_eq!(fused.error_ip, Some(9));
    assert_same(&chunk, text);
}

#[test]
fn a_guarded_return_jumps_back_like_its_jump_and_returns_from_its_return_op() {
    // `top: i += 1; if i == 5 return i + 100 else goto top`: the guard's target is behind
    // it, so each failed test is a back-edge, charged like the `jump_if_false`; with
    // enough fuel it returns 105 from top level (the `return_value` at ip 13).
    let text = "    load_int 0\n    set_slot 0\ntop:\n    get_slot 0\n    load_int 1\n    add\n    set_slot 0\n    get_slot 0\n    load_int 5\n    num_eq\n    jump_if_false top\n    get_slot 0\n    load_int 100\n    add\n    return_value\n";
    let chunk = assemble(text, "guard.fasm").expect("assembles");
    assert_fuses(&chunk, "IfSlotIntEqReturnSlotIntAdd", Some(6));
    assert_same(&chunk, text);
    assert_eq!(observe(&chunk, true, 100).result, "105");
    // Four failed tests before `i == 5`: four units of fuel are enough, three are not.
    for fuel in 1..=5 {
        let fused = observe(&chunk, true, fuel);
        if fuel < 4 {
            assert_eq!(fused.error_kind, Some("out-of-fuel"), "fuel {fuel}");
            assert_eq!(fused.error_ip, Some(9), "fuel {fuel}");
        } else {
            assert_eq!(fused.result, "105", "fuel {fuel}");
        }
        assert_eq!(fused, observe(&chunk, false, fuel), "fuel {fuel}");
    }
}

#[test]
fn a_recursive_base_case_returns_through_the_guard_at_every_depth() {
    // fib(15) = 610: the guard `if n < 2 return n` returns from every leaf call.
    let text = "    load_int 15\n    call fib, 1\n    jump end\n.func fib\n    set_slot 0\n    get_slot 0\n    load_int 2\n    num_lt\n    jump_if_false rec\n    get_slot 0\n    return_value\nrec:\n    get_slot 0\n    load_int 1\n    sub\n    call fib, 1\n    get_slot 0\n    load_int 2\n    sub\n    call fib, 1\n    add\n    return_value\nend:\n";
    let chunk = assemble(text, "fib.fasm").expect("assembles");
    assert_fuses(&chunk, "IfSlotIntLtReturnSlot", Some(4));
    assert_eq!(observe(&chunk, true, 100_000).result, "610");
    assert_same(&chunk, text);
}

/// A call of `f` with `argc` of the arguments `"a", "b", 3, 4` (the last `argc` pushed),
/// where `f`'s prologue stores `params` of them into slots (`set_slot params-1; ...;
/// set_slot 0`) and returns them joined in slot order, then the caller's stack depth.
/// With `reenter`, `f` jumps back into its own prologue once (slot 9 counts), which
/// runs the prologue ops on a window that is no longer empty.
fn call_program(argc: usize, params: usize, reenter: bool) -> String {
    let args = ["load_const \"a\"", "load_const \"b\"", "load_int 3", "load_int 4"];
    let mut text: Vec<String> = args.iter().map(|a| format!("    {a}")).collect();
    text.push(format!("    call f, {argc}"));
    text.push("    jump end".into());
    text.push(".func f".into());
    text.push(format!("    set_slot {}", params - 1));
    text.push("again:".into());
    for s in (0..params - 1).rev() {
        text.push(format!("    set_slot {s}"));
    }
    if reenter && params > 1 {
        text.push("    get_slot 9\n    jump_if_true joined\n    load_true\n    set_slot 9".into());
        text.push("    load_int 7\n    load_int 8\n    jump again".into());
        text.push("joined:".into());
    }
    text.push("    load_const \"\"".into());
    for s in 0..params {
        text.push(format!("    get_slot {s}\n    concat"));
    }
    text.push("    return_value".into());
    text.push("end:".into());
    text.join("\n") + "\n"
}

#[test]
fn a_call_moves_its_arguments_into_the_prologue_slots_like_the_set_slots_do() {
    // Fused runs enter `f` behind its prologue with the arguments moved (call quickening);
    // every argument count against every prologue length, and a jump back into the
    // prologue, must run exactly like the prologue's ops.
    for params in 1..=3 {
        for argc in 0..=4 {
            for reenter in [false, true] {
                let text = call_program(argc, params, reenter);
                let chunk = assemble(&text, "call.fasm").expect("assembles");
                assert_same(&chunk, &text);
            }
        }
    }
    // Two of them by value (the run takes its result off the stack): three arguments into
    // three slots leave the caller's "a"; four into two leave nothing, the two below the
    // moved ones being in the callee's part of the stack, which the return drops.
    let ran = |argc, params| {
        observe(
            &assemble(&call_program(argc, params, false), "c").expect("assembles"),
            true,
            100,
        )
    };
    let three = ran(3, 3);
    assert_eq!((three.result.as_str(), three.stack.len()), ("\"b34\"", 1));
    let two = ran(4, 2);
    assert_eq!((two.result.as_str(), two.stack.len()), ("\"34\"", 0));
}

#[test]
fn a_call_moves_int_and_other_arguments_alike() {
    // The move reads Int arguments by halves and takes the others whole: every mix of
    // the two in one- and two-argument prologues must run like the prologue's ops.
    let values = [
        "load_int -5",
        "load_int 7",
        "load_const \"s\"",
        "load_float 2.5",
        "load_undef",
    ];
    for a in values {
        for b in values {
            for params in 1..=2 {
                // One parameter: `a` stays on the callee's stack, under the result.
                let prologue = ["    set_slot 0\n", "    set_slot 1\n    set_slot 0\n"][params - 1];
                let text = format!(
                    "    {a}\n    {b}\n    call f, 2\n    jump end\n.func f\n{prologue}    get_slot 0\n    get_slot 1\n    concat\n    return_value\nend:\n"
                );
                let chunk = assemble(&text, "mix.fasm").expect("assembles");
                assert_same(&chunk, &text);
            }
        }
    }
}

/// `f(n) = n < 1 ? pad : f(n - 1) . "x"` entered with `n`, `pad` pushed below it: the
/// recursive call is `get_slot 0; load_int 1; sub; call f, argc` (`SlotIntSubCall`), with
/// `argc` 1 (the prologue's one argument) or 2 (`pad` rides along in the callee's stack).
fn countdown(n: i64, argc: usize, callee: &str) -> Chunk {
    let text = format!(
        "    load_const \"p\"\n    load_int {n}\n    call f, {argc}\n    jump end\n.func f\n    set_slot 0\n    get_slot 0\n    load_int 1\n    num_lt\n    jump_if_false more\n    load_const \"end\"\n    return_value\nmore:\n    load_const \"p\"\n    get_slot 0\n    load_int 1\n    sub\n    call {callee}, {argc}\n    load_const \"x\"\n    concat\n    return_value\nend:\n"
    );
    assemble(&text, "countdown.fasm").expect("assembles")
}

#[test]
fn a_call_with_its_argument_fused_in_fails_and_succeeds_like_the_ops() {
    // The fused call puts `n - 1` straight into the callee's window when it is sure to
    // succeed; at every call-depth, stack and fuel limit around the program's needs, and
    // for an undefined callee, the fused and unfused runs must end alike.
    for argc in [1, 2] {
        let chunk = countdown(6, argc, "f");
        assert_fuses(&chunk, "SlotIntSubCall", None);
        for depth in 1..10 {
            for stack in 2..24 {
                let limits = Limits {
                    max_call_depth: depth,
                    max_stack: stack,
                    ..Limits::default()
                };
                let fused = observe_under(&chunk, true, limits);
                let plain = observe_under(&chunk, false, limits);
                assert_eq!(fused, plain, "argc {argc}, depth {depth}, stack {stack}");
            }
        }
        for fuel in 0..20 {
            let fused = observe(&chunk, true, fuel);
            assert_eq!(fused, observe(&chunk, false, fuel), "argc {argc}, fuel {fuel}");
        }
        let done = observe(&chunk, true, 1000);
        assert_eq!(done.result, "\"endxxxxxx\"", "argc {argc}");
        let undefined = countdown(6, argc, "g");
        assert_same(&undefined, "a call of an undefined function");
        assert_eq!(
            observe(&undefined, true, 1000).error_kind,
            Some("undefined-function")
        );
    }
}

#[test]
fn a_profiled_run_counts_the_prologue_ops_a_quickened_call_skips() {
    let chunk = assemble(&call_program(2, 2, false), "call.fasm").expect("assembles");
    let mut profile = fusevm::profile::Profile::new();
    let mut vm = VM::new(chunk);
    assert!(matches!(vm.run_profiled(&mut profile), VMResult::Ok(_)));
    let set_slots = profile.op_counts[fusevm::Op::SetSlot(0).opcode() as usize];
    assert_eq!(set_slots, 2, "both prologue ops counted");
}

/// Ops of random programs: many fusable shapes, forward and backward jumps.
fn op_text(kind: u8, x: u8, n: i64, len: usize, here: usize) -> String {
    let slot = x % 3;
    let target = if x % 4 == 0 {
        (x as usize) % (here + 1)
    } else {
        here + 1 + (x as usize) % (len - here)
    };
    match kind % 16 {
        0 | 1 => format!("get_slot {slot}"),
        2 => format!("load_int {n}"),
        3 => format!("set_slot {slot}"),
        4 => "add".into(),
        5 => "sub".into(),
        6 if x % 2 == 0 => "mul".into(),
        6 => "mod".into(),
        7 => ["num_lt", "num_le", "num_gt", "num_ge", "num_eq", "num_ne"][x as usize % 6].into(),
        8 => format!("jump_if_false {target}"),
        9 => format!("jump_if_true {target}"),
        10 => format!("jump {target}"),
        11 => "load_float 0.5".into(),
        12 => "load_const \"7\"".into(),
        13 => "load_undef".into(),
        14 => "pop".into(),
        _ if x % 2 == 0 => "dup".into(),
        _ => "concat".into(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_programs_run_the_same_fused_and_unfused(
        ops in prop::collection::vec((any::<u8>(), any::<u8>(), prop_oneof![Just(0i64), Just(1), Just(-1), Just(i64::MAX), Just(i64::MIN), -100i64..100]), 1..40)
    ) {
        let len = ops.len();
        let text: String = ops
            .iter()
            .enumerate()
            .map(|(i, &(kind, x, n))| format!("    {}\n", op_text(kind, x, n, len, i)))
            .collect();
        let chunk = assemble(&text, "random.fasm").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let fused = observe(&chunk, true, 300);
        let plain = observe(&chunk, false, 300);
        prop_assert_eq!(fused, plain, "program:\n{}", text);
    }
}
