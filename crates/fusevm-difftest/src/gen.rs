//! Random program generation (proptest strategies) for the differential properties.
//!
//! Programs are generated as a small structured tree ([`Stmt`]) and lowered to a flat
//! [`Program`]; shrinking works on the tree, and a failing case prints the lowered listing.
//! The structure is what keeps every generated program inside the comparable subset:
//! - branches only jump forward inside their own statement (or to exactly the end, `Halt`);
//! - loops count in a reserved slot (6 or 7, by nesting depth) that no random op writes
//!   (random slot writes use slots 0..=5), up to a fixed bound of at most 5, so upstream,
//!   which has no instruction budget, terminates;
//! - `Return`/`ReturnValue` appear only inside functions and never inside a
//!   `PushFrame`/`PopFrame` scope, which is always balanced (quirks B1–B3);
//! - a `Call` pushes its arguments right before it (no argc > stack depth, B4), and
//!   function `i` only calls functions `j > i` (no unbounded recursion);
//! - main ends with a jump to the end, so function bodies run only when called;
//! - `HashKeys`/`HashValues` are followed by the sort builtin (order unspecified, C6);
//! - loop and function bodies draw from a "safe" op pool without the ops that nest
//!   containers (`MakeArray(n>1)`, `MakeHash`, container stores), so repeated execution
//!   cannot grow values exponentially; string and flat-array growth is capped by our
//!   string / collection limits (cases that reach them are discarded).
//!
//! Everything else (extreme operands, underflow, odd coercions) is left to chance; cases
//! that hit one of our limits or an upstream panic are discarded by [`crate::run::compare`].

use crate::program::{s, PConst, POp, Program};
use crate::run::{BUILTIN_SORT, BUILTIN_SUM, BUILTIN_UNREGISTERED};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;
use std::fmt;

/// Global indices random ops use (the name pool is shorter, so some writes grow `globals`).
const GLOBALS: u16 = 10;
/// Slots random ops may write.
const WRITE_SLOTS: u16 = 6;
/// Slots random ops may read (includes the loop counters and never-written ones).
const READ_SLOTS: u16 = 10;
/// The loop-counter slot at nesting depth 0; depth 1 uses the next one.
const COUNTER_SLOT: u16 = 6;
/// Name pool: globals g0..g3, functions f0..f2 (indices 4..=6), and a name with no entry.
const NAMES: [&str; 8] = ["g0", "g1", "g2", "g3", "f0", "f1", "f2", "nofunc"];
const FUNC_NAME_BASE: u16 = 4;
const NOFUNC: u16 = 7;
/// Marker target patched to the program length.
const END: usize = usize::MAX;

/// The standard constant pool of random programs: coercion edge cases of every kind.
pub fn standard_constants() -> Vec<PConst> {
    let mut hash = BTreeMap::new();
    hash.insert("k".to_string(), PConst::Int(1));
    hash.insert("x".to_string(), s("y"));
    vec![
        PConst::Int(0),
        PConst::Int(1),
        PConst::Int(-1),
        PConst::Int(i64::MAX),
        PConst::Int(i64::MIN),
        PConst::Int(42),
        PConst::Float(0.0),
        PConst::Float(-0.0),
        PConst::Float(1.5),
        PConst::Float(-2.7),
        PConst::Float(f64::NAN),
        PConst::Float(f64::INFINITY),
        PConst::Float(f64::NEG_INFINITY),
        PConst::Float(1e300),
        s(""),
        s("0"),
        s("42"),
        s("3.7"),
        s(" 42"),
        s("abc"),
        s("inf"),
        s("NaN"),
        s("-7"),
        s("1e3"),
        s("héllo"),
        s("a b  c"),
        PConst::Bool(true),
        PConst::Bool(false),
        PConst::Undef,
        PConst::Status(0),
        PConst::Status(1),
        PConst::Status(300),
        PConst::Array(vec![PConst::Int(1), s("x"), PConst::Undef]),
        PConst::Hash(hash),
        PConst::NativeFn(3),
        PConst::Ref(Box::new(PConst::Int(1))),
        s("+5"),
        s("{a,b}"),
        s("~"),
        s("00"),
        PConst::Int(300_000_000_000),
        PConst::Float(2.5),
        PConst::Array(vec![]),
        s("9223372036854775808"),
    ]
}

