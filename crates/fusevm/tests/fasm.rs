//! The `.fasm` file-test harness: runs every case in `tests/fasm/*.fasm` and checks its
//! expectations (in the spirit of Cranelift's filetests).
//!
//! A file holds one or more cases separated by lines `; ---`. A case is assembly text
//! (see `fusevm::asm`) plus expectation comments, each on its own line:
//!
//! | Line | Meaning |
//! |---|---|
//! | `; run: VALUE` | `run()` returns `VMResult::Ok(VALUE)` (floats compare by bits; any NaN matches any NaN) |
//! | `; run-unordered: [VALUES]` | `Ok` of an array equal to `[VALUES]` up to element order (hash keys/values) |
//! | `; run: halted` | `run()` returns `VMResult::Halted` |
//! | `; error: TEXT` | `run()` returns `VMResult::Error` whose message contains `TEXT` |
//! | `; kind: KIND` | the run failed with `vm.last_error().kind.name() == KIND` (e.g. `out-of-fuel`) |
//! | `; stack: [VALUES]` | `vm.stack` after the run (which popped the result), bottom first |
//! | `; global NAME: VALUE` | the global named `NAME` (its first name-pool index) after the run |
//! | `; slot N: VALUE` | slot `N` of the base frame after the run (`undef` when absent) |
//! | `; fuel: N` | run with `Limits::fuel = Some(N)` |
//! | `; call-depth: N`, `; max-stack: N`, `; max-string: N`, `; max-collection: N` | the other `Limits` |
//! | `; xfail: REASON` | the case is known to fail (a spec statement the VM does not meet yet); it must fail, a pass is reported so the marker gets removed |
//!
//! Each case is assembled from the file text with the other cases' lines blanked, so
//! assembler errors and op lines carry file line numbers. A case with no expectation is an
//! error. Without `; fuel:` a case runs with a safety budget ([`SAFETY_FUEL`]) so a VM bug
//! that loops fails the case instead of hanging the suite.
//!
//! Tiers: [`check_case`] takes the runner that executes a chunk, so a JIT tier runs the very
//! same files by passing its own [`Runner`] to [`run_dir`].

use fusevm::asm::{assemble, format_value, parse_value};
use fusevm::{Chunk, Limits, VMResult, Value, VM};
use std::path::{Path, PathBuf};

/// Budget given to cases without `; fuel:` (far above what any case needs).
pub const SAFETY_FUEL: u64 = 50_000_000;

/// One expectation of a case, with the file line it was written on.
#[derive(Debug, Clone)]
pub enum Expect {
    Run(Value),
    RunUnordered(Vec<Value>),
    Halted,
    Error(String),
    Kind(String),
    Stack(Vec<Value>),
    Global(String, Value),
    Slot(usize, Value),
}

/// A test case read from a `.fasm` file.
#[derive(Debug, Clone)]
pub struct Case {
    pub file: PathBuf,
    /// File line of the case's first line.
    pub line: u32,
    /// The file text with every other case's lines blanked.
    pub source: String,
    pub expects: Vec<(u32, Expect)>,
    pub limits: Limits,
    pub xfail: Option<String>,
}

/// What a tier reports after running a chunk.
pub struct RunOutput {
    pub result: VMResult,
    /// `ErrorKind::name()` of the failure, if the run failed.
    pub kind: Option<&'static str>,
    pub stack: Vec<Value>,
    pub globals: Vec<Value>,
    /// The base frame's slots (`frames[0]`).
    pub base_slots: Vec<Value>,
}

/// Executes a chunk under limits on some tier.
pub type Runner = dyn Fn(&Chunk, Limits) -> RunOutput;

/// The interpreter tier.
pub fn interpreter(chunk: &Chunk, limits: Limits) -> RunOutput {
    run_interpreter(chunk, limits, true)
}

/// The interpreter with automatic fusion off: every op dispatched on its own. The same
/// expectations must hold (fusion never changes a result, an error or a side effect).
pub fn interpreter_unfused(chunk: &Chunk, limits: Limits) -> RunOutput {
    run_interpreter(chunk, limits, false)
}

