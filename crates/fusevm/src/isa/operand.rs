//! Operands as data: their kinds (what an operand indexes or means), a uniform value type
//! for the assembler / disassembler / verifier, and conversions to and from the Rust
//! operand types of `Op` (`u8`, `u16`, `i32`, `i64`, `usize`, `f64`) with range checks.

use super::OpInfo;
use std::fmt;

/// What an operand means; decides how the assembler parses it and what the verifier checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperandKind {
    /// An integer literal (`i64`).
    Int,
    /// A float literal (`f64`).
    Float,
    /// A constant-pool index.
    Const,
    /// A local slot of the current frame.
    Slot,
    /// A global variable, i.e. a name-pool index.
    Global,
    /// A function, by name-pool index (`Call`, `CallFunction`).
    Func,
    /// An absolute op index to continue at.
    Target,
    /// A signed 32-bit loop limit of a fused op.
    Limit,
    /// A count of stack items (arguments, elements, stages).
    Count,
    /// A sub-chunk index.
    SubChunk,
    /// A block-range index (reserved higher-order ops).
    Block,
    /// A builtin id (`CallBuiltin`).
    Builtin,
    /// An extension op id.
    ExtId,
    /// The 8-bit argument of `Extended`.
    Imm8,
    /// The word-sized payload of `ExtendedWide`.
    Payload,
    /// A file descriptor number.
    Fd,
    /// A redirection kind (`op::redirect_op`).
    RedirectOp,
    /// A file test kind (`op::file_test`).
    FileTest,
    /// A parameter-expansion modifier (`op::param_mod`).
    ParamMod,
}

/// An operand's value, independent of its Rust type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OperandValue {
    Int(i128),
    Float(f64),
}

impl OperandValue {
    /// The integer value (a float is truncated; only used for integer kinds).
    pub fn as_int(&self) -> i128 {
        match *self {
            OperandValue::Int(n) => n,
            OperandValue::Float(f) => f as i128,
        }
    }
}

impl fmt::Display for OperandValue {
    /// Integers in decimal; floats in Rust's round-trip `Debug` form (`1.0`, `NaN`, `-inf`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OperandValue::Int(n) => write!(f, "{n}"),
            OperandValue::Float(x) => write!(f, "{x:?}"),
        }
    }
}

/// Up to four operand values without allocating.
#[derive(Debug, Clone, Copy)]
pub struct Operands {
    values: [OperandValue; 4],
    len: u8,
}

impl Operands {
    pub(super) fn from_slice(values: &[OperandValue]) -> Self {
        let mut out = Operands {
            values: [OperandValue::Int(0); 4],
            len: values.len() as u8,
        };
        out.values[..values.len()].copy_from_slice(values);
        out
    }

    pub fn as_slice(&self) -> &[OperandValue] {
        &self.values[..self.len as usize]
    }
}

/// Why operand values do not make an op.
#[derive(Debug, Clone, PartialEq)]
pub enum OperandError {
    UnknownOpcode(u8),
    Arity {
        expected: usize,
        found: usize,
    },
    OutOfRange {
        operand: &'static str,
        value: OperandValue,
        ty: &'static str,
    },
}

impl fmt::Display for OperandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OperandError::UnknownOpcode(n) => write!(f, "unknown opcode {n}"),
            OperandError::Arity { expected, found } => {
                write!(f, "expected {expected} operand(s), found {found}")
            }
            OperandError::OutOfRange { operand, value, ty } => {
                write!(f, "operand `{operand}` = {value} does not fit in {ty}")
            }
        }
    }
}

impl std::error::Error for OperandError {}

/// The Rust types ops carry as operands.
pub(crate) trait OperandType: Sized + Copy {
    const NAME: &'static str;
    fn to_operand(self) -> OperandValue;
    fn from_operand(v: OperandValue) -> Option<Self>;
    fn hash_operand<H: std::hash::Hasher>(&self, state: &mut H);
}

macro_rules! int_operand {
    ($($t:ty),*) => {$(
        impl OperandType for $t {
            const NAME: &'static str = stringify!($t);
            fn to_operand(self) -> OperandValue {
                OperandValue::Int(self as i128)
            }
            fn from_operand(v: OperandValue) -> Option<Self> {
                match v {
                    OperandValue::Int(n) => <$t>::try_from(n).ok(),
                    OperandValue::Float(_) => None,
                }
            }
            fn hash_operand<H: std::hash::Hasher>(&self, state: &mut H) {
                std::hash::Hash::hash(self, state)
            }
        }
    )*};
}
int_operand!(u8, u16, i16, i32, u32, i64, usize);

impl OperandType for f64 {
    const NAME: &'static str = "f64";
    fn to_operand(self) -> OperandValue {
        OperandValue::Float(self)
    }
    fn from_operand(v: OperandValue) -> Option<Self> {
        match v {
            OperandValue::Float(f) => Some(f),
            // An integer literal is accepted where a float is expected when it is exact.
            OperandValue::Int(n) => {
                let f = n as f64;
                (f as i128 == n).then_some(f)
            }
        }
    }
    fn hash_operand<H: std::hash::Hasher>(&self, state: &mut H) {
        std::hash::Hash::hash(&self.to_bits(), state)
    }
}

/// Takes the next operand value and converts it to `T`.
pub(super) fn take<T: OperandType>(
    it: &mut impl Iterator<Item = (usize, OperandValue)>,
    info: &OpInfo,
) -> Result<T, OperandError> {
    let (i, v) = it.next().ok_or(OperandError::Arity {
        expected: info.operands.len(),
        found: 0,
    })?;
    T::from_operand(v).ok_or(OperandError::OutOfRange {
        operand: info.operands[i].0,
        value: v,
        ty: T::NAME,
    })
}