fn n_consts() -> u16 {
    standard_constants().len() as u16
}

/// A conditional forward jump.
#[derive(Debug, Clone, Copy)]
pub enum Cond {
    IfTrue,
    IfFalse,
    IfTrueKeep,
    IfFalseKeep,
    /// `SlotLtIntJumpIfFalse(slot, limit, _)`.
    SlotLt(u16, i32),
}

/// How a bounded loop is written.
#[derive(Debug, Clone, Copy)]
pub enum LoopKind {
    /// `GetSlot c; Inc; Dup; SetSlot c; LoadInt n; NumLt; JumpIfTrue top`.
    Generic,
    /// `SlotIncLtIntJumpBack(c, n, top)`.
    FusedBack,
    /// `top: SlotLtIntJumpIfFalse(c, n, end); body; PreIncSlotVoid(c); Jump top`.
    FusedTop,
    /// `PreIncSlot(c); LoadInt n; NumLt; JumpIfFalseKeep end; Pop; Jump top; end: Pop`.
    Keep,
}

/// One statement of the generated tree.
#[derive(Debug, Clone)]
pub enum Stmt {
    /// A plain op or a fixed short sequence.
    Ops(Vec<POp>),
    If(Cond, Vec<Stmt>, Vec<Stmt>),
    Loop(LoopKind, u8, Vec<Stmt>),
    /// `PushFrame; body; PopFrame`.
    Scope(Vec<Stmt>),
    /// Push the argument ops, then call function `func % n` (a legal callee).
    Call(u8, Vec<POp>),
    /// Push the arguments, then call a name with no entry (an error).
    CallUndefined(Vec<POp>),
    /// `Jump` to exactly the end of the program.
    Halt,
    /// `ReturnValue` (true) or `Return`; only generated inside functions.
    Ret(bool),
}

/// A function: optional prologue moving `argc` arguments into slots, body, return.
#[derive(Debug, Clone)]
pub struct Func {
    pub argc: u8,
    pub take_args: bool,
    pub body: Vec<Stmt>,
    pub return_value: bool,
}

/// A generated program before lowering.
#[derive(Clone)]
pub struct Spec {
    pub main: Vec<Stmt>,
    pub funcs: Vec<Func>,
    pub handlers: bool,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.lower())
    }
}

struct Lowering {
    ops: Vec<POp>,
    nfuncs: usize,
}

impl Lowering {
    fn emit(&mut self, op: POp) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    fn patch(&mut self, at: usize, target: usize) {
        self.ops[at] = self.ops[at].with_target(target);
    }

    fn here(&self) -> usize {
        self.ops.len()
    }

    /// `caller`: index of the function being lowered (`None` in main).
    fn block(&mut self, stmts: &[Stmt], depth: u16, caller: Option<usize>) {
        for st in stmts {
            self.stmt(st, depth, caller);
        }
    }

    fn stmt(&mut self, st: &Stmt, depth: u16, caller: Option<usize>) {
        match st {
            Stmt::Ops(ops) => ops.iter().for_each(|&op| {
                self.emit(op);
            }),
            Stmt::If(cond, then, els) => {
                let j = self.emit(match *cond {
                    Cond::IfTrue => POp::JumpIfTrue(0),
                    Cond::IfFalse => POp::JumpIfFalse(0),
                    Cond::IfTrueKeep => POp::JumpIfTrueKeep(0),
                    Cond::IfFalseKeep => POp::JumpIfFalseKeep(0),
                    Cond::SlotLt(slot, limit) => POp::SlotLtIntJumpIfFalse(slot, limit, 0),
                });
                self.block(then, depth, caller);
                if els.is_empty() {
                    let end = self.here();
                    self.patch(j, end);
                } else {
                    let skip = self.emit(POp::Jump(0));
                    let else_start = self.here();
                    self.patch(j, else_start);
                    self.block(els, depth, caller);
                    let end = self.here();
                    self.patch(skip, end);
                }
            }
            Stmt::Loop(kind, bound, body) => self.lower_loop(*kind, *bound, body, depth, caller),
            Stmt::Scope(body) => {
                self.emit(POp::PushFrame);
                self.block(body, depth, caller);
                self.emit(POp::PopFrame);
            }
            Stmt::Call(func, args) => {
                args.iter().for_each(|&a| {
                    self.emit(a);
                });
                let first = caller.map_or(0, |c| c + 1);
                if first < self.nfuncs {
                    let callee = first + *func as usize % (self.nfuncs - first);
                    self.emit(POp::Call(FUNC_NAME_BASE + callee as u16, args.len() as u8));
                } else {
                    // No legal callee (the last function may not recurse): a builtin instead.
                    self.emit(POp::CallBuiltin(BUILTIN_SUM, args.len() as u8));
                }
            }
            Stmt::CallUndefined(args) => {
                args.iter().for_each(|&a| {
                    self.emit(a);
                });
                self.emit(POp::Call(NOFUNC, args.len() as u8));
            }
            Stmt::Halt => {
                self.emit(POp::Jump(END));
            }
            Stmt::Ret(true) => {
                self.emit(POp::ReturnValue);
            }
            Stmt::Ret(false) => {
                self.emit(POp::Return);
            }
        }
    }

