//! Differential tests: random numeric, branching and looping programs run on the
//! interpreter and on each JIT tier must give the same result, stack, slots and errors.
//!
//! Programs are generated as small structured ASTs (assignments, if/else, `while` loops in
//! four shapes: test at the top, do-while, fused back-edge, `Keep` jumps; scopes; values
//! kept on the stack across loops) and compiled to ops, so every loop terminates. Operands
//! mix ints, floats (NaN, infinities, -0.0), bools, undef and a string constant, so native
//! code meets every kind change and every guard (zero divisors, string slots, fuel).

#![cfg(feature = "jit")]

use fusevm::{Chunk, JitCompiler, Limits, Op, VMResult, Value, VM};
use proptest::prelude::*;
use proptest::test_runner::RngAlgorithm;

/// `cases` cases with a fast generator (ChaCha, the default, dominates the run time of an
/// unoptimized test build).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------- programs

#[derive(Debug, Clone, Copy)]
enum Un {
    Negate,
    Inc,
    Dec,
    LogNot,
    BitNot,
}

#[derive(Debug, Clone, Copy)]
enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Cmp,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    LogAnd,
    LogOr,
}

#[derive(Debug, Clone)]
enum E {
    Int(i64),
    Float(f64),
    Bool(bool),
    Undef,
    /// `LoadConst` of the pool entry (0: a string, 1: an Int, 2: a Float).
    Const(u16),
    Slot(u16),
    PreInc(u16),
    Un(Un, Box<E>),
    Bin(Bin, Box<E>, Box<E>),
    /// `a` then `Dup`/`Swap`/`Rot` games that leave one value.
    Shuffle(Box<E>, Box<E>, u8),
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    While,
    DoWhile,
    Fused,
    Keep,
}

#[derive(Debug, Clone)]
enum S {
    Set(u16, E),
    If(E, Vec<S>, Vec<S>),
    /// `if` whose condition short-circuits through `JumpIfFalseKeep`.
    IfAnd(E, E, Vec<S>),
    Loop(Shape, i64, Vec<S>),
    Scope(Vec<S>),
    /// Pushes `e`, runs the body, then stores the kept value into the slot.
    Keep(E, Vec<S>, u16),
    IncVoid(u16),
    AddAssign(u16, u16),
    Accum(u16, u16, i32),
}

/// Data slots; loop counters live above them (one per nesting depth).
const DATA_SLOTS: u16 = 5;
const COUNTER_BASE: u16 = 8;

fn constants() -> Vec<Value> {
    vec![Value::str("7"), Value::Int(5), Value::Float(2.5)]
}

fn arb_leaf() -> impl Strategy<Value = E> {
    prop_oneof![
        4 => (-3i64..20).prop_map(E::Int),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, -1, 0, 63, 64]).prop_map(E::Int),
        2 => prop::sample::select(vec![0.5, -0.0, 2.0, 1e300, -3.25, f64::NAN, f64::INFINITY])
            .prop_map(E::Float),
        1 => any::<bool>().prop_map(E::Bool),
        1 => Just(E::Undef),
        1 => (0u16..3).prop_map(E::Const),
        6 => (0..DATA_SLOTS).prop_map(E::Slot),
        1 => (0..DATA_SLOTS).prop_map(E::PreInc),
    ]
}

fn arb_un() -> impl Strategy<Value = Un> {
    prop::sample::select(vec![Un::Negate, Un::Inc, Un::Dec, Un::LogNot, Un::BitNot])
}

fn arb_bin() -> impl Strategy<Value = Bin> {
    prop_oneof![
        6 => prop::sample::select(vec![Bin::Add, Bin::Sub, Bin::Mul, Bin::Lt, Bin::Gt]),
        4 => prop::sample::select(vec![
            Bin::Div, Bin::Mod, Bin::Pow, Bin::Eq, Bin::Ne, Bin::Le, Bin::Ge, Bin::Cmp,
            Bin::And, Bin::Or, Bin::Xor, Bin::Shl, Bin::Shr, Bin::LogAnd, Bin::LogOr,
        ]),
    ]
}

fn arb_expr() -> impl Strategy<Value = E> {
    arb_leaf().prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            4 => (arb_bin(), inner.clone(), inner.clone()).prop_map(|(o, a, b)| E::Bin(o, Box::new(a), Box::new(b))),
            1 => (arb_un(), inner.clone()).prop_map(|(o, a)| E::Un(o, Box::new(a))),
            1 => (inner.clone(), inner, 0u8..3).prop_map(|(a, b, k)| E::Shuffle(Box::new(a), Box::new(b), k)),
        ]
    })
}