fn run_interpreter(chunk: &Chunk, limits: Limits, fusion: bool) -> RunOutput {
    let mut vm = VM::new(chunk.clone());
    vm.set_fusion(fusion);
    vm.set_limits(limits);
    let result = vm.run();
    RunOutput {
        kind: vm.last_error().map(|e| e.kind.name()),
        stack: vm.stack.clone(),
        globals: vm.globals.clone(),
        base_slots: vm.frames.first().map(|f| f.slots.clone()).unwrap_or_default(),
        result,
    }
}

/// Splits a file into cases and reads their expectations.
pub fn parse_cases(file: &Path, text: &str) -> Result<Vec<Case>, String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut cases = Vec::new();
    let mut start = 0;
    for end in (0..=lines.len()).filter(|&i| i == lines.len() || lines[i].trim() == "; ---") {
        if lines[start..end].iter().any(|l| !l.trim().is_empty()) {
            cases.push(parse_case(file, &lines, start, end)?);
        }
        start = end + 1;
    }
    Ok(cases)
}

fn parse_case(file: &Path, lines: &[&str], start: usize, end: usize) -> Result<Case, String> {
    let mut source = "\n".repeat(start);
    let mut expects = Vec::new();
    let mut limits = Limits {
        fuel: Some(SAFETY_FUEL),
        ..Limits::default()
    };
    let mut xfail = None;
    for (i, text) in lines.iter().enumerate().take(end).skip(start) {
        source.push_str(text);
        source.push('\n');
        let line = i as u32 + 1;
        let at = |msg: String| format!("{}:{line}: {msg}", file.display());
        let Some((key, rest)) = expectation(text) else {
            continue;
        };
        let value = |t: &str| parse_value(t).map_err(|e| at(format!("bad value `{t}`: {e}")));
        let number = |t: &str| t.parse::<u64>().map_err(|e| at(format!("bad number `{t}`: {e}")));
        let exp = match key {
            "run" if rest == "halted" => Expect::Halted,
            "run" => Expect::Run(value(rest)?),
            "run-unordered" => match value(rest)? {
                Value::Array(items) => Expect::RunUnordered(*items),
                _ => return Err(at("`run-unordered` needs an array".into())),
            },
            "error" => Expect::Error(rest.to_string()),
            "kind" => Expect::Kind(rest.to_string()),
            "stack" => match value(rest)? {
                Value::Array(items) => Expect::Stack(*items),
                _ => return Err(at("`stack` needs an array".into())),
            },
            "fuel" => {
                limits.fuel = Some(number(rest)?);
                continue;
            }
            "call-depth" => {
                limits.max_call_depth = number(rest)? as usize;
                continue;
            }
            "max-stack" => {
                limits.max_stack = number(rest)? as usize;
                continue;
            }
            "max-string" => {
                limits.max_string_len = number(rest)? as usize;
                continue;
            }
            "max-collection" => {
                limits.max_collection_len = number(rest)? as usize;
                continue;
            }
            "xfail" => {
                xfail = Some(rest.to_string());
                continue;
            }
            k if k.starts_with("global ") => {
                Expect::Global(k["global ".len()..].trim().to_string(), value(rest)?)
            }
            k if k.starts_with("slot ") => Expect::Slot(number(&k["slot ".len()..])? as usize, value(rest)?),
            _ => continue,
        };
        expects.push((line, exp));
    }
    if expects.is_empty() {
        return Err(format!(
            "{}:{}: case has no expectation (`; run:`, `; error:`, ...)",
            file.display(),
            start + 1
        ));
    }
    Ok(Case {
        file: file.to_path_buf(),
        line: start as u32 + 1,
        source,
        expects,
        limits,
        xfail,
    })
}

/// `; KEY: REST` for the keys this harness knows; other comments are not expectations.
fn expectation(line: &str) -> Option<(&str, &str)> {
    let body = line.trim().strip_prefix(';')?.trim_start();
    let (key, rest) = body.split_once(':')?;
    let known = [
        "run",
        "run-unordered",
        "error",
        "kind",
        "stack",
        "fuel",
        "call-depth",
        "max-stack",
        "max-string",
        "max-collection",
        "xfail",
    ];
    let key = key.trim();
    let is_known = known.contains(&key) || key.starts_with("global ") || key.starts_with("slot ");
    is_known.then(|| (key, rest.trim()))
}

