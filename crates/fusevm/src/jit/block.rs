//! The block tier: a whole chunk's control-flow graph compiled to one native function.
//!
//! Algorithm.
//! 1. Basic-block leaders: op 0, every branch target, and the op after every branch.
//! 2. Shapes: each leader gets the [`Shape`] of the states that reach it (stack kinds,
//!    frames, slot kinds). Values flow across block boundaries as block parameters, so
//!    loops keep their counters in registers. The shapes are found by a fixpoint: lower the
//!    reachable blocks with the shared lowering (a *dry* pass whose code is thrown away),
//!    merge each edge's state into its target's shape, repeat until nothing grows. Kinds
//!    only grow (an `Int` slot that also receives a `Float` becomes tagged `Int|Float`), so
//!    this ends after a few passes.
//! 3. The real pass lowers every block once more from its final shape and wires the edges:
//!    a jump with the values widened to the target's kinds; an edge whose stack depth or
//!    frames differ from the target's shape (legal bytecode, rare) exits to the interpreter
//!    at the target instead. A jump to the end of the chunk exits with "finished".
//!    Backward jumps charge fuel (see `lower::fuel`).
//!
//! Whatever happens at run time, the function returns through an exit, and the state it
//! records is the interpreter's state at that op (see `lower`).

use super::abi::Spec;
use super::codegen::{Compiled, Lowered, Session};
use super::eligible::{first_unsupported, Tier};
use super::lower::kind::JVal;
use super::lower::state::{Shape, State};
use super::lower::{Bail, Flow, Lowerer};
use crate::{Op, Value};
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder};
use cranelift_frontend::FunctionBuilder;
use std::collections::{BTreeMap, BTreeSet};

/// Largest chunk the tier compiles (compile time grows with size × fixpoint passes).
const MAX_OPS: usize = 10_000;
/// Fixpoint passes before giving up (kinds can grow only a few times per cell).
const MAX_PASSES: usize = 32;
/// Longest loop test copied to a back-edge (loop rotation).
const MAX_TEST_OPS: usize = 8;
/// Longest loop body copied once more (loop unrolling).
const MAX_UNROLL_OPS: usize = 24;

/// Compiles `ops` for `spec`.
pub(crate) fn compile(ops: &[Op], consts: &[Value], spec: &Spec) -> Result<Compiled, Bail> {
    if let Some((ip, op)) = first_unsupported(Tier::Block, ops) {
        return Err(Bail::Unsupported { ip, op });
    }
    if ops.is_empty() || ops.len() > MAX_OPS {
        return Err(Bail::Limit("chunk size"));
    }
    let cfg = Cfg {
        ops,
        consts,
        spec,
        leaders: leaders(ops),
    };
    let mut session = Session::new()?;
    let mut shapes = BTreeMap::new();
    for pass in 0.. {
        if pass == MAX_PASSES {
            return Err(Bail::Limit("type fixpoint"));
        }
        let grown = cfg.lower(&mut session, &shapes, Mode::Dry)?.0;
        if grown == shapes {
            break;
        }
        shapes = grown;
    }
    let (_, func, lowered) = cfg.lower(&mut session, &shapes, Mode::Real)?;
    session.finish(func, lowered, spec)
}

/// Op 0, every branch target inside the chunk, and every op after a branch.
fn leaders(ops: &[Op]) -> BTreeSet<usize> {
    let mut set = BTreeSet::from([0]);
    for (ip, op) in ops.iter().enumerate() {
        if let Some(t) = op.branch_target() {
            set.insert(t);
            set.insert(ip + 1);
        }
    }
    set.retain(|&ip| ip < ops.len());
    set
}

/// Ops that end a straight-line stretch for loop rotation and unrolling.
fn straight_line_stop(op: &Op) -> bool {
    op.branch_target().is_some()
        || matches!(
            op,
            Op::AccumSumLoop(..) | Op::PushFrame | Op::PopFrame | Op::Return | Op::ReturnValue
        )
}

/// What a stretch of lowered ops is (loop rotation and unrolling lower some ops twice).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Copy {
    /// A basic block, lowered once.
    Block,
    /// A copy of a loop test at the loop's back-edge; `then_body`: the body follows too.
    Test { then_body: bool },
    /// A copy of a loop body after a copy of its test (the loop unrolled once).
    Body,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Find the shapes: edges only record their states.
    Dry,
    /// Emit the function: edges jump (or exit).
    Real,
}

struct Cfg<'a> {
    ops: &'a [Op],
    consts: &'a [Value],
    spec: &'a Spec,
    leaders: BTreeSet<usize>,
}