    fn lower_loop(&mut self, kind: LoopKind, bound: u8, body: &[Stmt], depth: u16, caller: Option<usize>) {
        let c = COUNTER_SLOT + depth;
        let n = bound as i64;
        self.emit(POp::LoadInt(0));
        self.emit(POp::SetSlot(c));
        let top = self.here();
        match kind {
            LoopKind::Generic => {
                self.block(body, depth + 1, caller);
                for op in [
                    POp::GetSlot(c),
                    POp::Inc,
                    POp::Dup,
                    POp::SetSlot(c),
                    POp::LoadInt(n),
                    POp::NumLt,
                ] {
                    self.emit(op);
                }
                self.emit(POp::JumpIfTrue(top));
            }
            LoopKind::FusedBack => {
                self.block(body, depth + 1, caller);
                self.emit(POp::SlotIncLtIntJumpBack(c, n as i32, top));
            }
            LoopKind::FusedTop => {
                let test = self.emit(POp::SlotLtIntJumpIfFalse(c, n as i32, 0));
                self.block(body, depth + 1, caller);
                self.emit(POp::PreIncSlotVoid(c));
                self.emit(POp::Jump(top));
                let end = self.here();
                self.patch(test, end);
            }
            LoopKind::Keep => {
                self.block(body, depth + 1, caller);
                self.emit(POp::PreIncSlot(c));
                self.emit(POp::LoadInt(n));
                self.emit(POp::NumLt);
                let exit = self.emit(POp::JumpIfFalseKeep(0));
                self.emit(POp::Pop);
                self.emit(POp::Jump(top));
                let end = self.here();
                self.patch(exit, end);
                self.emit(POp::Pop);
            }
        }
    }
}

impl Spec {
    /// Lowers the tree to a flat program with the standard pools.
    pub fn lower(&self) -> Program {
        let mut l = Lowering {
            ops: Vec::new(),
            nfuncs: self.funcs.len(),
        };
        l.block(&self.main, 0, None);
        l.emit(POp::Jump(END));
        let mut subs = Vec::new();
        for (i, func) in self.funcs.iter().enumerate() {
            subs.push((FUNC_NAME_BASE + i as u16, l.here()));
            if func.take_args {
                for slot in (0..func.argc as u16).rev() {
                    l.emit(POp::SetSlot(slot));
                }
            }
            l.block(&func.body, 0, Some(i));
            l.stmt(&Stmt::Ret(func.return_value), 0, Some(i));
        }
        let len = l.ops.len();
        for op in &mut l.ops {
            if op.target() == Some(END) {
                *op = op.with_target(len);
            }
        }
        Program {
            ops: l.ops,
            constants: standard_constants(),
            names: NAMES.iter().map(|n| n.to_string()).collect(),
            subs,
            sub_chunks: 1,
            handlers: self.handlers,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Strategies

fn int_operand() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => select(vec![
            0, 1, -1, 2, 3, 5, 7, -7, 10, 42, 63, 64, 65, -64, 100, 255, 256,
            i32::MAX as i64, i32::MIN as i64, i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1,
            300_000_000_000,
        ]),
        1 => any::<i64>(),
    ]
}

fn float_operand() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => select(vec![
            0.0, -0.0, 0.5, 1.5, -1.5, 2.5, 3.7, -2.7, 1e300, -1e300, 1e-300, f64::NAN,
            f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE, 9.3e18, -9.3e18,
            1e21, 1e-7, 0.1,
        ]),
        1 => any::<f64>(),
    ]
}

