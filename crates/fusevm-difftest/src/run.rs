//! Running one [`Program`] on both VMs and comparing what they leave behind.
//!
//! Both runs happen inside `catch_unwind`: an upstream panic (its known debug-build panics,
//! quirks B4–B9) discards the case, a panic in our crate is always a failure. Values of both
//! crates are normalised to [`NV`] (floats compared by bits with every NaN made equal, hashes
//! as sorted maps), which is how the boxed (ours) and unboxed (upstream) `Value` layouts
//! become comparable. Observed per run: the `VMResult` kind and value, the remaining stack,
//! the globals, every frame (return ip, stack base, slots) and `last_status`. Trailing
//! `Undef`s of globals and slots are ignored: bytecode reads a missing entry as `Undef`, so
//! the vector length is not observable to a program.

use crate::program::Program;
use fusevm::ErrorKind;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// Builtin id of the test "sum" builtin: pops `argc` values, pushes the wrapping sum of
/// their `to_int`s.
pub const BUILTIN_SUM: u16 = 1;
/// Builtin id of the test "sort" builtin: pops one value; an array comes back with its
/// elements in a canonical order (used after `HashKeys`/`HashValues`, whose order is
/// unspecified, quirk C6); anything else comes back unchanged.
pub const BUILTIN_SORT: u16 = 2;
/// A builtin id registered in neither VM (`CallBuiltin` with it is a no-op, quirk C14).
pub const BUILTIN_UNREGISTERED: u16 = 7;

/// A float compared by bits, with all NaNs equal.
#[derive(Clone, Copy)]
pub struct FloatBits(pub f64);

impl PartialEq for FloatBits {
    fn eq(&self, other: &Self) -> bool {
        (self.0.is_nan() && other.0.is_nan()) || self.0.to_bits() == other.0.to_bits()
    }
}

impl fmt::Debug for FloatBits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// A value of either crate, in one comparable form.
#[derive(Clone, PartialEq, Debug)]
pub enum NV {
    Undef,
    Bool(bool),
    Int(i64),
    Float(FloatBits),
    Str(String),
    Array(Vec<NV>),
    Hash(BTreeMap<String, NV>),
    Status(i32),
    Ref(Box<NV>),
    NativeFn(u16),
}

impl NV {
    /// `NV::Str` from text.
    pub fn str(s: &str) -> NV {
        NV::Str(s.to_string())
    }

    /// `NV::Float`.
    pub fn float(f: f64) -> NV {
        NV::Float(FloatBits(f))
    }
}

/// Generates a `Value -> NV` normaliser per crate (same variants; only the boxing differs,
/// which auto-deref hides).
macro_rules! define_norm {
    ($fn:ident, $krate:ident) => {
        /// Normalises a value of the named crate.
        pub fn $fn(v: &$krate::Value) -> NV {
            use $krate::Value as V;
            match v {
                V::Undef => NV::Undef,
                V::Bool(b) => NV::Bool(*b),
                V::Int(n) => NV::Int(*n),
                V::Float(f) => NV::Float(FloatBits(*f)),
                V::Str(s) => NV::Str(s.to_string()),
                V::Array(a) => NV::Array(a.iter().map($fn).collect()),
                V::Hash(h) => NV::Hash(h.iter().map(|(k, v)| (k.clone(), $fn(v))).collect()),
                V::Status(c) => NV::Status(*c),
                V::Ref(r) => NV::Ref(Box::new($fn(r))),
                V::NativeFn(id) => NV::NativeFn(*id),
            }
        }
    };
}

define_norm!(norm_ours, fusevm);
define_norm!(norm_upstream, fusevm_upstream);

/// How a run ended.
#[derive(Clone, PartialEq, Debug)]
pub enum RunResult {
    Ok(NV),
    Halted,
    Error(String),
}

/// One frame, normalised.
#[derive(Clone, PartialEq, Debug)]
pub struct NFrame {
    pub return_ip: usize,
    pub stack_base: usize,
    pub slots: Vec<NV>,
}

/// Everything a run leaves behind that the two crates must agree on.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub result: RunResult,
    pub stack: Vec<NV>,
    pub globals: Vec<NV>,
    pub frames: Vec<NFrame>,
    pub last_status: i32,
    /// `serde_json` of the result value and the stack (the two crates share one serde
    /// format; NaN/inf serialise as `null`, which is why the structural compare above is
    /// the primary one).
    pub json: Vec<serde_json::Value>,
}

/// Our run's structured error kind, when it ended in an error.
pub type OursError = Option<(ErrorKind, Option<fusevm::Op>)>;

fn trim_undef(mut v: Vec<NV>) -> Vec<NV> {
    while v.last() == Some(&NV::Undef) {
        v.pop();
    }
    v
}

fn json_of<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_else(|e| serde_json::Value::String(format!("<serde error: {e}>")))
}