/// Values are equal when identical: same variant, floats by bits (any NaN matches any NaN),
/// containers element by element, hashes as maps.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same_value(p, q))
        }
        (Value::Hash(x), Value::Hash(y)) => {
            x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| same_value(p, q)))
        }
        (Value::Ref(x), Value::Ref(y)) => same_value(x, y),
        _ => a == b,
    }
}

fn show_result(r: &VMResult) -> String {
    match r {
        VMResult::Ok(v) => format!("Ok({})", format_value(v)),
        VMResult::Halted => "halted".into(),
        VMResult::Error(e) => format!("error: {e}"),
    }
}

fn show_values(values: &[Value]) -> String {
    format_value(&Value::array(values.to_vec()))
}

/// Assembles and runs `case` on `runner`; returns one message per unmet expectation.
pub fn check_case(case: &Case, runner: &Runner) -> Vec<String> {
    let chunk = match assemble(&case.source, &case.file.display().to_string()) {
        Ok(c) => c,
        Err(e) => return vec![format!("{e} (assembly failed)")],
    };
    let out = runner(&chunk, case.limits);
    let loc = |line: u32| format!("{}:{line}", case.file.display());
    let mut failures = Vec::new();
    for (line, exp) in &case.expects {
        let problem = match exp {
            Expect::Run(v) => match &out.result {
                VMResult::Ok(got) if same_value(got, v) => None,
                r => Some(format!(
                    "expected Ok({}), got {}",
                    format_value(v),
                    show_result(r)
                )),
            },
            Expect::RunUnordered(items) => match &out.result {
                VMResult::Ok(Value::Array(got)) if same_unordered(got, items) => None,
                r => Some(format!(
                    "expected Ok of {} in any order, got {}",
                    show_values(items),
                    show_result(r)
                )),
            },
            Expect::Halted => match &out.result {
                VMResult::Halted => None,
                r => Some(format!("expected halted, got {}", show_result(r))),
            },
            Expect::Error(text) => match &out.result {
                VMResult::Error(msg) if msg.contains(text.as_str()) => None,
                r => Some(format!(
                    "expected an error containing `{text}`, got {}",
                    show_result(r)
                )),
            },
            Expect::Kind(kind) => match (&out.result, out.kind) {
                (VMResult::Error(_), Some(k)) if k == kind => None,
                (r, k) => Some(format!(
                    "expected an error of kind `{kind}`, got {} (kind {k:?})",
                    show_result(r)
                )),
            },
            Expect::Stack(items) => {
                let same = out.stack.len() == items.len()
                    && out.stack.iter().zip(items).all(|(a, b)| same_value(a, b));
                (!same).then(|| {
                    format!(
                        "expected stack {}, got {}",
                        show_values(items),
                        show_values(&out.stack)
                    )
                })
            }
            Expect::Global(name, v) => {
                let got = chunk
                    .names
                    .iter()
                    .position(|n| n == name)
                    .and_then(|i| out.globals.get(i))
                    .cloned()
                    .unwrap_or(Value::Undef);
                (!same_value(&got, v)).then(|| {
                    format!(
                        "expected global {name} = {}, got {}",
                        format_value(v),
                        format_value(&got)
                    )
                })
            }
            Expect::Slot(n, v) => {
                let got = out.base_slots.get(*n).cloned().unwrap_or(Value::Undef);
                (!same_value(&got, v)).then(|| {
                    format!(
                        "expected slot {n} = {}, got {}",
                        format_value(v),
                        format_value(&got)
                    )
                })
            }
        };
        if let Some(p) = problem {
            failures.push(format!("{}: {p}", loc(*line)));
        }
    }
    if !failures.is_empty() {
        failures.push(format!("(the run gave {})", show_result(&out.result)));
    }
    failures
}

fn same_unordered(got: &[Value], want: &[Value]) -> bool {
    let mut left: Vec<&Value> = want.iter().collect();
    got.len() == want.len()
        && got
            .iter()
            .all(|g| match left.iter().position(|w| same_value(g, w)) {
                Some(i) => {
                    left.swap_remove(i);
                    true
                }
                None => false,
            })
}

/// Totals of one run over a directory.
#[derive(Debug, Default)]
pub struct Report {
    pub cases: usize,
    pub passed: usize,
    pub xfailed: usize,
    /// One entry per failing case (its messages joined), plus unexpected passes.
    pub failures: Vec<String>,
}

