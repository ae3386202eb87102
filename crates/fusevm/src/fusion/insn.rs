//! `Insn`: the instruction the interpreter dispatches on. It is generated from both tables:
//! one variant per public `Op` (same name, same operands) and one per superinstruction of
//! [`crate::isa::superinstructions`]. Prepared code is a `Vec<Insn>` with the same length
//! and numbering as the chunk's ops, so jump targets, error locations and line numbers need
//! no remapping.

use crate::isa::operand::{OperandType, OperandValue};
use crate::Op;

/// Receives the op table and hands it, with the superinstruction table, to `define_insn!`.
macro_rules! with_superinstructions {
    ($($ops:tt)*) => {
        crate::isa::superinstructions::for_each_superinstruction!(define_insn [ $($ops)* ]);
    };
}

macro_rules! define_insn {
    (
        [ $(
            $(#[doc = $doc:literal])*
            $name:ident $( ( $( $arg:ident : $ty:ty as $kind:ident ),+ ) )?
                = $mn:literal, $cat:ident, [ $($eff:tt)* ] $(, fuses $fuse:literal)? ;
        )* ]
        $(
            $(#[doc = $sdoc:literal])*
            $sname:ident $( ( $( $sarg:ident : $sty:ty ),+ ) )? = $template:literal;
        )*
    ) => {
        /// A prepared instruction: an `Op`, or a superinstruction standing for the op
        /// sequence its template names (the ops it covers stay in place after it).
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub(crate) enum Insn {
            $( $name $( ( $($ty),+ ) )?, )*
            $( $(#[doc = $sdoc])* $sname $( ( $($sty),+ ) )?, )*
        }

        impl Insn {
            /// The instruction that runs `op` alone.
            #[inline]
            pub(crate) fn from_op(op: Op) -> Insn {
                match op {
                    $( Op::$name $( ( $($arg),+ ) )? => Insn::$name $( ( $($arg),+ ) )?, )*
                }
            }

            /// Superinstruction number `index` (table order) built from its template's
            /// bound operands; `None` when an operand does not fit its field.
            pub(crate) fn superinstruction(index: usize, operands: &[OperandValue]) -> Option<Insn> {
                let mut n = 0;
                $(
                    if index == n {
                        #[allow(unused_mut, unused_variables)]
                        let mut it = operands.iter().copied();
                        return Some(Insn::$sname $( ( $( <$sty as OperandType>::from_operand(it.next()?)? ),+ ) )?);
                    }
                    n += 1;
                )*
                let _ = n;
                None
            }
        }

        /// Static facts about every superinstruction, in table order.
        pub static SUPERINSTRUCTIONS: &[super::SuperInfo] = &[
            $( super::SuperInfo {
                name: stringify!($sname),
                template: $template,
                doc: concat!($($sdoc),*),
                fields: &[$($( (stringify!($sarg), stringify!($sty)) ),+)?],
            }, )*
        ];

        /// Number of ops each superinstruction covers, by name (for the dispatch loop).
        #[allow(non_upper_case_globals)]
        pub(crate) mod covers {
            $( pub(crate) const $sname: usize = super::template_len($template); )*
        }
    };
}

crate::for_each_op!(with_superinstructions);

// Prepared code is walked one `Insn` per op: a variant whose operands outgrow 16 bytes
// would grow every instruction (and the dispatch loop's cache footprint) by half. Narrow
// its fields instead (as `IfSlotIntEqReturnSlotIntAdd`'s `i16` addend).
const _: () = assert!(std::mem::size_of::<Insn>() == 16, "Insn must stay 16 bytes");

/// The number of ops in a template (`;`-separated).
const fn template_len(template: &str) -> usize {
    let bytes = template.as_bytes();
    let mut n = 1;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b';' {
            n += 1;
        }
        i += 1;
    }
    n
}
