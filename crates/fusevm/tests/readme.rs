//! The README's code snippets, compiled and run: Usage, the extension handler, the shell
//! host and the JIT entry point. Each test holds its snippet's text as the README shows it,
//! with only what a test needs around it (a chunk to run, the printed line captured as a
//! string instead of written to stdout, assertions on the results).
//!
//! Run with `cargo test -p fusevm --test readme` and again with `--features jit`.

use fusevm::{Chunk, ChunkBuilder, JitCompiler, Op, ShellHost, VMResult, Value, VM};

/// The chunk most snippets run: `40 + 2`.
fn forty_plus_two() -> Chunk {
    let mut builder = ChunkBuilder::new();
    builder.emit(Op::LoadInt(40), 1);
    builder.emit(Op::LoadInt(2), 1);
    builder.emit(Op::Add, 1);
    builder.build()
}

/// README "Usage", with `println!`/`eprintln!` turned into the string they would print.
fn usage_snippet() -> String {
    let mut builder = ChunkBuilder::new();
    builder.emit(Op::LoadInt(40), 1);
    builder.emit(Op::LoadInt(2), 1);
    builder.emit(Op::Add, 1);
    let chunk = builder.build();

    let mut vm = VM::new(chunk);
    #[cfg(feature = "jit")]
    vm.enable_tracing_jit();
    match vm.run() {
        VMResult::Ok(val) => format!("result: {}", val.to_str()),
        VMResult::Error(e) => format!("error: {}", e),
        VMResult::Halted => String::new(),
    }
}

#[test]
fn usage_snippet_prints_result_42() {
    assert_eq!(usage_snippet(), "result: 42");
}

#[test]
fn usage_snippet_result_is_the_int_42() {
    let mut vm = VM::new(forty_plus_two());
    assert!(matches!(vm.run(), VMResult::Ok(Value::Int(42))));
}

/// README "Extension handler": `Extended(id, arg)` ops go to one closure. Here id 0 pushes
/// `arg` as an Int and id 1 doubles the value on top.
fn run_with_extension_handler(ops: &[Op]) -> VMResult {
    let mut builder = ChunkBuilder::new();
    for &op in ops {
        builder.emit(op, 1);
    }
    let chunk = builder.build();

    let mut vm = VM::new(chunk);
    vm.set_extension_handler(Box::new(|vm, id, arg| match id {
        0 => vm.push(Value::Int(arg as i64)),
        1 => {
            let top = vm.pop().to_int();
            vm.push(Value::Int(top * 2));
        }
        _ => {}
    }));
    vm.run()
}

#[test]
fn extension_handler_snippet_runs_both_custom_ops() {
    let result = run_with_extension_handler(&[Op::Extended(0, 21), Op::Extended(1, 0)]);
    assert!(matches!(result, VMResult::Ok(Value::Int(42))), "{result:?}");
}

#[test]
fn extension_handler_snippet_ignores_unknown_ids() {
    // id 7 falls into `_ => {}`: the stack is left as it was.
    let result = run_with_extension_handler(&[Op::Extended(0, 5), Op::Extended(7, 99), Op::Extended(1, 0)]);
    assert!(matches!(result, VMResult::Ok(Value::Int(10))), "{result:?}");
}

/// README "Shell Host": a host that implements only three methods; every other shell op
/// keeps the trait's default.
struct MyHost;

impl ShellHost for MyHost {
    fn glob(&mut self, pattern: &str, _recursive: bool) -> Vec<String> {
        // Your glob implementation: here, a fixed directory listing.
        ["main.rs", "lib.rs", "README.md"]
            .into_iter()
            .filter(|f| pattern != "*.rs" || f.ends_with(".rs"))
            .map(String::from)
            .collect()
    }
    fn tilde_expand(&mut self, s: &str) -> String {
        match s.strip_prefix('~') {
            Some(rest) => format!("/home/user{rest}"),
            None => s.to_string(),
        }
    }
    fn cmd_subst(&mut self, sub: &Chunk) -> String {
        // Run the `$(...)` body on a fresh VM and use its result as the output.
        let mut vm = VM::new(sub.clone());
        match vm.run() {
            VMResult::Ok(v) => v.to_str(),
            _ => String::new(),
        }
    }
}