fn arb_stmts(depth: u32) -> BoxedStrategy<Vec<S>> {
    let leaf = prop_oneof![
        6 => ((0..DATA_SLOTS), arb_expr()).prop_map(|(s, e)| S::Set(s, e)),
        1 => (0..DATA_SLOTS).prop_map(S::IncVoid),
        1 => ((0..DATA_SLOTS), (0..DATA_SLOTS)).prop_map(|(a, b)| S::AddAssign(a, b)),
        1 => ((0..DATA_SLOTS), (0..DATA_SLOTS), -2i32..12).prop_map(|(a, b, n)| S::Accum(a, b, n)),
    ];
    if depth == 0 {
        return prop::collection::vec(leaf, 1..4).boxed();
    }
    let inner = arb_stmts(depth - 1);
    let stmt = prop_oneof![
        6 => leaf,
        2 => (arb_expr(), inner.clone(), inner.clone()).prop_map(|(c, t, e)| S::If(c, t, e)),
        1 => (arb_expr(), arb_expr(), inner.clone()).prop_map(|(a, b, t)| S::IfAnd(a, b, t)),
        3 => (
            prop::sample::select(vec![Shape::While, Shape::DoWhile, Shape::Fused, Shape::Keep]),
            -1i64..12,
            inner.clone()
        )
            .prop_map(|(sh, n, body)| S::Loop(sh, n, body)),
        1 => inner.clone().prop_map(S::Scope),
        1 => (arb_expr(), inner, 0..DATA_SLOTS).prop_map(|(e, body, s)| S::Keep(e, body, s)),
    ];
    prop::collection::vec(stmt, 1..5).boxed()
}

/// A program: statements, then optionally a result expression.
#[derive(Debug, Clone)]
struct Program {
    body: Vec<S>,
    result: Option<E>,
}

fn arb_program() -> impl Strategy<Value = Program> {
    (arb_stmts(2), prop::option::weighted(0.85, arb_expr()))
        .prop_map(|(body, result)| Program { body, result })
}

// ---------------------------------------------------------------- compiling programs

struct Emit {
    ops: Vec<Op>,
    depth: u16,
}

impl Emit {
    fn at(&self) -> usize {
        self.ops.len()
    }

