//! The instruction set architecture: the `Op` enum and everything derived from the table.
//!
//! The table lives in [`table`](self) (`for_each_op!`); this module expands it into:
//! - [`Op`]: upstream's 134 variants, same names, operand types and order;
//! - [`OpInfo`] / [`OP_INFO`]: name, mnemonic, category, operand names and kinds, doc line,
//!   fused expansion, indexed by [`Op::opcode`];
//! - [`Op::operands`] / [`Op::from_operands`]: generic operand access for the assembler,
//!   disassembler and verifier;
//! - [`Op::stack_effect`]: pops and pushes, for the verifier's stack analysis.
//!
//! Invariant: nothing here is written per op by hand; every per-op fact comes from the table.

#[macro_use]
mod table;
pub(crate) mod operand;
pub(crate) mod superinstructions;

pub use operand::{OperandError, OperandKind, OperandValue, Operands};

use serde::{Deserialize, Serialize};
use std::hash::Hash as _;

/// What an op does to the value stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackEffect {
    /// Pops `pops` values, then pushes `pushes` values.
    Fixed { pops: u32, pushes: u32 },
    /// Decided at run time: calls, returns, handlers, shell commands.
    Dynamic,
}

/// The group an op belongs to (upstream's README groups plus the ones it left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Stack,
    Variable,
    Collection,
    Arithmetic,
    String,
    Comparison,
    Logic,
    Control,
    Function,
    Scope,
    Io,
    Range,
    HigherOrder,
    Fused,
    Builtin,
    Extension,
    Shell,
}

/// Static facts about one op, generated from the table.
#[derive(Debug)]
pub struct OpInfo {
    /// Upstream's variant name, e.g. `"SlotIncLtIntJumpBack"`.
    pub name: &'static str,
    /// The assembler mnemonic, e.g. `"slot_inc_lt_int_jump_back"`.
    pub mnemonic: &'static str,
    pub category: Category,
    /// Operand names and kinds, in declaration order.
    pub operands: &'static [(&'static str, OperandKind)],
    /// The one-line doc in stack notation.
    pub doc: &'static str,
    /// For fused ops: the sequence it replaces, as assembly text with `{N}` for operand N.
    pub fuses: Option<&'static str>,
}

macro_rules! define_isa {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident $( ( $( $arg:ident : $ty:ty as $kind:ident ),+ ) )?
            = $mn:literal, $cat:ident, [ $($eff:tt)* ] $(, fuses $fuse:literal)? ;
    )*) => {
        /// One VM instruction. Declaration order, names and operand types are upstream's
        /// (fusevm 0.12.2); `Copy` and at most 16 bytes.
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
        pub enum Op {
            $( $(#[doc = $doc])* $name $( ( $($ty),+ ) )?, )*
        }

        /// Fieldless mirror of `Op`, used to number ops.
        #[allow(dead_code)]
        #[repr(u8)]
        enum Opcode { $($name,)* }

        /// Number of ops in the instruction set.
        pub const OP_COUNT: usize = [$(Opcode::$name),*].len();

        /// Static facts for every op, indexed by [`Op::opcode`].
        pub static OP_INFO: [OpInfo; OP_COUNT] = [$(
            OpInfo {
                name: stringify!($name),
                mnemonic: $mn,
                category: Category::$cat,
                operands: &[$($( (stringify!($arg), OperandKind::$kind) ),+)?],
                doc: concat!($($doc),*),
                fuses: define_isa!(@fuses $($fuse)?),
            },
        )*];

        impl Op {
            /// The op's index in declaration order (0 = `Nop` .. 133 = `WithRedirectsEnd`).
            #[inline]
            pub fn opcode(&self) -> u8 {
                match self { $( Op::$name { .. } => Opcode::$name as u8, )* }
            }

            /// Static facts about this op.
            #[inline]
            pub fn info(&self) -> &'static OpInfo {
                &OP_INFO[self.opcode() as usize]
            }

            /// Upstream's variant name.
            pub fn name(&self) -> &'static str {
                self.info().name
            }

            /// The assembler mnemonic.
            pub fn mnemonic(&self) -> &'static str {
                self.info().mnemonic
            }

            /// The operand values, in declaration order.
            pub fn operands(&self) -> Operands {
                match *self {
                    $( Op::$name $( ( $($arg),+ ) )? => {
                        Operands::from_slice(&[$($( operand::OperandType::to_operand($arg) ),+)?])
                    } )*
                }
            }

            /// Builds the op numbered `opcode` from operand values, checking arity and ranges.
            pub fn from_operands(opcode: u8, values: &[OperandValue]) -> Result<Op, OperandError> {
                let info = OP_INFO.get(opcode as usize).ok_or(operand::OperandError::UnknownOpcode(opcode))?;
                if values.len() != info.operands.len() {
                    return Err(operand::OperandError::Arity { expected: info.operands.len(), found: values.len() });
                }
                #[allow(unused_mut, unused_variables)]
                let mut it = values.iter().copied().enumerate();
                $(
                    if opcode == Opcode::$name as u8 {
                        return Ok(Op::$name $( ( $( operand::take::<$ty>(&mut it, info)? ),+ ) )?);
                    }
                )*
                Err(operand::OperandError::UnknownOpcode(opcode))
            }

            /// Hashes like upstream: the discriminant, then every operand with its own type's
            /// `Hash` (`f64` by its bits).
            fn hash_like_upstream<H: std::hash::Hasher>(&self, state: &mut H) {
                std::mem::discriminant(self).hash(state);
                match *self {
                    $( Op::$name $( ( $($arg),+ ) )? => { $($( operand::OperandType::hash_operand(&$arg, state); )+)? } )*
                }
            }

            /// What the op does to the value stack.
            #[allow(unused_variables)]
            pub fn stack_effect(&self) -> StackEffect {
                match *self {
                    $( Op::$name $( ( $($arg),+ ) )? => define_isa!(@effect $($eff)*), )*
                }
            }
        }
    };
    (@fuses) => { None };
    (@fuses $fuse:literal) => { Some($fuse) };
    (@effect dyn) => { StackEffect::Dynamic };
    (@effect $pops:expr => $pushes:expr) => {
        StackEffect::Fixed { pops: ($pops) as u32, pushes: ($pushes) as u32 }
    };
}

for_each_op!(define_isa);

impl OpInfo {
    /// The info for a mnemonic, e.g. `OpInfo::by_mnemonic("add")`.
    pub fn by_mnemonic(mnemonic: &str) -> Option<(u8, &'static OpInfo)> {
        OP_INFO
            .iter()
            .position(|i| i.mnemonic == mnemonic)
            .map(|i| (i as u8, &OP_INFO[i]))
    }
}

impl Op {
    /// The jump target of a branching op (any op with a `Target` operand).
    pub fn branch_target(&self) -> Option<usize> {
        let kinds = self.info().operands;
        let values = self.operands();
        kinds
            .iter()
            .zip(values.as_slice())
            .find(|((_, kind), _)| *kind == OperandKind::Target)
            .map(|(_, v)| v.as_int() as usize)
    }
}

impl std::fmt::Display for Op {
    /// Assembly text: the mnemonic and its operands, e.g. `call 3, 1`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.mnemonic())?;
        for (i, v) in self.operands().as_slice().iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ", " })?;
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

/// Upstream's `Hash` for `Op`: the discriminant, then every operand in declaration order
/// (`LoadFloat` by its bits, so `0.0` and `-0.0` hash differently — upstream pins this).
impl std::hash::Hash for Op {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.hash_like_upstream(state)
    }
}