/// One pass: the function, the blocks of the shaped leaders, the shapes edges produced.
struct Pass<'a> {
    lw: Lowerer<'a>,
    mode: Mode,
    shapes: &'a BTreeMap<usize, Shape>,
    blocks: BTreeMap<usize, Block>,
    grown: BTreeMap<usize, Shape>,
    len: usize,
}

impl Cfg<'_> {
    /// Whether `ip` starts a loop test worth copying to the back-edge: at most
    /// [`MAX_TEST_OPS`] ops without branches or scope changes, ending in a conditional
    /// branch (`while` loops put their test at the top and jump back to it).
    fn loop_test(&self, ip: usize) -> bool {
        self.test_end(ip).is_some()
    }

    /// The conditional branch ending the loop test at `ip` (see [`Cfg::loop_test`]).
    fn test_end(&self, ip: usize) -> Option<usize> {
        for (k, op) in self.ops.iter().enumerate().skip(ip).take(MAX_TEST_OPS) {
            let conditional = matches!(
                op,
                Op::JumpIfTrue(_)
                    | Op::JumpIfFalse(_)
                    | Op::JumpIfTrueKeep(_)
                    | Op::JumpIfFalseKeep(_)
                    | Op::SlotLtIntJumpIfFalse(..)
            );
            if conditional {
                return Some(k);
            }
            if straight_line_stop(op) {
                return None;
            }
        }
        None
    }

    /// Whether the loop whose test starts at `test` can be unrolled once: the test exits
    /// forward when false and otherwise falls into a body of at most [`MAX_UNROLL_OPS`]
    /// straight-line ops (no branch, nothing jumps into it) that ends in `Jump(test)`.
    fn unrollable(&self, test: usize) -> bool {
        let Some(end) = self.test_end(test) else {
            return false;
        };
        let exits_forward = match self.ops[end] {
            Op::JumpIfFalse(t) | Op::JumpIfFalseKeep(t) | Op::SlotLtIntJumpIfFalse(_, _, t) => t > end,
            _ => false,
        };
        if !exits_forward {
            return false;
        }
        for (k, op) in self.ops.iter().enumerate().skip(end + 1).take(MAX_UNROLL_OPS) {
            if k > end + 1 && self.leaders.contains(&k) {
                return false;
            }
            if *op == Op::Jump(test) {
                return true;
            }
            if straight_line_stop(op) {
                return false;
            }
        }
        false
    }

    /// Lowers every leader that has a shape. Returns the shapes grown by the edges, the
    /// function and what lowering recorded.
    fn lower(
        &self,
        session: &mut Session,
        shapes: &BTreeMap<usize, Shape>,
        mode: Mode,
    ) -> Result<(BTreeMap<usize, Shape>, cranelift_codegen::ir::Function, Lowered), Bail> {
        let (mut func, helpers) = session.function();
        let target = session.target();
        let lowered;
        let grown;
        {
            let b = FunctionBuilder::new(&mut func, &mut session.fctx);
            let lw = Lowerer::new(b, helpers, self.consts, &self.spec.entry, self.spec.fuel);
            let mut pass = Pass {
                lw,
                mode,
                shapes,
                blocks: BTreeMap::new(),
                grown: shapes.clone(),
                len: self.ops.len(),
            };
            for (&ip, shape) in shapes {
                let block = pass.lw.b.create_block();
                for kind in shape.cell_kinds() {
                    for &ty in kind.reg_types() {
                        pass.lw.b.append_block_param(block, ty);
                    }
                }
                pass.blocks.insert(ip, block);
            }
            let entry_state = pass.lw.st.clone();
            pass.edge(0, &entry_state);
            for (&ip, shape) in shapes {
                pass.block(self, ip, shape)?;
            }
            grown = std::mem::take(&mut pass.grown);
            lowered = pass.lw.finish(target);
        }
        Ok((grown, func, lowered))
    }
}

