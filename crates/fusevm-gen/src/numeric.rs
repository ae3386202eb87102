//! Well-formed numeric programs for differential tests of the JIT tiers: structured code
//! (statements that leave the stack as they found it, counted loops, if/else) over a few
//! slots, ending with one value. Every loop is bounded by a constant, so every program
//! terminates on the interpreter without a fuel budget, as the tiers' entry points run.
//!
//! Straight-line programs (`loops == false`) stay inside what the linear tier compiles;
//! with loops they target the block tier and, past 50 iterations, the tracing tier.

use crate::values;
use arbitrary::{Result, Unstructured};
use fusevm::{Chunk, Op, Value};

/// Slots the generated expressions read and write. Loop counters use slots above these,
/// one per nesting level, so a body never clobbers its own counter.
pub const DATA_SLOTS: u16 = 4;

const BINARY: &[Op] = &[
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::Mod,
    Op::Pow,
    Op::NumEq,
    Op::NumNe,
    Op::NumLt,
    Op::NumGt,
    Op::NumLe,
    Op::NumGe,
    Op::Spaceship,
    Op::BitAnd,
    Op::BitOr,
    Op::BitXor,
    Op::Shl,
    Op::Shr,
    Op::LogAnd,
    Op::LogOr,
];

const UNARY: &[Op] = &[Op::Negate, Op::Inc, Op::Dec, Op::BitNot, Op::LogNot];

/// A generated program and the integer slots it starts with.
#[derive(Debug, Clone)]
pub struct NumericProgram {
    pub chunk: Chunk,
    /// Initial top-level slots (`Value::Int(slots[i])`), as the tiers' entry points take them.
    pub slots: Vec<i64>,
}

struct Emitter<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    ops: Vec<Op>,
    floats: bool,
    budget: usize,
}

impl Emitter<'_, '_> {
    fn emit(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.budget = self.budget.saturating_sub(1);
        self.ops.len() - 1
    }

    /// Points the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: usize) {
        self.ops[at] = match self.ops[at] {
            Op::Jump(_) => Op::Jump(target),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
            Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
            other => other,
        };
    }

    /// Pushes exactly one value.
    fn expr(&mut self, depth: u32) -> Result<()> {
        let leaf = depth == 0 || self.budget < 8 || self.u.ratio(1u8, 3)?;
        if leaf {
            let op = match self.u.int_in_range(0..=5u8)? {
                0 | 1 => Op::GetSlot(self.u.int_in_range(0..=DATA_SLOTS - 1)?),
                2 | 3 => Op::LoadInt(values::int(self.u)?),
                4 if self.floats => Op::LoadFloat(values::float(self.u)?),
                _ => *self.u.choose(&[Op::LoadTrue, Op::LoadFalse, Op::LoadInt(1)])?,
            };
            self.emit(op);
            return Ok(());
        }
        if self.u.ratio(1u8, 4)? {
            self.expr(depth - 1)?;
            let op = *self.u.choose(UNARY)?;
            self.emit(op);
        } else {
            self.expr(depth - 1)?;
            self.expr(depth - 1)?;
            let op = *self.u.choose(BINARY)?;
            self.emit(op);
        }
        Ok(())
    }

    /// Leaves the stack as it found it.
    fn stmt(&mut self, level: u16, loops: bool) -> Result<()> {
        let kind = if loops && self.budget > 16 && level < 2 {
            self.u.int_in_range(0..=6u8)?
        } else {
            self.u.int_in_range(0..=2u8)?
        };
        let data = |u: &mut Unstructured| u.int_in_range(0..=DATA_SLOTS - 1);
        match kind {
            0 | 1 => {
                self.expr(3)?;
                let s = data(self.u)?;
                self.emit(Op::SetSlot(s));
            }
            2 => {
                let op = match self.u.int_in_range(0..=2u8)? {
                    0 => Op::AddAssignSlotVoid(data(self.u)?, data(self.u)?),
                    1 => Op::PreIncSlotVoid(data(self.u)?),
                    _ => {
                        let s = data(self.u)?;
                        self.emit(Op::PreIncSlot(s));
                        Op::Pop
                    }
                };
                self.emit(op);
            }
            3 => {
                // for (c = 0; c < k; c++) { body } with the fused back-edge.
                let c = DATA_SLOTS + level;
                let k = self.u.int_in_range(1..=80)?;
                self.emit(Op::LoadInt(0));
                self.emit(Op::SetSlot(c));
                let top = self.ops.len();
                self.block(level + 1, loops)?;
                self.emit(Op::SlotIncLtIntJumpBack(c, k, top));
            }
            4 => {
                // while (c < k) { body; c++ } with explicit compare and jumps.
                let c = DATA_SLOTS + level;
                let k = self.u.int_in_range(0..=80)?;
                self.emit(Op::LoadInt(0));
                self.emit(Op::SetSlot(c));
                let top = self.emit(Op::SlotLtIntJumpIfFalse(c, k, 0));
                self.block(level + 1, loops)?;
                self.emit(Op::PreIncSlotVoid(c));
                self.emit(Op::Jump(top));
                let end = self.ops.len();
                self.ops[top] = Op::SlotLtIntJumpIfFalse(c, k, end);
            }
            5 => {
                // if (e) { a } else { b }
                self.expr(2)?;
                let jf = self.emit(Op::JumpIfFalse(0));
                self.block(level, loops)?;
                let j = self.emit(Op::Jump(0));
                let else_at = self.ops.len();
                self.block(level, loops)?;
                let end = self.ops.len();
                self.patch(jf, else_at);
                self.patch(j, end);
            }
            _ => {
                // sum += i for i in i..k, on two data slots set to small ints first.
                let (s, i) = (data(self.u)?, data(self.u)?);
                if s == i {
                    self.emit(Op::PreIncSlotVoid(s));
                    return Ok(());
                }
                let k = self.u.int_in_range(-2..=80)?;
                let start = self.u.int_in_range(-5..=5)?;
                self.emit(Op::LoadInt(start));
                self.emit(Op::SetSlot(i));
                self.emit(Op::AccumSumLoop(s, i, k));
            }
        }
        Ok(())
    }

    fn block(&mut self, level: u16, loops: bool) -> Result<()> {
        for _ in 0..self.u.int_in_range(1..=3u8)? {
            if self.budget == 0 {
                break;
            }
            self.stmt(level, loops)?;
        }
        Ok(())
    }
}

/// A numeric program of at most about `max_ops` ops. `loops`: allow loops and branches
/// (block/tracing tiers); without, a straight line (linear tier). `floats`: allow
/// `LoadFloat` (the tiers' entry slots are always integers).
pub fn numeric_program(
    u: &mut Unstructured,
    max_ops: usize,
    loops: bool,
    floats: bool,
) -> Result<NumericProgram> {
    let n_slots = u.int_in_range(0..=DATA_SLOTS as usize)?;
    let mut slots = Vec::with_capacity(n_slots);
    for _ in 0..n_slots {
        slots.push(values::int(u)?);
    }
    let mut e = Emitter {
        u,
        ops: Vec::new(),
        floats,
        budget: max_ops,
    };
    e.block(0, loops)?;
    e.expr(3)?;
    let ops = e.ops;
    let mut chunk = Chunk::new();
    chunk.lines = (1..=ops.len() as u32).collect();
    chunk.ops = ops;
    chunk.op_hash = chunk.compute_op_hash();
    Ok(NumericProgram { chunk, slots })
}

/// The top-level slots a tier entry point starts from, as interpreter values.
pub fn slot_values(slots: &[i64]) -> Vec<Value> {
    slots.iter().map(|&n| Value::Int(n)).collect()
}