/// Generates the test builtins and extension handlers, and the runner, per crate.
macro_rules! define_runner {
    ($krate:ident, $norm:ident, $sum:ident, $sort:ident, $install:ident, $collect:ident) => {
        fn $sum(vm: &mut $krate::VM, argc: u8) -> $krate::Value {
            let mut total = 0i64;
            for _ in 0..argc {
                total = total.wrapping_add(vm.pop().to_int());
            }
            $krate::Value::Int(total)
        }

        fn $sort(vm: &mut $krate::VM, _argc: u8) -> $krate::Value {
            match vm.pop() {
                $krate::Value::Array(items) => {
                    let mut keyed: Vec<(String, $krate::Value)> = items
                        .into_iter()
                        .map(|v| (format!("{:?}", $norm(&v)), v))
                        .collect();
                    keyed.sort_by(|a, b| a.0.cmp(&b.0));
                    $krate::Value::array(keyed.into_iter().map(|(_, v)| v).collect())
                }
                other => other,
            }
        }

        fn $install(vm: &mut $krate::VM, handlers: bool) {
            vm.register_builtin(BUILTIN_SUM, $sum);
            vm.register_builtin(BUILTIN_SORT, $sort);
            if handlers {
                vm.set_extension_handler(Box::new(|vm: &mut $krate::VM, id: u16, arg: u8| {
                    vm.push($krate::Value::Int(id as i64 * 1000 + arg as i64));
                }));
                vm.set_extension_wide_handler(Box::new(|vm: &mut $krate::VM, id: u16, payload: usize| {
                    vm.push($krate::Value::Int(
                        (id as i64 * 1000).wrapping_add(payload as i64),
                    ));
                }));
            }
        }

        fn $collect(vm: &$krate::VM, result: $krate::VMResult) -> Outcome {
            let mut json = Vec::new();
            let result = match result {
                $krate::VMResult::Ok(v) => {
                    json.push(json_of(&v));
                    RunResult::Ok($norm(&v))
                }
                $krate::VMResult::Halted => RunResult::Halted,
                $krate::VMResult::Error(msg) => RunResult::Error(msg),
            };
            json.extend(vm.stack.iter().map(json_of));
            Outcome {
                result,
                stack: vm.stack.iter().map($norm).collect(),
                globals: trim_undef(vm.globals.iter().map($norm).collect()),
                frames: vm
                    .frames
                    .iter()
                    .map(|f| NFrame {
                        return_ip: f.return_ip,
                        stack_base: f.stack_base,
                        slots: trim_undef(f.slots.iter().map($norm).collect()),
                    })
                    .collect(),
                last_status: vm.last_status,
                json,
            }
        }
    };
}

define_runner!(fusevm, norm_ours, sum_ours, sort_ours, install_ours, collect_ours);
define_runner!(
    fusevm_upstream,
    norm_upstream,
    sum_up,
    sort_up,
    install_up,
    collect_up
);

/// The limits our VM runs under. Anything that hits one is discarded: upstream has no
/// limits and would hang or abort the process on the same program.
pub fn test_limits() -> fusevm::Limits {
    fusevm::Limits {
        fuel: Some(20_000),
        max_call_depth: 1_000,
        max_stack: 100_000,
        max_string_len: 1 << 16,
        max_collection_len: 1 << 12,
    }
}

thread_local! {
    static QUIET: RefCell<bool> = const { RefCell::new(false) };
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Installs (once) a panic hook that records instead of printing while a VM runs, so the
/// thousands of expected upstream panics do not flood the test output.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(|q| *q.borrow()) {
                let payload = info.payload();
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(non-string panic payload)".to_string());
                let place = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                LAST_PANIC.with(|p| *p.borrow_mut() = format!("{msg} (at {place})"));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with panics caught and silenced; `Err` carries the panic message and location.
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_quiet_hook();
    QUIET.with(|q| *q.borrow_mut() = true);
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| *q.borrow_mut() = false);
    r.map_err(|_| LAST_PANIC.with(|p| p.borrow().clone()))
}

/// Runs the program on our VM under `limits`; `Err` if it panicked.
pub fn run_ours(p: &Program, limits: fusevm::Limits) -> Result<(Outcome, OursError), String> {
    catch(|| {
        let mut vm = fusevm::VM::new(p.build_ours());
        vm.set_limits(limits);
        install_ours(&mut vm, p.handlers);
        let result = vm.run();
        let err = vm.last_error().map(|e| (e.kind, e.op));
        (collect_ours(&vm, result), err)
    })
}

/// Runs the program on upstream 0.12.2; `Err` if it panicked.
pub fn run_upstream(p: &Program) -> Result<Outcome, String> {
    catch(|| {
        let mut vm = fusevm_upstream::VM::new(p.build_upstream());
        install_up(&mut vm, p.handlers);
        let result = vm.run();
        collect_up(&vm, result)
    })
}