    fn op(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// Points the branch at `at` to `target`.
    fn patch(&mut self, at: usize, target: usize) {
        self.ops[at] = match self.ops[at] {
            Op::Jump(_) => Op::Jump(target),
            Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
            Op::JumpIfFalseKeep(_) => Op::JumpIfFalseKeep(target),
            Op::SlotLtIntJumpIfFalse(s, l, _) => Op::SlotLtIntJumpIfFalse(s, l, target),
            other => other,
        };
    }

    fn expr(&mut self, e: &E) {
        match e {
            E::Int(n) => drop(self.op(Op::LoadInt(*n))),
            E::Float(f) => drop(self.op(Op::LoadFloat(*f))),
            E::Bool(true) => drop(self.op(Op::LoadTrue)),
            E::Bool(false) => drop(self.op(Op::LoadFalse)),
            E::Undef => drop(self.op(Op::LoadUndef)),
            E::Const(c) => drop(self.op(Op::LoadConst(*c))),
            E::Slot(s) => drop(self.op(Op::GetSlot(*s))),
            E::PreInc(s) => drop(self.op(Op::PreIncSlot(*s))),
            E::Un(o, a) => {
                self.expr(a);
                self.op(match o {
                    Un::Negate => Op::Negate,
                    Un::Inc => Op::Inc,
                    Un::Dec => Op::Dec,
                    Un::LogNot => Op::LogNot,
                    Un::BitNot => Op::BitNot,
                });
            }
            E::Bin(o, a, b) => {
                self.expr(a);
                self.expr(b);
                self.op(bin_op(*o));
            }
            E::Shuffle(a, b, k) => {
                self.expr(a);
                self.expr(b);
                match k {
                    0 => {
                        self.op(Op::Swap);
                        self.op(Op::Pop);
                    }
                    1 => {
                        self.op(Op::Dup2);
                        self.op(Op::Rot);
                        self.op(Op::Pop);
                        self.op(Op::Pop);
                        self.op(Op::Add);
                    }
                    _ => {
                        self.op(Op::Dup);
                        self.op(Op::Rot);
                        self.op(Op::Sub);
                        self.op(Op::Swap);
                        self.op(Op::Pop);
                    }
                }
            }
        }
    }

    fn stmts(&mut self, ss: &[S]) {
        for s in ss {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &S) {
        match s {
            S::Set(slot, e) => {
                self.expr(e);
                self.op(Op::SetSlot(*slot));
            }
            S::IncVoid(slot) => drop(self.op(Op::PreIncSlotVoid(*slot))),
            S::AddAssign(a, b) => drop(self.op(Op::AddAssignSlotVoid(*a, *b))),
            S::Accum(a, b, n) => drop(self.op(Op::AccumSumLoop(*a, *b, *n))),
            S::If(c, t, e) => {
                self.expr(c);
                let jf = self.op(Op::JumpIfFalse(0));
                self.stmts(t);
                let j = self.op(Op::Jump(0));
                let else_at = self.at();
                self.patch(jf, else_at);
                self.stmts(e);
                let end = self.at();
                self.patch(j, end);
            }
            S::IfAnd(a, b, t) => {
                self.expr(a);
                let jk = self.op(Op::JumpIfFalseKeep(0));
                self.op(Op::Pop);
                self.expr(b);
                let join = self.at();
                self.patch(jk, join);
                let jf = self.op(Op::JumpIfFalse(0));
                self.stmts(t);
                let end = self.at();
                self.patch(jf, end);
            }
            S::Scope(body) => {
                self.op(Op::PushFrame);
                let saved = self.depth;
                self.depth = 0;
                self.stmts(body);
                self.depth = saved;
                self.op(Op::PopFrame);
            }
            S::Keep(e, body, slot) => {
                self.expr(e);
                self.stmts(body);
                self.op(Op::SetSlot(*slot));
            }
            S::Loop(shape, n, body) => self.lp(*shape, *n, body),
        }
    }

    fn lp(&mut self, shape: Shape, n: i64, body: &[S]) {
        let c = COUNTER_BASE + self.depth;
        self.depth += 1;
        self.op(Op::LoadInt(0));
        self.op(Op::SetSlot(c));
        let inc = |e: &mut Emit| {
            e.op(Op::GetSlot(c));
            e.op(Op::LoadInt(1));
            e.op(Op::Add);
            e.op(Op::SetSlot(c));
        };
        let test = |e: &mut Emit| {
            e.op(Op::GetSlot(c));
            e.op(Op::LoadInt(n));
            e.op(Op::NumLt);
        };
        match shape {
            Shape::While => {
                let top = self.at();
                test(self);
                let jf = self.op(Op::JumpIfFalse(0));
                self.stmts(body);
                inc(self);
                self.op(Op::Jump(top));
                let end = self.at();
                self.patch(jf, end);
            }
            Shape::DoWhile => {
                test(self);
                let jf = self.op(Op::JumpIfFalse(0));
                let top = self.at();
                self.stmts(body);
                inc(self);
                test(self);
                self.op(Op::JumpIfTrue(top));
                let end = self.at();
                self.patch(jf, end);
            }
            Shape::Fused => {
                let guard = self.op(Op::SlotLtIntJumpIfFalse(c, n as i32, 0));
                let top = self.at();
                self.stmts(body);
                self.op(Op::SlotIncLtIntJumpBack(c, n as i32, top));
                let end = self.at();
                self.patch(guard, end);
            }
            Shape::Keep => {
                let top = self.at();
                test(self);
                let jk = self.op(Op::JumpIfFalseKeep(0));
                self.op(Op::Pop);
                self.stmts(body);
                inc(self);
                self.op(Op::Jump(top));
                let exit = self.at();
                self.patch(jk, exit);
                self.op(Op::Pop);
            }
        }
        self.depth -= 1;
    }
}

fn bin_op(o: Bin) -> Op {
    match o {
        Bin::Add => Op::Add,
        Bin::Sub => Op::Sub,
        Bin::Mul => Op::Mul,
        Bin::Div => Op::Div,
        Bin::Mod => Op::Mod,
        Bin::Pow => Op::Pow,
        Bin::Eq => Op::NumEq,
        Bin::Ne => Op::NumNe,
        Bin::Lt => Op::NumLt,
        Bin::Gt => Op::NumGt,
        Bin::Le => Op::NumLe,
        Bin::Ge => Op::NumGe,
        Bin::Cmp => Op::Spaceship,
        Bin::And => Op::BitAnd,
        Bin::Or => Op::BitOr,
        Bin::Xor => Op::BitXor,
        Bin::Shl => Op::Shl,
        Bin::Shr => Op::Shr,
        Bin::LogAnd => Op::LogAnd,
        Bin::LogOr => Op::LogOr,
    }
}

fn chunk_of(p: &Program) -> Chunk {
    let mut e = Emit {
        ops: Vec::new(),
        depth: 0,
    };
    e.stmts(&p.body);
    if let Some(r) = &p.result {
        e.expr(r);
    }
    Chunk {
        ops: e.ops,
        constants: constants(),
        ..Chunk::default()
    }
}

// ---------------------------------------------------------------- running

/// What a run leaves behind, compared field by field.
struct Snapshot {
    result: String,
    kind: Option<&'static str>,
    stack: Vec<Value>,
    slots: Vec<Value>,
    fuel_left: Option<u64>,
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

fn same_values(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
}

fn show(r: &VMResult) -> String {
    match r {
        // NaN payloads may differ between native code and Rust; the variant may not.
        VMResult::Ok(Value::Float(f)) if f.is_nan() => "Ok(Float(NaN))".into(),
        other => format!("{other:?}"),
    }
}

fn run_vm(chunk: &Chunk, slots: &[Value], fuel: Option<u64>, jit: bool) -> Snapshot {
    let mut vm = VM::new(chunk.clone());
    vm.frames[0].slots = slots.to_vec();
    vm.set_limits(Limits {
        fuel,
        ..Limits::default()
    });
    if jit {
        vm.enable_tracing_jit();
    }
    let result = vm.run();
    Snapshot {
        result: show(&result),
        kind: vm.last_error().map(|e| e.kind.name()),
        stack: vm.stack.clone(),
        slots: vm.frames[0].slots.clone(),
        fuel_left: vm.fuel_left(),
    }
}

fn assert_same(tier: &str, want: &Snapshot, got: &Snapshot) -> Result<(), TestCaseError> {
    prop_assert_eq!(&got.result, &want.result, "{}: result", tier);
    prop_assert_eq!(got.kind, want.kind, "{}: error kind", tier);
    prop_assert!(
        same_values(&got.stack, &want.stack),
        "{}: stack {:?} vs {:?}",
        tier,
        got.stack,
        want.stack
    );
    prop_assert!(
        same_values(&got.slots, &want.slots),
        "{}: slots {:?} vs {:?}",
        tier,
        got.slots,
        want.slots
    );
    prop_assert_eq!(got.fuel_left, want.fuel_left, "{}: fuel left", tier);
    Ok(())
}

fn arb_slot_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (-5i64..50).prop_map(Value::Int),
        2 => prop::sample::select(vec![0.5, -2.0, f64::NAN]).prop_map(Value::Float),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Undef),
        1 => Just(Value::str("12")),
    ]
}

