//! The shared lowering: one function per op from bytecode to Cranelift IR over a
//! compile-time operand stack, used by every tier (STYLE.md § 3).
//!
//! Algorithm. A tier creates a [`Lowerer`] (which emits the function entry: loading the
//! entry frame's numeric slots from `Ctx::input`), then feeds it ops one at a time with
//! [`Lowerer::lower_op`]. The lowerer keeps the machine state at the current point as
//! native values ([`state::State`]: abstract stack + frames' slots, each value with a
//! compile-time [`kind::Kind`]), emits the op's code and reports what happens next
//! ([`Flow`]): fall through, a jump or conditional branch the tier wires up (linear: none;
//! block: CFG edges; tracing: guards), or an *exit*.
//!
//! Exits are how native code stays exactly the interpreter: whenever it cannot continue
//! with the interpreter's result — a zero divisor, a slot holding a string, an operand the
//! abstract stack does not have, a top-level return, fuel or an interrupt — it stores the
//! state *before* the op into the exit record and returns; the interpreter then executes
//! that op and everything after it. An exit is not an error and not a failure to compile.
//!
//! A [`Bail`] is different: the tier cannot compile the chunk at all (an op it does not
//! support, a limit); the chunk then simply stays in the interpreter.
//!
//! Semantics follow `interp/` op by op: the Int × Int rule of the pair ops (wrapping),
//! `to_float` for every other pair, comparisons giving `Bool`, `Div` always `Float`,
//! `Mod` by 0 or -1 giving 0, `to_int` saturating (NaN → 0), truthiness with NaN true.

#![deny(clippy::wildcard_enum_match_arm)]

mod arith;
mod convert;
mod exit;
mod fuel;
pub(crate) mod kind;
mod slots;
pub(crate) mod state;

use super::abi::{EntryKind, ExitInfo, Fuel, CTX_INPUT, CTX_INTERRUPT};
use crate::{Op, Value};
use cranelift_codegen::ir::{types, FuncRef, InstBuilder, MemFlagsData, Value as Reg};
use cranelift_frontend::{FunctionBuilder, Variable};
use kind::JVal;
use state::{FrameState, State};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Why a tier does not compile a chunk (not an error: the interpreter runs it).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bail {
    /// An op the tier does not compile.
    Unsupported { ip: usize, op: Op },
    /// The chunk exceeds a compile limit.
    Limit(&'static str),
    /// Cranelift refused the function or the code could not be made executable.
    Codegen(String),
}

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bail::Unsupported { ip, op } => write!(f, "op {op:?} at ip {ip} is not compiled"),
            Bail::Limit(what) => write!(f, "limit: {what}"),
            Bail::Codegen(e) => write!(f, "code generation failed: {e}"),
        }
    }
}

/// What follows the op just lowered.
pub(crate) enum Flow {
    /// Continue with the next op.
    Next,
    /// The current block ended in an exit: the ops after it are not reached from here.
    Exited,
    /// Unconditional jump. `pre` is the state before the op (for a fuel exit there).
    Goto { target: usize, pre: State },
    /// Conditional jump to `target` when `cond` (`i8`) is non-zero — or, with `invert`,
    /// when it is zero — else fall through. (Inverting the branch instead of the value lets
    /// Cranelift fuse a comparison into the jump.)
    Branch {
        cond: Reg,
        invert: bool,
        target: usize,
        pre: State,
    },
}

/// Runtime helpers generated code calls (plain Rust functions, see `codegen`).
#[derive(Clone, Copy)]
pub(crate) struct Helpers {
    pub fmod: FuncRef,
    pub pow: FuncRef,
}

/// Lowers ops into one function.
pub(crate) struct Lowerer<'a> {
    pub b: FunctionBuilder<'a>,
    /// The state at the current point.
    pub st: State,
    /// Every exit emitted so far (its index is what the function returns).
    pub exits: Vec<ExitInfo>,
    /// Words the largest exit record needs.
    pub out_words: usize,
    /// Most frames open at once (entry frame included).
    pub max_frames: usize,
    /// Deepest abstract stack.
    pub max_stack: usize,
    ctx: Reg,
    /// Address of the interrupt flag (loaded once at entry).
    interrupt: Reg,
    ticks: Variable,
    fuel: Fuel,
    helpers: Helpers,
    consts: &'a [Value],
    /// Entry-frame slots holding a non-numeric value at entry: reading them exits.
    foreign: BTreeSet<u16>,
}