fn small_limit() -> impl Strategy<Value = i32> {
    prop_oneof![8 => -2i32..12, 1 => select(vec![i32::MAX, i32::MIN])]
}

/// Ops that push one value.
fn pusher() -> BoxedStrategy<POp> {
    prop_oneof![
        3 => int_operand().prop_map(POp::LoadInt),
        2 => float_operand().prop_map(POp::LoadFloat),
        4 => (0..n_consts()).prop_map(POp::LoadConst),
        1 => Just(POp::LoadTrue),
        1 => Just(POp::LoadFalse),
        1 => Just(POp::LoadUndef),
        2 => (0..READ_SLOTS).prop_map(POp::GetSlot),
        2 => (0..GLOBALS).prop_map(POp::GetVar),
        1 => Just(POp::GetStatus),
    ]
    .boxed()
}

fn nullary(ops: &[POp]) -> BoxedStrategy<POp> {
    select(ops.to_vec()).boxed()
}

/// Ops safe to repeat in loops and functions (no value-combining growth).
fn safe_op() -> BoxedStrategy<POp> {
    use POp::*;
    let g = || 0..GLOBALS;
    let w = || 0..WRITE_SLOTS;
    let r = || 0..READ_SLOTS;
    let vars = prop_oneof![
        g().prop_map(SetVar),
        g().prop_map(DeclareVar),
        w().prop_map(SetSlot),
        r().prop_map(SlotArrayGet),
        g().prop_map(GetArray),
        g().prop_map(SetArray),
        g().prop_map(DeclareArray),
        g().prop_map(ArrayGet),
        g().prop_map(ArrayPop),
        g().prop_map(ArrayShift),
        g().prop_map(ArrayLen),
        g().prop_map(GetHash),
        g().prop_map(SetHash),
        g().prop_map(DeclareHash),
        g().prop_map(HashGet),
        g().prop_map(HashDelete),
        g().prop_map(HashExists),
        (0u16..2).prop_map(MakeArray),
    ];
    let arith = nullary(&[
        Add, Sub, Mul, Div, Mod, Pow, Negate, Inc, Dec, StringLen, NumEq, NumNe, NumLt, NumGt, NumLe, NumGe,
        Spaceship, StrEq, StrNe, StrLt, StrGt, StrLe, StrGe, StrCmp, LogNot, LogAnd, LogOr, BitAnd, BitOr,
        BitXor, BitNot, Shl, Shr,
    ]);
    let stack = nullary(&[Nop, Pop, Dup, Dup2, Swap, Rot]);
    // Strings and flat int arrays: their growth is capped by our string / collection
    // limits (such cases are discarded), so they may repeat.
    let strings = prop_oneof![
        nullary(&[Concat, StringRepeat, Range, RangeStep]),
        (0..n_consts(), w(), w(), small_limit()).prop_map(|(c, a, b, l)| ConcatConstLoop(c, a, b, l)),
        (g(), w(), small_limit()).prop_map(|(a, b, l)| PushIntRangeLoop(a, b, l)),
    ];
    let fused = prop_oneof![
        w().prop_map(PreIncSlot),
        w().prop_map(PreIncSlotVoid),
        (w(), w(), small_limit()).prop_map(|(a, b, l)| AccumSumLoop(a, b, l)),
        (w(), r()).prop_map(|(a, b)| AddAssignSlotVoid(a, b)),
    ];
    let ext = prop_oneof![
        (select(vec![BUILTIN_SUM, BUILTIN_UNREGISTERED]), 0u8..4).prop_map(|(id, n)| CallBuiltin(id, n)),
        (0u16..3, any::<u8>()).prop_map(|(id, a)| Extended(id, a)),
        (0u16..3, prop_oneof![0usize..100, Just(usize::MAX)]).prop_map(|(id, p)| ExtendedWide(id, p)),
        (0u16..3).prop_map(MapBlock),
        (0u16..3).prop_map(GrepBlock),
        (0u16..3).prop_map(SortBlock),
        (0u16..3).prop_map(ForEachBlock),
        Just(SortDefault),
    ];
    let shell = prop_oneof![
        nullary(&[
            PipelineStage,
            PipelineEnd,
            HereString,
            SubshellBegin,
            SubshellEnd,
            SetStatus,
            GetStatus,
            TrapCheck,
            WordSplit,
            BraceExpand,
            TildeExpand,
            StrMatch,
            RegexMatch,
            WithRedirectsEnd,
        ]),
        (0u8..4).prop_map(PipelineBegin),
        (0u8..3, 0u8..9).prop_map(|(fd, op)| Redirect(fd, op)),
        (0..n_consts()).prop_map(HereDoc),
        Just(CmdSubst(0)),
        Just(ProcessSubIn(0)),
        Just(ProcessSubOut(0)),
        Just(TrapSet(0)),
        (0u8..20).prop_map(ExpandParam),
        (0u8..3).prop_map(WithRedirectsBegin),
    ];
    prop_oneof![
        8 => pusher(),
        3 => stack,
        4 => vars,
        6 => arith,
        2 => strings,
        2 => fused,
        1 => ext,
        2 => shell,
    ]
    .boxed()
}