/// Runs every case of every `.fasm` file in `dir` on `runner`.
pub fn run_dir(dir: &Path, runner: &Runner) -> Report {
    let mut report = Report::default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "fasm"));
    files.sort();
    for file in files {
        let cases = std::fs::read_to_string(&file)
            .map_err(|e| format!("{}: {e}", file.display()))
            .and_then(|text| parse_cases(&file, &text));
        let cases = match cases {
            Ok(c) => c,
            Err(e) => {
                report.failures.push(e);
                continue;
            }
        };
        for case in cases {
            report.cases += 1;
            let failures = check_case(&case, runner);
            match (&case.xfail, failures.is_empty()) {
                (None, true) => report.passed += 1,
                (None, false) => report.failures.push(failures.join("\n  ")),
                (Some(_), false) => report.xfailed += 1,
                (Some(reason), true) => report.failures.push(format!(
                    "{}:{}: passes but is marked `; xfail: {reason}` (remove the marker)",
                    case.file.display(),
                    case.line
                )),
            }
        }
    }
    report
}

fn fasm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fasm")
}

/// Runs all files on `runner`, printing every failure and a one-line summary.
pub fn run_tier(name: &str, runner: &Runner) {
    let report = run_dir(&fasm_dir(), runner);
    for f in &report.failures {
        eprintln!("FAIL {f}");
    }
    let summary = format!(
        "fasm [{name}]: {} cases, {} passed, {} xfail, {} failed",
        report.cases,
        report.passed,
        report.xfailed,
        report.failures.len()
    );
    eprintln!("{summary}");
    assert!(
        report.cases > 0,
        "no .fasm cases found in {}",
        fasm_dir().display()
    );
    assert!(report.failures.is_empty(), "{summary}");
}

#[test]
fn fasm_interpreter() {
    run_tier("interpreter", &interpreter);
}

#[test]
fn fasm_interpreter_unfused() {
    run_tier("interpreter, fusion off", &interpreter_unfused);
}

#[test]
fn every_op_appears_in_some_case() {
    let mut seen = [false; fusevm::isa::OP_COUNT];
    let mut files: Vec<PathBuf> = std::fs::read_dir(fasm_dir())
        .expect("tests/fasm exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "fasm"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for case in parse_cases(&file, &text).expect("well-formed cases") {
            if let Ok(chunk) = assemble(&case.source, "coverage") {
                for op in &chunk.ops {
                    seen[op.opcode() as usize] = true;
                }
            }
        }
    }
    let missing: Vec<&str> = fusevm::isa::OP_INFO
        .iter()
        .zip(seen)
        .filter(|(_, s)| !s)
        .map(|(info, _)| info.mnemonic)
        .collect();
    assert!(missing.is_empty(), "ops in no .fasm case: {missing:?}");
}

#[test]
fn harness_reads_expectations_and_blanks_other_cases() {
    let text = "load_int 1\n; run: 1\n; ---\n; fuel: 7\nload_int 2\n; slot 0: undef\n; xfail: why\n";
    let cases = parse_cases(Path::new("t.fasm"), text).expect("parses");
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[1].line, 4);
    assert_eq!(
        cases[1].source,
        "\n\n\n; fuel: 7\nload_int 2\n; slot 0: undef\n; xfail: why\n\n"
    );
    assert_eq!(cases[1].limits.fuel, Some(7));
    assert_eq!(cases[1].xfail.as_deref(), Some("why"));
    assert!(matches!(cases[0].expects[..], [(2, Expect::Run(Value::Int(1)))]));
    assert!(parse_cases(Path::new("t.fasm"), "nop\n; just a comment\n").is_err());
    // A wrong expectation is reported with its line.
    let wrong = parse_cases(Path::new("w.fasm"), "load_int 1\n; run: 2\n").expect("parses");
    assert_eq!(
        check_case(&wrong[0], &interpreter)[0],
        "w.fasm:2: expected Ok(2), got Ok(1)"
    );
    assert!(same_value(&Value::Float(f64::NAN), &Value::Float(-f64::NAN)));
    assert!(!same_value(&Value::Float(0.0), &Value::Float(-0.0)));
}

/// The same files on the JIT tiers (feature `jit`): every case whose chunk a tier compiles
/// runs there and must meet the same expectations, errors included. A tier that hands
/// control back to the interpreter mid-chunk must still give the interpreter's result.
#[cfg(feature = "jit")]
mod jit_tiers {
    use super::*;
    use fusevm::JitCompiler;