/// Block tier through `VM::run`: eleven runs with tracing on (ten warm the chunk up in the
/// interpreter, the eleventh compiles it and runs natively) must each equal the
/// interpreter's run.
fn check_block_vm(chunk: &Chunk, slots: &[Value], fuel: Option<u64>) -> Result<(), TestCaseError> {
    let jit = JitCompiler::new();
    prop_assert!(jit.is_block_eligible(chunk));
    let want = run_vm(chunk, slots, fuel, false);
    for _ in 0..11 {
        let got = run_vm(chunk, slots, fuel, true);
        assert_same("block (VM)", &want, &got)?;
    }
    prop_assert!(jit.block_jit_is_compiled(chunk), "block tier did not compile");
    Ok(())
}

/// `try_run_block_eager` on Int slot words answers `Some(n)` exactly when the interpreter's
/// result is `Int(n)` with all slots Ints that fit, and then writes the slots back.
fn check_block_api(chunk: &Chunk, words: &[i64]) -> Result<(), TestCaseError> {
    let slots: Vec<Value> = words.iter().map(|&w| Value::Int(w)).collect();
    let mut vm = VM::new(chunk.clone());
    vm.frames[0].slots = slots;
    let result = vm.run();
    let final_ints: Option<Vec<i64>> = vm.frames[0]
        .slots
        .iter()
        .map(|v| match v {
            Value::Int(n) => Some(*n),
            _ => None,
        })
        .collect();
    let want = match (result, final_ints) {
        (VMResult::Ok(Value::Int(n)), Some(ints)) if ints.len() <= words.len() => {
            let mut w = words.to_vec();
            w[..ints.len()].copy_from_slice(&ints);
            Some((n, w))
        }
        _ => None,
    };
    let mut got_words = words.to_vec();
    let got = JitCompiler::new().try_run_block_eager(chunk, &mut got_words);
    match want {
        Some((n, w)) => {
            prop_assert_eq!(got, Some(n));
            prop_assert_eq!(got_words, w);
        }
        None => {
            prop_assert_eq!(got, None);
            prop_assert_eq!(got_words, words.to_vec(), "slots changed on None");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- linear programs

fn arb_linear_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (-3i64..9).prop_map(Op::LoadInt),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, -1]).prop_map(Op::LoadInt),
        2 => prop::sample::select(vec![0.5, -0.0, 3.0, f64::NAN, f64::NEG_INFINITY, 1e19]).prop_map(Op::LoadFloat),
        1 => (1u16..3).prop_map(Op::LoadConst),
        1 => prop::sample::select(vec![Op::LoadTrue, Op::LoadFalse, Op::LoadUndef]),
        3 => (0u16..4).prop_map(Op::GetSlot),
        1 => (0u16..4).prop_map(Op::SetSlot),
        1 => (0u16..4).prop_map(Op::PreIncSlot),
        1 => (0u16..4).prop_map(Op::PreIncSlotVoid),
        1 => ((0u16..4), (0u16..4)).prop_map(|(a, b)| Op::AddAssignSlotVoid(a, b)),
        1 => prop::sample::select(vec![Op::Pop, Op::Dup, Op::Dup2, Op::Swap, Op::Rot]),
        6 => arb_bin().prop_map(bin_op),
        2 => prop::sample::select(vec![Op::Negate, Op::Inc, Op::Dec, Op::LogNot, Op::BitNot]),
    ]
}