impl Pass<'_> {
    /// Lowers the basic block starting at `leader`, entered in `shape`.
    fn block(&mut self, cfg: &Cfg<'_>, leader: usize, shape: &Shape) -> Result<(), Bail> {
        let Some(&block) = self.blocks.get(&leader) else {
            return Ok(());
        };
        self.lw.b.switch_to_block(block);
        let params = self.lw.b.block_params(block).to_vec();
        let mut cells = Vec::new();
        let mut at = 0;
        for kind in shape.cell_kinds() {
            let n = kind.reg_types().len();
            let regs = params.get(at..at + n).unwrap_or(&[]);
            cells.push(JVal::from_regs(kind, regs).ok_or(Bail::Limit("block parameters"))?);
            at += n;
        }
        self.lw.st = State::from_cells(shape, &cells);
        self.run(cfg, leader, Copy::Block)
    }

    /// Lowers ops from `ip` in the current block and state until the block ends.
    ///
    /// Loop rotation: a backward jump to a loop test ([`Cfg::loop_test`]) is followed by a
    /// copy of that test, which jumps straight back into the body, so an iteration takes
    /// one taken branch instead of two. Loop unrolling: when the body is a short straight
    /// line ([`Cfg::unrollable`]), the test copy is followed by a copy of the body too, and
    /// without fuel to count only every second back-edge checks for interrupts (a cycle
    /// through the skipped check always reaches the next one, or leaves the loop forward).
    fn run(&mut self, cfg: &Cfg<'_>, mut ip: usize, copy: Copy) -> Result<(), Bail> {
        loop {
            let Some(&op) = cfg.ops.get(ip) else {
                let st = self.lw.st.clone();
                self.edge(ip, &st);
                return Ok(());
            };
            match self.lw.lower_op(ip, op)? {
                Flow::Next => {
                    ip += 1;
                    if ip >= self.len || cfg.leaders.contains(&ip) {
                        let st = self.lw.st.clone();
                        self.edge(ip, &st);
                        return Ok(());
                    }
                }
                Flow::Exited => return Ok(()),
                Flow::Goto { target, pre } => {
                    if target <= ip {
                        let rotate = copy != Copy::Test { then_body: false }
                            && copy != Copy::Test { then_body: true }
                            && cfg.loop_test(target);
                        let unroll = rotate && copy == Copy::Block && cfg.unrollable(target);
                        if !unroll || self.lw.counts_fuel() {
                            self.lw.tick(&pre, ip);
                        }
                        if rotate {
                            return self.run(cfg, target, Copy::Test { then_body: unroll });
                        }
                    }
                    let st = self.lw.st.clone();
                    self.edge(target, &st);
                    return Ok(());
                }
                Flow::Branch {
                    cond,
                    invert,
                    target,
                    pre,
                } => {
                    let taken = self.lw.b.create_block();
                    let fall = self.lw.b.create_block();
                    // Cranelift lays out `brif`'s second target right after the branch.
                    // Put the way the loop goes on there: the jump back of a do-while, the
                    // body after a while test (or the then-part after an if).
                    let taken_next = target <= ip;
                    let (c, first, second) = match (invert, taken_next) {
                        (false, false) => (cond, taken, fall),
                        (true, true) => (cond, fall, taken),
                        (true, false) => (self.lw.negate(cond), taken, fall),
                        (false, true) => (self.lw.negate(cond), fall, taken),
                    };
                    self.lw.b.ins().brif(c, first, &[], second, &[]);
                    let st = self.lw.st.clone();
                    self.lw.b.switch_to_block(fall);
                    if copy == (Copy::Test { then_body: true }) {
                        self.run(cfg, ip + 1, Copy::Body)?;
                    } else {
                        self.edge(ip + 1, &st);
                    }
                    self.lw.b.switch_to_block(taken);
                    if target <= ip {
                        self.lw.tick(&pre, ip);
                    }
                    self.edge(target, &st);
                    return Ok(());
                }
            }
        }
    }

    /// Ends the current block by going to `target` in state `st`.
    fn edge(&mut self, target: usize, st: &State) {
        if target >= self.len {
            // Ran off the end (or jumped to it): the interpreter only pops the result.
            self.lw.exit_with(st, self.len);
            return;
        }
        let incoming = st.shape();
        if self.mode == Mode::Dry {
            match self.grown.get_mut(&target) {
                Some(shape) => {
                    shape.merge(&incoming);
                }
                None => {
                    self.grown.insert(target, incoming);
                }
            }
            // The dry function is thrown away; any terminator will do.
            self.lw.exit_with(st, target);
            return;
        }
        let (Some(shape), Some(&block)) = (self.shapes.get(&target), self.blocks.get(&target)) else {
            self.lw.exit_with(st, target);
            return;
        };
        if !shape.covers(&incoming) {
            self.lw.exit_with(st, target);
            return;
        }
        let args = st.cells_for(shape).and_then(|cells| {
            let mut args = Vec::new();
            for (v, kind) in cells.iter().zip(shape.cell_kinds()) {
                let w = self.lw.widen(v, kind)?;
                args.extend(w.regs().into_iter().map(BlockArg::Value));
            }
            Some(args)
        });
        match args {
            Some(args) => {
                self.lw.b.ins().jump(block, &args);
            }
            None => self.lw.exit_with(st, target),
        }
    }
}