/// Short fixed sequences that keep operands in a comparable range.
fn safe_unit() -> BoxedStrategy<Vec<POp>> {
    (0..GLOBALS, any::<bool>())
        .prop_map(|(g, values)| {
            let keys = if values {
                POp::HashValues(g)
            } else {
                POp::HashKeys(g)
            };
            vec![keys, POp::CallBuiltin(BUILTIN_SORT, 1)]
        })
        .boxed()
}

/// Ops that put containers into containers: nesting growth no limit of ours caps, so
/// only in code that runs once (straight-line main code).
fn growth_op() -> BoxedStrategy<POp> {
    use POp::*;
    let g = || 0..GLOBALS;
    let w = || 0..WRITE_SLOTS;
    prop_oneof![
        8 => (0u16..6).prop_map(MakeArray),
        8 => (0u16..7).prop_map(MakeHash),
        1 => select(vec![MakeArray(u16::MAX), MakeHash(u16::MAX)]),
        8 => g().prop_map(ArraySet),
        8 => g().prop_map(ArrayPush),
        8 => g().prop_map(HashSet),
        8 => w().prop_map(SlotArraySet),
    ]
    .boxed()
}

fn growth_unit() -> BoxedStrategy<Vec<POp>> {
    use POp::*;
    prop_oneof![
        (-1i64..4).prop_map(|k| vec![LoadInt(k), StringRepeat]),
        (-3i64..6, -3i64..9).prop_map(|(a, b)| vec![LoadInt(a), LoadInt(b), Range]),
        (-9i64..9, -9i64..9, -4i64..5).prop_map(|(a, b, st)| vec![
            LoadInt(a),
            LoadInt(b),
            LoadInt(st),
            RangeStep
        ]),
        (0i64..6, 0..GLOBALS).prop_map(|(i, g)| vec![LoadInt(i), ArraySet(g)]),
        (0i64..6, 0..WRITE_SLOTS).prop_map(|(i, sl)| vec![LoadInt(i), SlotArraySet(sl)]),
    ]
    .boxed()
}

/// A leaf statement; `safe` restricts it to the safe pool.
fn leaf(safe: bool) -> BoxedStrategy<Stmt> {
    let base = prop_oneof![
        10 => safe_op().prop_map(|op| Stmt::Ops(vec![op])),
        1 => safe_unit().prop_map(Stmt::Ops),
    ];
    if safe {
        base.boxed()
    } else {
        prop_oneof![
            10 => base,
            3 => growth_op().prop_map(|op| Stmt::Ops(vec![op])),
            2 => growth_unit().prop_map(Stmt::Ops),
        ]
        .boxed()
    }
}

fn cond() -> BoxedStrategy<Cond> {
    prop_oneof![
        Just(Cond::IfTrue),
        Just(Cond::IfFalse),
        Just(Cond::IfTrueKeep),
        Just(Cond::IfFalseKeep),
        (0..READ_SLOTS, small_limit()).prop_map(|(sl, l)| Cond::SlotLt(sl, l)),
    ]
    .boxed()
}

