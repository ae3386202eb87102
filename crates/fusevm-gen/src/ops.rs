//! Op generators driven by the op table: any opcode, operands chosen per operand kind.
//!
//! Nothing here names an op by hand except the I/O ops that touch the process's stdio
//! (replaced unless [`crate::Config::io`] is set): a new op in `isa/table.rs` is generated
//! without touching this file.

use crate::values;
use arbitrary::{Result, Unstructured};
use fusevm::isa::{Category, OperandError, OperandKind, OperandValue, OP_COUNT, OP_INFO};
use fusevm::Op;

/// How operands that index something are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Anything the operand's Rust type holds, biased toward the pool edges: the verifier
    /// is expected to reject some chunks.
    Raw,
    /// Indices inside their pools and jump targets inside the chunk: the chunk verifies.
    Valid,
}

/// Sizes an op's operands are chosen against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pools {
    pub ops: usize,
    pub constants: usize,
    pub names: usize,
    pub sub_chunks: usize,
}

/// An index into a pool of `len` entries. `Valid` needs `len > 0` (callers make sure).
fn index(u: &mut Unstructured, mode: Mode, len: usize, max: u128) -> Result<u128> {
    let len = len as u128;
    match mode {
        Mode::Valid => Ok(u.int_in_range(0..=len.saturating_sub(1).min(max))?),
        Mode::Raw => Ok(match u.int_in_range(0..=7u8)? {
            // Mostly in range or just past it: where off-by-one bugs live.
            0..=4 => u.int_in_range(0..=(len + 1).min(max))?,
            5 => max,
            _ => u.int_in_range(0..=max)?,
        }),
    }
}

/// A value for one operand of kind `kind`. Integer kinds produce values that fit the
/// widest Rust type of that kind; [`op`] narrows them when the op's type is smaller.
fn operand(u: &mut Unstructured, kind: OperandKind, mode: Mode, pools: &Pools) -> Result<OperandValue> {
    const U8: u128 = u8::MAX as u128;
    const U16: u128 = u16::MAX as u128;
    const USIZE: u128 = usize::MAX as u128;
    let small = |u: &mut Unstructured, hi: u128, max: u128| -> Result<u128> {
        Ok(if u.ratio(7u8, 8)? {
            u.int_in_range(0..=hi)?
        } else {
            u.int_in_range(0..=max)?
        })
    };
    let int = |n: u128| OperandValue::Int(n as i128);
    Ok(match kind {
        OperandKind::Int => OperandValue::Int(values::int(u)? as i128),
        OperandKind::Float => OperandValue::Float(values::float(u)?),
        OperandKind::Const => int(index(u, mode, pools.constants, U16)?),
        OperandKind::Func => int(index(u, mode, pools.names, U16)?),
        OperandKind::SubChunk => int(index(u, mode, pools.sub_chunks, U16)?),
        OperandKind::Target => match mode {
            Mode::Valid => int(u.int_in_range(0..=pools.ops as u128)?),
            Mode::Raw => int(index(u, mode, pools.ops + 1, USIZE)?),
        },
        // Globals grow on write: any index is legal, small ones collide usefully.
        OperandKind::Global => int(small(u, pools.names as u128 + 2, U16)?),
        OperandKind::Slot => int(small(u, 7, U16)?),
        OperandKind::Count => int(small(u, 4, U16)?),
        OperandKind::Limit => OperandValue::Int(if u.ratio(7u8, 8)? {
            u.int_in_range(-2..=40)?
        } else {
            u.arbitrary::<i32>()? as i128
        }),
        OperandKind::Block | OperandKind::Builtin | OperandKind::ExtId => int(small(u, 4, U16)?),
        OperandKind::Payload => int(small(u, 4, USIZE)?),
        OperandKind::Imm8
        | OperandKind::Fd
        | OperandKind::RedirectOp
        | OperandKind::FileTest
        | OperandKind::ParamMod => int(small(u, 12, U8)?),
    })
}

/// True for the categories whose ops rarely do anything without a host; the generator
/// picks the others more often so loops, calls and arithmetic get exercised.
fn is_peripheral(c: Category) -> bool {
    matches!(
        c,
        Category::Shell | Category::Io | Category::HigherOrder | Category::Extension
    )
}

/// An opcode: half the time any op, half the time a core (non-shell) op.
fn opcode(u: &mut Unstructured) -> Result<u8> {
    let any = u.int_in_range(0..=(OP_COUNT - 1) as u8)?;
    if u.arbitrary()? || !is_peripheral(OP_INFO[any as usize].category) {
        return Ok(any);
    }
    let core: Vec<u8> = (0..OP_COUNT as u8)
        .filter(|&i| !is_peripheral(OP_INFO[i as usize].category))
        .collect();
    Ok(*u.choose(&core)?)
}

/// One op with operands for `mode`. With `io == false` the ops that read stdin or write
/// stdout are replaced by ops with the same stack effect that do not touch the process.
pub fn op(u: &mut Unstructured, mode: Mode, pools: &Pools, io: bool) -> Result<Op> {
    let code = opcode(u)?;
    let info = &OP_INFO[code as usize];
    let mut vals = Vec::with_capacity(info.operands.len());
    for &(_, kind) in info.operands {
        vals.push(operand(u, kind, mode, pools)?);
    }
    let op = match Op::from_operands(code, &vals) {
        Ok(op) => op,
        // The kind allowed `u16`/`usize` but this op's operand is narrower (`u8` counts):
        // keep the low bits, as a fuzzer would.
        Err(OperandError::OutOfRange { .. }) => {
            for v in &mut vals {
                if let OperandValue::Int(n) = v {
                    *n = (*n as u128 & 0xff) as i128;
                }
            }
            Op::from_operands(code, &vals).unwrap_or(Op::Nop)
        }
        Err(_) => Op::Nop,
    };
    Ok(if io { op } else { without_io(op) })
}

/// Replaces the ops that touch stdio: `Print(n)`/`PrintLn(n)` become `Nop` (leaving their
/// operands on the stack is harmless: later ops read missing or extra values as usual) and
/// `ReadLine` becomes `LoadUndef` (it pushes one value, as `ReadLine` does).
pub fn without_io(op: Op) -> Op {
    match op {
        Op::Print(_) | Op::PrintLn(_) => Op::Nop,
        Op::ReadLine => Op::LoadUndef,
        other => other,
    }
}