/// The result of a differential run.
#[derive(Debug)]
pub enum Verdict {
    /// Both ran and agree.
    Same(Outcome),
    /// The case falls under a documented exclusion (the reason names it).
    Skipped(String),
    /// A failure: the text shows the program and both outcomes.
    Mismatch(String),
}

fn describe(p: &Program, what: &str, ours: &str, upstream: &str) -> String {
    format!("{what}\nprogram:{p:?}\nours:\n{ours}\nupstream:\n{upstream}")
}

/// One line per observed field (the `serde_json` form only where it is the difference).
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  result:      {:?}", self.result)?;
        writeln!(f, "  stack:       {:?}", self.stack)?;
        writeln!(f, "  globals:     {:?}", self.globals)?;
        for (i, fr) in self.frames.iter().enumerate() {
            writeln!(
                f,
                "  frame {i}:     return_ip {} stack_base {} slots {:?}",
                fr.return_ip, fr.stack_base, fr.slots
            )?;
        }
        write!(f, "  last_status: {}", self.last_status)
    }
}

/// First difference between the two outcomes, if any.
fn difference(ours: &Outcome, up: &Outcome) -> Option<&'static str> {
    let result_same = match (&ours.result, &up.result) {
        (RunResult::Ok(a), RunResult::Ok(b)) => a == b,
        (RunResult::Halted, RunResult::Halted) => true,
        // Ours appends the place (` (at ip ..)`); upstream's text must stay a prefix.
        (RunResult::Error(a), RunResult::Error(b)) => a.starts_with(b.as_str()),
        _ => false,
    };
    if !result_same {
        Some("run result differs")
    } else if ours.stack != up.stack {
        Some("remaining stack differs")
    } else if ours.globals != up.globals {
        Some("globals differ")
    } else if ours.frames != up.frames {
        Some("frames differ")
    } else if ours.last_status != up.last_status {
        Some("last_status differs")
    } else if ours.json != up.json {
        Some("serde_json of result/stack differs")
    } else {
        None
    }
}

/// Runs `p` on both VMs and compares (see the crate docs for what is excluded).
pub fn compare(p: &Program) -> Verdict {
    let (ours, ours_err) = match run_ours(p, test_limits()) {
        Ok(r) => r,
        Err(msg) => return Verdict::Mismatch(describe(p, "our VM panicked", &msg, "(not run)")),
    };
    if let Some((kind, op)) = ours_err {
        match kind {
            // Upstream has no limits: the same program would hang or abort the process.
            ErrorKind::OutOfFuel
            | ErrorKind::CallDepth
            | ErrorKind::StackOverflow
            | ErrorKind::StringTooLong
            | ErrorKind::CollectionTooLarge => {
                return Verdict::Skipped(format!("our limit hit: {kind:?} (B7/B9/B11)"));
            }
            // B2/B3: upstream may loop; the generator never builds these.
            ErrorKind::BadFrame
                if matches!(
                    op,
                    Some(fusevm::Op::Return | fusevm::Op::ReturnValue | fusevm::Op::PopFrame)
                ) =>
            {
                return Verdict::Skipped("bad frame: B2/B3".into());
            }
            ErrorKind::BadIndex
                if matches!(op, Some(fusevm::Op::ArraySet(_) | fusevm::Op::SlotArraySet(_))) =>
            {
                return Verdict::Skipped("negative store index: B8".into());
            }
            ErrorKind::StackUnderflow if matches!(op, Some(fusevm::Op::Call(..))) => {
                return Verdict::Skipped("Call argc > stack: B4".into());
            }
            ErrorKind::UndefinedFunction => {}
            _ => {
                return Verdict::Mismatch(describe(
                    p,
                    "our VM reported an error outside the documented fixes",
                    &format!("{ours}\n  error kind:  {kind:?} at {op:?}"),
                    "(not run)",
                ))
            }
        }
    }
    let up = match run_upstream(p) {
        Ok(up) => up,
        Err(msg) => return Verdict::Skipped(format!("upstream panicked: {msg}")),
    };
    match difference(&ours, &up) {
        None => Verdict::Same(ours),
        Some(what) if ours.json != up.json && what.starts_with("serde_json") => Verdict::Mismatch(describe(
            p,
            what,
            &format!("{ours}\n  json:        {:?}", ours.json),
            &format!("{up}\n  json:        {:?}", up.json),
        )),
        Some(what) => Verdict::Mismatch(describe(p, what, &ours.to_string(), &up.to_string())),
    }
}

/// Compares and panics (with the program and both outcomes) unless both VMs ran it and
/// agree; returns the common outcome for further assertions.
pub fn assert_same(p: &Program) -> Outcome {
    match compare(p) {
        Verdict::Same(o) => o,
        Verdict::Skipped(why) => panic!("case was skipped ({why}) but must run on both\nprogram:{p:?}"),
        Verdict::Mismatch(m) => panic!("{m}"),
    }
}