#[test]
fn shell_host_snippet_answers_glob_tilde_and_cmd_subst() {
    let mut builder = ChunkBuilder::new();
    let pattern = builder.add_constant(Value::str("*.rs"));
    let path = builder.add_constant(Value::str("~/notes.txt"));
    let sub = builder.add_sub_chunk(forty_plus_two());
    builder.emit(Op::LoadConst(pattern), 1);
    builder.emit(Op::Glob, 1);
    builder.emit(Op::LoadConst(path), 2);
    builder.emit(Op::TildeExpand, 2);
    builder.emit(Op::CmdSubst(sub), 3);
    builder.emit(Op::MakeArray(3), 3);
    let chunk = builder.build();

    let mut vm = VM::new(chunk);
    vm.set_shell_host(Box::new(MyHost));
    let result = vm.run();

    let expected = Value::array(vec![
        Value::array(vec![Value::str("main.rs"), Value::str("lib.rs")]),
        Value::str("/home/user/notes.txt"),
        Value::str("42"),
    ]);
    assert!(matches!(&result, VMResult::Ok(v) if *v == expected), "{result:?}");
}

#[test]
fn shell_host_snippet_keeps_defaults_for_other_methods() {
    // BraceExpand was not implemented by MyHost: the default returns the word unchanged.
    let mut builder = ChunkBuilder::new();
    let word = builder.add_constant(Value::str("{a,b}"));
    builder.emit(Op::LoadConst(word), 1);
    builder.emit(Op::BraceExpand, 1);
    let mut vm = VM::new(builder.build());
    vm.set_shell_host(Box::new(MyHost));
    let result = vm.run();
    let expected = Value::array(vec![Value::str("{a,b}")]);
    assert!(matches!(&result, VMResult::Ok(v) if *v == expected), "{result:?}");
}

/// README "JIT": compiles with or without the `jit` feature. A chunk the linear tier
/// accepts must give the interpreter's answer; a chunk it refuses is left to `VM::run`.
#[test]
fn jit_snippet_compiles_and_agrees_with_the_interpreter() {
    let chunk = forty_plus_two();

    let jit = JitCompiler::new();
    if jit.is_linear_eligible(&chunk) {
        let r = jit.try_run_linear(&chunk, &[]);
        assert_eq!(r, Some(Value::Int(42)));
    }

    let mut vm = VM::new(chunk);
    assert!(matches!(vm.run(), VMResult::Ok(Value::Int(42))));
}

/// README "Limits and errors": a fuel budget stops an endless loop with a located error.
#[test]
fn readme_limits_and_errors() {
    use fusevm::{ErrorKind, Limits};
    let mut b = ChunkBuilder::new();
    b.emit(Op::LoadInt(0), 1);
    b.emit(Op::SetSlot(0), 1);
    b.emit(Op::PreIncSlotVoid(0), 4); // ip 2
    b.emit(Op::Jump(2), 4);
    let mut vm = VM::new(b.build());
    vm.set_limits(Limits {
        fuel: Some(1_000_000),
        max_call_depth: 10_000,
        ..Limits::default()
    });
    let stop = vm.interrupt_handle();
    drop(stop);
    let VMResult::Error(text) = vm.run() else {
        panic!("expected an error")
    };
    let err = vm.last_error().unwrap();
    assert_eq!(err.kind, ErrorKind::OutOfFuel);
    assert_eq!((err.ip, err.line), (Some(3), Some(4)));
    assert!(
        text.starts_with("out of fuel") && text.ends_with("(at ip 3 `jump 2`, line 4)"),
        "{text}"
    );
    assert_eq!(
        vm.frames[0].slots[0],
        Value::Int(1_000_001),
        "one increment per unit of fuel, plus the last"
    );
}

/// README "Bytecode as text": the fib program assembles and computes fib(20).
#[test]
fn readme_assembly_example() {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("; fib(n) = n < 2")
        .expect("the README shows the fib assembly");
    let text = &readme[start..];
    let text = &text[..text.find("```").unwrap()];
    let chunk = fusevm::asm::assemble(text, "README.md").unwrap_or_else(|e| panic!("{e}"));
    let mut vm = VM::new(chunk);
    assert!(matches!(vm.run(), VMResult::Ok(Value::Int(6765))));
}
