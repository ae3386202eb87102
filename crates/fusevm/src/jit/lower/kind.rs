//! What native code knows about a value at compile time ([`Kind`]: the set of `Value`
//! variants it may hold) and how it holds it in registers ([`JVal`]).
//!
//! Native code only ever holds the plain numeric variants `Undef`, `Bool`, `Int` and
//! `Float`, plus, for slots, the marker "still the VM's own value" ([`Kind::VM`]: native
//! code has not written the slot, so the VM's slot is left alone; reading it either gives
//! `Undef` — the slot is absent — or hands control back to the interpreter — it holds a
//! string or another non-numeric value).
//!
//! Representation invariant: a value whose kind has one variant is unboxed (`Int` → `i64`,
//! `Float` → `f64`, `Bool` → `i8` 0/1, `Undef`/`VM` → nothing); a value whose kind has
//! several is a *tagged* pair `(tag: i8, payload: i64)` with the payload holding the int,
//! the float's bits or 0/1. Kinds only grow at control-flow merges (the block tier's
//! fixpoint), so the representation of every cell is fixed per program point.

use cranelift_codegen::ir::{types, Type, Value as Reg};

/// Runtime tag of a tagged value (also the bit index in [`Kind`]).
pub(crate) const TAG_UNDEF: u8 = 0;
pub(crate) const TAG_BOOL: u8 = 1;
pub(crate) const TAG_INT: u8 = 2;
pub(crate) const TAG_FLOAT: u8 = 3;
/// The slot still holds the VM's value (never on the operand stack).
pub(crate) const TAG_VM: u8 = 4;

/// A set of possible runtime tags.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct Kind(u8);

impl Kind {
    pub(crate) const UNDEF: Kind = Kind(1 << TAG_UNDEF);
    pub(crate) const BOOL: Kind = Kind(1 << TAG_BOOL);
    pub(crate) const INT: Kind = Kind(1 << TAG_INT);
    pub(crate) const FLOAT: Kind = Kind(1 << TAG_FLOAT);
    pub(crate) const VM: Kind = Kind(1 << TAG_VM);

    pub(crate) const fn union(self, other: Kind) -> Kind {
        Kind(self.0 | other.0)
    }

    /// `self` without the tags of `other`.
    pub(crate) const fn without(self, other: Kind) -> Kind {
        Kind(self.0 & !other.0)
    }

    /// Whether `self` may hold any tag of `other`.
    pub(crate) const fn meets(self, other: Kind) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether every tag of `other` is in `self`.
    pub(crate) const fn covers(self, other: Kind) -> bool {
        other.0 & !self.0 == 0
    }

    pub(crate) const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The tag, if exactly one is possible.
    pub(crate) const fn single(self) -> Option<u8> {
        if self.0.is_power_of_two() {
            Some(self.0.trailing_zeros() as u8)
        } else {
            None
        }
    }

    /// Cranelift types of the registers holding a value of this kind.
    pub(crate) fn reg_types(self) -> &'static [Type] {
        match self.single() {
            Some(TAG_BOOL) => &[types::I8],
            Some(TAG_INT) => &[types::I64],
            Some(TAG_FLOAT) => &[types::F64],
            Some(_) => &[],
            None => &[types::I8, types::I64],
        }
    }

    /// Words a value of this kind takes in an exit record.
    pub(crate) fn words(self) -> usize {
        match self.single() {
            Some(TAG_UNDEF | TAG_VM) => 0,
            Some(_) => 1,
            None => 2,
        }
    }
}

/// A value as native code holds it (see the module doc for the invariant).
#[derive(Clone, Copy, Debug)]
pub(crate) enum JVal {
    Undef,
    /// A slot native code has not written (never on the operand stack).
    Vm,
    /// `i8`, 0 or 1.
    Bool(Reg),
    /// `i64`.
    Int(Reg),
    /// `f64`.
    Float(Reg),
    /// Several kinds possible: `tag` (`i8`) selects, `payload` (`i64`) holds the bits.
    Tagged {
        kind: Kind,
        tag: Reg,
        payload: Reg,
    },
}

impl JVal {
    pub(crate) fn kind(&self) -> Kind {
        match self {
            JVal::Undef => Kind::UNDEF,
            JVal::Vm => Kind::VM,
            JVal::Bool(_) => Kind::BOOL,
            JVal::Int(_) => Kind::INT,
            JVal::Float(_) => Kind::FLOAT,
            JVal::Tagged { kind, .. } => *kind,
        }
    }

    /// The registers, in [`Kind::reg_types`] order.
    pub(crate) fn regs(&self) -> Vec<Reg> {
        match *self {
            JVal::Undef | JVal::Vm => Vec::new(),
            JVal::Bool(r) | JVal::Int(r) | JVal::Float(r) => vec![r],
            JVal::Tagged { tag, payload, .. } => vec![tag, payload],
        }
    }

    /// Rebuilds a value of `kind` from its registers (as laid out by [`Kind::reg_types`]).
    /// `None` if the register count does not fit the kind.
    pub(crate) fn from_regs(kind: Kind, regs: &[Reg]) -> Option<JVal> {
        Some(match (kind.single(), regs) {
            (Some(TAG_UNDEF), []) => JVal::Undef,
            (Some(TAG_VM), []) => JVal::Vm,
            (Some(TAG_BOOL), [r]) => JVal::Bool(*r),
            (Some(TAG_INT), [r]) => JVal::Int(*r),
            (Some(TAG_FLOAT), [r]) => JVal::Float(*r),
            (None, [tag, payload]) if !kind.is_empty() => JVal::Tagged {
                kind,
                tag: *tag,
                payload: *payload,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_algebra() {
        let num = Kind::INT.union(Kind::FLOAT);
        assert_eq!(num.single(), None);
        assert_eq!(Kind::FLOAT.single(), Some(TAG_FLOAT));
        assert!(num.covers(Kind::INT) && !Kind::INT.covers(num));
        assert!(num.meets(Kind::FLOAT) && !num.meets(Kind::BOOL));
        assert_eq!(num.without(Kind::INT), Kind::FLOAT);
        assert_eq!(Kind::union(Kind::VM, Kind::VM).single(), Some(TAG_VM));
        assert_eq!((Kind::UNDEF.words(), Kind::INT.words(), num.words()), (0, 1, 2));
        assert_eq!(num.reg_types(), &[types::I8, types::I64]);
        assert!(Kind::VM.without(Kind::VM).is_empty());
    }
}