fn loop_kind() -> BoxedStrategy<LoopKind> {
    select(vec![
        LoopKind::Generic,
        LoopKind::FusedBack,
        LoopKind::FusedTop,
        LoopKind::Keep,
    ])
    .boxed()
}

/// Where a block is generated.
#[derive(Clone, Copy)]
struct Ctx {
    /// Inside a loop or a function: safe ops only.
    safe: bool,
    /// Loop nesting depth so far (at most 2).
    loops: u8,
    /// Inside a function and not inside a scope: `Ret` allowed.
    may_return: bool,
    /// Remaining nesting budget for compound statements.
    nest: u8,
}

fn stmt(ctx: Ctx) -> BoxedStrategy<Stmt> {
    let args = || prop::collection::vec(pusher(), 0..4);
    // Weights: statements that end the run early (undefined call, halt) stay rare so
    // most programs run to their end.
    let mut choices: Vec<(u32, BoxedStrategy<Stmt>)> = vec![
        (40, leaf(ctx.safe)),
        (
            4,
            (any::<u8>(), args()).prop_map(|(f, a)| Stmt::Call(f, a)).boxed(),
        ),
        (1, Just(Stmt::Halt).boxed()),
    ];
    if !ctx.safe {
        choices.push((1, args().prop_map(Stmt::CallUndefined).boxed()));
    }
    if ctx.may_return {
        choices.push((2, any::<bool>().prop_map(Stmt::Ret).boxed()));
    }
    if ctx.nest > 0 {
        let inner = Ctx {
            nest: ctx.nest - 1,
            ..ctx
        };
        choices.push((
            6,
            (cond(), block(inner, 4), block(inner, 3))
                .prop_map(|(c, t, e)| Stmt::If(c, t, e))
                .boxed(),
        ));
        let scope = Ctx {
            may_return: false,
            ..inner
        };
        choices.push((2, block(scope, 5).prop_map(Stmt::Scope).boxed()));
        if ctx.loops < 2 {
            let body = Ctx {
                safe: true,
                loops: ctx.loops + 1,
                ..inner
            };
            choices.push((
                4,
                (loop_kind(), 0u8..6, block(body, 6))
                    .prop_map(|(k, n, b)| Stmt::Loop(k, n, b))
                    .boxed(),
            ));
        }
    }
    proptest::strategy::Union::new_weighted(choices).boxed()
}

fn block(ctx: Ctx, max: usize) -> BoxedStrategy<Vec<Stmt>> {
    prop::collection::vec(stmt(ctx), 0..=max).boxed()
}

fn func() -> BoxedStrategy<Func> {
    let ctx = Ctx {
        safe: true,
        loops: 0,
        may_return: true,
        nest: 2,
    };
    (0u8..4, any::<bool>(), block(ctx, 8), any::<bool>())
        .prop_map(|(argc, take_args, body, return_value)| Func {
            argc,
            take_args,
            body,
            return_value,
        })
        .boxed()
}

/// Straight-line programs: main only, no control flow, every pure op.
pub fn straight_line() -> impl Strategy<Value = Spec> {
    (prop::collection::vec(leaf(false), 0..24), any::<bool>()).prop_map(|(main, handlers)| Spec {
        main,
        funcs: Vec::new(),
        handlers,
    })
}

/// Very short programs on an empty stack: stack underflow of every op kind.
pub fn underflow() -> impl Strategy<Value = Spec> {
    (prop::collection::vec(leaf(false), 0..4), any::<bool>()).prop_map(|(main, handlers)| Spec {
        main,
        funcs: Vec::new(),
        handlers,
    })
}

/// Programs with forward branches, bounded loops, scopes and calls.
pub fn structured() -> impl Strategy<Value = Spec> {
    let ctx = Ctx {
        safe: false,
        loops: 0,
        may_return: false,
        nest: 2,
    };
    (block(ctx, 16), prop::collection::vec(func(), 0..4), any::<bool>()).prop_map(
        |(main, funcs, handlers)| Spec {
            main,
            funcs,
            handlers,
        },
    )
}