/// `try_run_linear` equals the interpreter on an entry frame of Int slots `words`.
fn check_linear(chunk: &Chunk, words: &[i64]) -> Result<(), TestCaseError> {
    let jit = JitCompiler::new();
    if !jit.is_linear_eligible(chunk) {
        prop_assert_eq!(jit.try_run_linear(chunk, words), None);
        return Ok(());
    }
    let mut vm = VM::new(chunk.clone());
    vm.frames[0].slots = words.iter().map(|&w| Value::Int(w)).collect();
    let want = match vm.run() {
        VMResult::Ok(v) => Some(v),
        VMResult::Halted | VMResult::Error(_) => None,
    };
    let got = jit.try_run_linear(chunk, words);
    match (&want, &got) {
        (Some(a), Some(b)) => prop_assert!(same_value(a, b), "linear {:?} vs interpreter {:?}", b, a),
        _ => prop_assert_eq!(got, want),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn block_tier_in_the_vm_equals_the_interpreter(
        p in arb_program(),
        slots in prop::collection::vec(arb_slot_value(), 0..7),
        fuel in prop::option::weighted(0.3, 0u64..3000),
    ) {
        check_block_vm(&chunk_of(&p), &slots, fuel)?;
    }
}

proptest! {
    #![proptest_config(config(2500))]

    #[test]
    fn block_api_equals_the_interpreter(
        p in arb_program(),
        words in prop::collection::vec(-4i64..40, 0..10),
    ) {
        check_block_api(&chunk_of(&p), &words)?;
    }
}

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn linear_tier_equals_the_interpreter(
        ops in prop::collection::vec(arb_linear_op(), 1..24),
        words in prop::collection::vec(-4i64..40, 0..5),
    ) {
        let chunk = Chunk { ops, constants: constants(), ..Chunk::default() };
        check_linear(&chunk, &words)?;
    }
}

#[test]
fn generated_programs_reach_every_loop_shape() {
    // The generator is the test's reach: make sure it emits what the tiers must handle.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let p = arb_program().new_tree(&mut runner).unwrap().current();
        for op in chunk_of(&p).ops {
            seen.insert(format!("{:?}", op).split('(').next().unwrap_or("").to_string());
        }
    }
    for name in [
        "JumpIfTrue",
        "JumpIfFalse",
        "JumpIfFalseKeep",
        "SlotIncLtIntJumpBack",
        "SlotLtIntJumpIfFalse",
        "PushFrame",
        "PopFrame",
        "AccumSumLoop",
        "Div",
        "LoadConst",
    ] {
        assert!(seen.contains(name), "generator never emits {name}");
    }
}