    /// The linear tier: `try_run_linear(chunk, &[])`, i.e. a fresh VM's empty slots. It
    /// reports only a result; the stack after the interpreter popped the single result is
    /// empty and a linear chunk touches no global, so those are what a VM would show.
    fn linear(chunk: &Chunk, _limits: Limits) -> RunOutput {
        let result = match JitCompiler::new().try_run_linear(chunk, &[]) {
            Some(v) => VMResult::Ok(v),
            None => VMResult::Error("try_run_linear returned None".into()),
        };
        RunOutput {
            result,
            kind: None,
            stack: Vec::new(),
            globals: vec![Value::Undef; chunk.names.len()],
            base_slots: Vec::new(),
        }
    }

    /// The block tier through `VM::run`: tracing on, the chunk warmed up by 10 runs (each
    /// under the case's limits, so a looping case cannot hang), then the measured run,
    /// which compiles and runs natively.
    fn block(chunk: &Chunk, limits: Limits) -> RunOutput {
        let mut out = None;
        for _ in 0..11 {
            let mut vm = VM::new(chunk.clone());
            vm.set_limits(limits);
            vm.enable_tracing_jit();
            let result = vm.run();
            out = Some(RunOutput {
                kind: vm.last_error().map(|e| e.kind.name()),
                stack: vm.stack.clone(),
                globals: vm.globals.clone(),
                base_slots: vm.frames.first().map(|f| f.slots.clone()).unwrap_or_default(),
                result,
            });
        }
        out.unwrap_or_else(|| interpreter(chunk, limits))
    }

    /// Runs the cases `wanted` accepts on `runner`; returns (cases run, failures).
    fn run_cases(runner: &Runner, wanted: &dyn Fn(&Case, &Chunk) -> bool) -> (usize, Vec<String>) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fasm_dir())
            .expect("tests/fasm exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "fasm"))
            .collect();
        files.sort();
        let (mut ran, mut failures) = (0, Vec::new());
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable");
            for case in parse_cases(&file, &text).expect("well-formed cases") {
                let Ok(chunk) = assemble(&case.source, &file.display().to_string()) else {
                    continue;
                };
                if case.xfail.is_some() || !wanted(&case, &chunk) {
                    continue;
                }
                ran += 1;
                let f = check_case(&case, runner);
                if !f.is_empty() {
                    failures.push(f.join("\n  "));
                }
            }
        }
        (ran, failures)
    }

    fn report(name: &str, ran: usize, failures: &[String], at_least: usize) {
        for f in failures {
            eprintln!("FAIL {f}");
        }
        eprintln!("fasm [{name}]: {ran} cases, {} failed", failures.len());
        assert!(ran >= at_least, "only {ran} cases ran on the {name} tier");
        assert!(
            failures.is_empty(),
            "{} cases failed on the {name} tier",
            failures.len()
        );
    }

    #[test]
    fn fasm_linear_tier() {
        let jit = JitCompiler::new();
        // Slot expectations need the final slots, which `try_run_linear` does not report.
        let wanted = |case: &Case, chunk: &Chunk| {
            jit.is_linear_eligible(chunk) && !case.expects.iter().any(|(_, e)| matches!(e, Expect::Slot(..)))
        };
        let (ran, failures) = run_cases(&linear, &wanted);
        report("linear", ran, &failures, 60);
    }

    #[test]
    fn fasm_block_tier() {
        let jit = JitCompiler::new();
        let wanted = |_: &Case, chunk: &Chunk| jit.is_block_eligible(chunk);
        let compiled = std::rc::Rc::new(std::cell::Cell::new(0));
        let counter = compiled.clone();
        let runner = move |chunk: &Chunk, limits: Limits| {
            let out = block(chunk, limits);
            let done = JitCompiler::new().block_jit_is_compiled(chunk);
            // A chunk the verifier rejects never runs, natively or not.
            counter.set(counter.get() + (done || chunk.verify().is_err()) as usize);
            out
        };
        let (ran, failures) = run_cases(&runner, &wanted);
        report("block", ran, &failures, 100);
        // Every eligible case that verifies compiles (none bails).
        assert_eq!(compiled.get(), ran, "eligible cases that did not compile");
    }
}