impl<'a> Lowerer<'a> {
    /// Emits the function entry (the `ctx` parameter, entry slots from `Ctx::input`) into
    /// a fresh block and leaves the builder there. `entry` lists the entry frame's slots the
    /// chunk references, by slot, with what they hold; `fuel` says whether to count fuel.
    pub(crate) fn new(
        mut b: FunctionBuilder<'a>,
        helpers: Helpers,
        consts: &'a [Value],
        entry: &[(u16, EntryKind)],
        fuel: Fuel,
    ) -> Lowerer<'a> {
        let block = b.create_block();
        b.append_block_params_for_function_params(block);
        b.switch_to_block(block);
        let ctx = b.block_params(block)[0];
        let ticks = b.declare_var(types::I64);
        let zero = b.ins().iconst(types::I64, 0);
        b.def_var(ticks, zero);
        let input = b.ins().load(types::I64, MemFlagsData::trusted(), ctx, CTX_INPUT);
        let interrupt = b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), ctx, CTX_INTERRUPT);
        let mut slots = BTreeMap::new();
        let mut foreign = BTreeSet::new();
        let mut word = 0i32;
        for &(s, k) in entry {
            let mut load = |ty| {
                let v = b.ins().load(ty, MemFlagsData::trusted(), input, word * 8);
                word += 1;
                v
            };
            let v = match k {
                EntryKind::Absent => continue,
                EntryKind::Other => {
                    foreign.insert(s);
                    continue;
                }
                EntryKind::Undef => JVal::Undef,
                EntryKind::Int => JVal::Int(load(types::I64)),
                EntryKind::Float => JVal::Float(load(types::F64)),
                EntryKind::Bool => {
                    let w = load(types::I64);
                    JVal::Bool(b.ins().ireduce(types::I8, w))
                }
            };
            slots.insert(s, v);
        }
        Lowerer {
            b,
            st: State::entry(slots),
            exits: Vec::new(),
            out_words: 0,
            max_frames: 1,
            max_stack: 0,
            ctx,
            interrupt,
            ticks,
            fuel,
            helpers,
            consts,
            foreign,
        }
    }

    /// Whether the code counts fuel (a budget) or only watches for interrupts.
    pub(crate) fn counts_fuel(&self) -> bool {
        self.fuel == Fuel::Counted
    }

    /// Emits op `op` at index `ip`.
    pub(crate) fn lower_op(&mut self, ip: usize, op: Op) -> Result<Flow, Bail> {
        let flow = match op {
            // ---- constants & stack
            Op::Nop => Flow::Next,
            Op::LoadInt(n) => self.push_int(n),
            Op::LoadFloat(f) => {
                let r = self.b.ins().f64const(f);
                self.push(JVal::Float(r))
            }
            Op::LoadConst(c) => self.lower_load_const(ip, c),
            Op::LoadTrue => self.push_bool(true),
            Op::LoadFalse => self.push_bool(false),
            Op::LoadUndef => self.push(JVal::Undef),
            Op::Pop => self.lower_pop(ip),
            Op::Dup => self.lower_dup(ip),
            Op::Dup2 => self.lower_dup2(ip),
            Op::Swap => self.lower_swap(ip),
            Op::Rot => self.lower_rot(ip),
            // ---- slots
            Op::GetSlot(s) => self.lower_get_slot(ip, s),
            Op::SetSlot(s) => self.lower_set_slot(ip, s),
            Op::PreIncSlot(s) => self.lower_pre_inc_slot(ip, s, true),
            Op::PreIncSlotVoid(s) => self.lower_pre_inc_slot(ip, s, false),
            Op::AddAssignSlotVoid(a, b) => self.lower_add_assign_slot_void(ip, a, b),
            Op::AccumSumLoop(sum, i, limit) => self.lower_accum_sum_loop(ip, sum, i, limit),
            // ---- arithmetic
            Op::Add => self.lower_pair(ip, arith::Pair::Add),
            Op::Sub => self.lower_pair(ip, arith::Pair::Sub),
            Op::Mul => self.lower_pair(ip, arith::Pair::Mul),
            Op::Mod => self.lower_pair(ip, arith::Pair::Mod),
            Op::Div => self.lower_div(ip),
            Op::Pow => self.lower_pow(ip),
            Op::Negate => self.lower_negate(ip),
            Op::Inc => self.lower_inc_dec(ip, 1),
            Op::Dec => self.lower_inc_dec(ip, -1),
            // ---- comparison
            Op::NumEq => self.lower_compare(ip, arith::Compare::Eq),
            Op::NumNe => self.lower_compare(ip, arith::Compare::Ne),
            Op::NumLt => self.lower_compare(ip, arith::Compare::Lt),
            Op::NumGt => self.lower_compare(ip, arith::Compare::Gt),
            Op::NumLe => self.lower_compare(ip, arith::Compare::Le),
            Op::NumGe => self.lower_compare(ip, arith::Compare::Ge),
            Op::Spaceship => self.lower_spaceship(ip),
            // ---- logical / bitwise
            Op::LogNot => self.lower_log_not(ip),
            Op::LogAnd => self.lower_log_and_or(ip, true),
            Op::LogOr => self.lower_log_and_or(ip, false),
            Op::BitAnd => self.lower_bits(ip, arith::Bits::And),
            Op::BitOr => self.lower_bits(ip, arith::Bits::Or),
            Op::BitXor => self.lower_bits(ip, arith::Bits::Xor),
            Op::Shl => self.lower_bits(ip, arith::Bits::Shl),
            Op::Shr => self.lower_bits(ip, arith::Bits::Shr),
            Op::BitNot => self.lower_bit_not(ip),
            // ---- control flow
            Op::Jump(t) => Flow::Goto {
                target: t,
                pre: self.st.clone(),
            },
            Op::JumpIfTrue(t) => self.lower_jump_if(ip, t, true, false),
            Op::JumpIfFalse(t) => self.lower_jump_if(ip, t, false, false),
            Op::JumpIfTrueKeep(t) => self.lower_jump_if(ip, t, true, true),
            Op::JumpIfFalseKeep(t) => self.lower_jump_if(ip, t, false, true),
            Op::SlotLtIntJumpIfFalse(s, limit, t) => self.lower_slot_lt_int_jump_if_false(ip, s, limit, t),
            Op::SlotIncLtIntJumpBack(s, limit, t) => self.lower_slot_inc_lt_int_jump_back(ip, s, limit, t),
            // ---- scopes
            Op::PushFrame => self.lower_push_frame(ip),
            Op::PopFrame => self.lower_pop_frame(ip),
            // Returns leave native code: the interpreter closes frames and ends the run.
            Op::Return | Op::ReturnValue => self.exit_now(ip),
            // ---- everything native code does not do
            Op::GetVar(_)
            | Op::SetVar(_)
            | Op::DeclareVar(_)
            | Op::SlotArrayGet(_)
            | Op::SlotArraySet(_)
            | Op::GetArray(_)
            | Op::SetArray(_)
            | Op::DeclareArray(_)
            | Op::ArrayGet(_)
            | Op::ArraySet(_)
            | Op::ArrayPush(_)
            | Op::ArrayPop(_)
            | Op::ArrayShift(_)
            | Op::ArrayLen(_)
            | Op::MakeArray(_)
            | Op::GetHash(_)
            | Op::SetHash(_)
            | Op::DeclareHash(_)
            | Op::HashGet(_)
            | Op::HashSet(_)
            | Op::HashDelete(_)
            | Op::HashExists(_)
            | Op::HashKeys(_)
            | Op::HashValues(_)
            | Op::MakeHash(_)
            | Op::Concat
            | Op::StringRepeat
            | Op::StringLen
            | Op::StrEq
            | Op::StrNe
            | Op::StrLt
            | Op::StrGt
            | Op::StrLe
            | Op::StrGe
            | Op::StrCmp
            | Op::Call(..)
            | Op::Print(_)
            | Op::PrintLn(_)
            | Op::ReadLine
            | Op::Range
            | Op::RangeStep
            | Op::MapBlock(_)
            | Op::GrepBlock(_)
            | Op::SortBlock(_)
            | Op::SortDefault
            | Op::ForEachBlock(_)
            | Op::ConcatConstLoop(..)
            | Op::PushIntRangeLoop(..)
            | Op::CallBuiltin(..)
            | Op::Extended(..)
            | Op::ExtendedWide(..)
            | Op::Exec(_)
            | Op::ExecBg(_)
            | Op::PipelineBegin(_)
            | Op::PipelineStage
            | Op::PipelineEnd
            | Op::Redirect(..)
            | Op::HereDoc(_)
            | Op::HereString
            | Op::CmdSubst(_)
            | Op::SubshellBegin
            | Op::SubshellEnd
            | Op::ProcessSubIn(_)
            | Op::ProcessSubOut(_)
            | Op::Glob
            | Op::GlobRecursive
            | Op::TestFile(_)
            | Op::SetStatus
            | Op::GetStatus
            | Op::TrapSet(_)
            | Op::TrapCheck
            | Op::ExpandParam(_)
            | Op::WordSplit
            | Op::BraceExpand
            | Op::TildeExpand
            | Op::CallFunction(..)
            | Op::StrMatch
            | Op::RegexMatch
            | Op::WithRedirectsBegin(_)
            | Op::WithRedirectsEnd => return Err(Bail::Unsupported { ip, op }),
        };
        self.max_stack = self.max_stack.max(self.st.stack.len());
        Ok(flow)
    }

    // ---- the operand stack

    fn push(&mut self, v: JVal) -> Flow {
        self.st.stack.push(v);
        Flow::Next
    }

    fn push_int(&mut self, n: i64) -> Flow {
        let r = self.b.ins().iconst(types::I64, n);
        self.push(JVal::Int(r))
    }

    fn push_bool(&mut self, v: bool) -> Flow {
        let r = self.b.ins().iconst(types::I8, v as i64);
        self.push(JVal::Bool(r))
    }

    /// Whether the abstract stack holds `n` values; if not, the op needs values pushed
    /// before native code started (or an empty stack's `Undef` rules): exit to the
    /// interpreter, which knows the whole stack.
    fn has(&mut self, n: usize, ip: usize) -> bool {
        if self.st.stack.len() >= n {
            true
        } else {
            self.exit_now(ip);
            false
        }
    }

    /// Pops the top; only after [`Lowerer::has`] said it is there.
    fn pop(&mut self) -> JVal {
        self.st.stack.pop().unwrap_or(JVal::Undef)
    }

    fn lower_load_const(&mut self, ip: usize, c: u16) -> Flow {
        match self.consts.get(c as usize) {
            Some(Value::Int(n)) => self.push_int(*n),
            Some(Value::Float(f)) => {
                let r = self.b.ins().f64const(*f);
                self.push(JVal::Float(r))
            }
            Some(Value::Bool(v)) => self.push_bool(*v),
            Some(Value::Undef) => self.push(JVal::Undef),
            // Strings and containers stay in the interpreter (as does a bad index: its
            // error is the interpreter's to raise).
            _ => self.exit_now(ip),
        }
    }

    fn lower_pop(&mut self, ip: usize) -> Flow {
        if !self.has(1, ip) {
            return Flow::Exited;
        }
        self.pop();
        Flow::Next
    }

    fn lower_dup(&mut self, ip: usize) -> Flow {
        match self.st.stack.last().copied() {
            Some(v) => self.push(v),
            None => self.exit_now(ip),
        }
    }

    fn lower_dup2(&mut self, ip: usize) -> Flow {
        match self.st.stack.as_slice() {
            [.., a, b] => {
                let (a, b) = (*a, *b);
                self.st.stack.push(a);
                self.push(b)
            }
            _ => self.exit_now(ip),
        }
    }

    fn lower_swap(&mut self, ip: usize) -> Flow {
        let n = self.st.stack.len();
        if n < 2 {
            return self.exit_now(ip);
        }
        self.st.stack.swap(n - 1, n - 2);
        Flow::Next
    }

    fn lower_rot(&mut self, ip: usize) -> Flow {
        let n = self.st.stack.len();
        if n < 3 {
            return self.exit_now(ip);
        }
        self.st.stack[n - 3..].rotate_left(1);
        Flow::Next
    }

    // ---- control flow

    /// `JumpIf{True,False}[Keep](t)`: the condition is the top's truthiness.
    fn lower_jump_if(&mut self, ip: usize, target: usize, when: bool, keep: bool) -> Flow {
        if !self.has(1, ip) {
            return Flow::Exited;
        }
        let pre = self.st.clone();
        let top = if keep {
            self.st.stack.last().copied().unwrap_or(JVal::Undef)
        } else {
            self.pop()
        };
        let cond = self.truthy(&top);
        Flow::Branch {
            cond,
            invert: !when,
            target,
            pre,
        }
    }

    // ---- scopes

    /// `PushFrame`: a new scope with no slots; its stack region starts here.
    fn lower_push_frame(&mut self, ip: usize) -> Flow {
        self.st.frames.push(FrameState {
            return_ip: ip + 1,
            stack_base: self.st.stack.len(),
            slots: BTreeMap::new(),
        });
        self.max_frames = self.max_frames.max(self.st.frames.len());
        Flow::Next
    }

    /// `PopFrame`: drops a natively opened scope and its stack region. Popping the entry
    /// frame is the interpreter's business (an error at top level, a return otherwise).
    fn lower_pop_frame(&mut self, ip: usize) -> Flow {
        if self.st.depth() == 0 {
            return self.exit_now(ip);
        }
        if let Some(f) = self.st.frames.pop() {
            self.st.stack.truncate(f.stack_base);
        }
        Flow::Next
    }
}
