//! The contract between generated code and Rust: the context record native code receives,
//! the exit records it fills, and how entry slots are passed in.
//!
//! Generated code has the signature `extern "C" fn(*mut Ctx) -> i32` and returns the index
//! of the exit it left through. Each exit is described at compile time by an [`ExitInfo`]:
//! the op to resume at and where each value of the machine state lies in `Ctx::out`. Rust
//! turns that into VM state (stack values, frames, slots) exactly as the interpreter would
//! have left it before executing the op at `ExitInfo::ip`.
//!
//! Fuel (code compiled for [`Fuel::Counted`]): `ticks` counts back-edges left in the current
//! slice; when it reaches 0 native code checks the interrupt flag and takes the next slice
//! (at most [`CHECK_INTERVAL`]) out of `fuel`. So at any exit the fuel left is
//! `fuel + ticks`. Code compiled for [`Fuel::Unlimited`] only reads the interrupt flag.

use super::lower::kind::{Kind, TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_UNDEF, TAG_VM};
use crate::Value;
use std::mem::offset_of;
use std::sync::atomic::AtomicBool;

/// Back-edges between two interrupt checks in native code (the interpreter checks every 1024).
pub(crate) const CHECK_INTERVAL: i64 = 1024;

/// The record generated code receives. Every pointer is valid for the sizes the compiled
/// code declares (`Compiled::input_words`, `Compiled::out_words`).
#[repr(C)]
pub(crate) struct Ctx {
    /// Entry slot payloads, one word each, in `Compiled::inputs` order.
    pub input: *const i64,
    /// Exit record words.
    pub out: *mut i64,
    /// Fuel not yet handed to the current slice (counted code only).
    pub fuel: u64,
    /// Out: back-edges left in the current slice at exit (counted code only).
    pub ticks: u64,
    /// The VM's interrupt flag (read atomically at check points).
    pub interrupt: *const AtomicBool,
}

pub(crate) const CTX_INPUT: i32 = offset_of!(Ctx, input) as i32;
pub(crate) const CTX_OUT: i32 = offset_of!(Ctx, out) as i32;
pub(crate) const CTX_FUEL: i32 = offset_of!(Ctx, fuel) as i32;
pub(crate) const CTX_TICKS: i32 = offset_of!(Ctx, ticks) as i32;
pub(crate) const CTX_INTERRUPT: i32 = offset_of!(Ctx, interrupt) as i32;

/// Whether compiled code counts fuel (part of what code is specialized to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Fuel {
    /// The run has a fuel budget: count every unit exactly.
    Counted,
    /// No budget: only watch for interrupts.
    Unlimited,
}

impl Fuel {
    pub(crate) fn of(fuel: Option<u64>) -> Fuel {
        match fuel {
            Some(_) => Fuel::Counted,
            None => Fuel::Unlimited,
        }
    }
}

/// What compiled code is specialized to: the entry frame's slots the chunk names, with
/// what they hold, and the fuel mode.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Spec {
    pub entry: Vec<(u16, EntryKind)>,
    pub fuel: Fuel,
}

/// The generated function.
pub(crate) type EntryFn = unsafe extern "C" fn(*mut Ctx) -> i32;

/// What an entry-frame slot holds when native code starts; compiled code is specialized
/// to these (they are part of the cache key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum EntryKind {
    /// Past the end of the frame's slots: reads as `Undef`, and a write grows the slots.
    Absent,
    Undef,
    Bool,
    Int,
    Float,
    /// A string, container, status, reference or function: native code cannot use it, so
    /// reading it hands control back to the interpreter.
    Other,
}

impl EntryKind {
    pub(crate) fn of(v: Option<&Value>) -> EntryKind {
        match v {
            None => EntryKind::Absent,
            Some(Value::Undef) => EntryKind::Undef,
            Some(Value::Bool(_)) => EntryKind::Bool,
            Some(Value::Int(_)) => EntryKind::Int,
            Some(Value::Float(_)) => EntryKind::Float,
            Some(_) => EntryKind::Other,
        }
    }

    /// The input word for a value of this kind (`None`: nothing to pass).
    pub(crate) fn word(v: &Value) -> Option<i64> {
        match v {
            Value::Bool(b) => Some(*b as i64),
            Value::Int(n) => Some(*n),
            Value::Float(f) => Some(f.to_bits() as i64),
            _ => None,
        }
    }
}

/// Where one value lies in an exit record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cell {
    pub kind: Kind,
    /// Index of its first word in `Ctx::out` (tagged values: tag, then payload).
    pub off: u32,
}

impl Cell {
    /// The value in `out`; `None` for a slot native code left to the VM.
    pub(crate) fn read(&self, out: &[i64]) -> Option<Value> {
        let at = |i: usize| out.get(self.off as usize + i).copied().unwrap_or(0);
        let (tag, payload) = match self.kind.single() {
            Some(t @ (TAG_UNDEF | TAG_VM)) => (t, 0),
            Some(t) => (t, at(0)),
            None => (at(0) as u8, at(1)),
        };
        match tag {
            TAG_UNDEF => Some(Value::Undef),
            TAG_BOOL => Some(Value::Bool(payload != 0)),
            TAG_INT => Some(Value::Int(payload)),
            TAG_FLOAT => Some(Value::Float(f64::from_bits(payload as u64))),
            _ => None,
        }
    }
}

/// A natively opened `PushFrame` scope at an exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExitFrame {
    pub return_ip: usize,
    /// Abstract stack depth at its opening (add the VM stack's depth at entry).
    pub stack_base: usize,
    pub slots: Vec<(u16, Cell)>,
}

/// One way out of generated code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExitInfo {
    /// The op the interpreter continues with (`ops.len()`: the chunk ran to its end).
    pub ip: usize,
    /// The entry frame's slots native code owns (the others keep their VM value).
    pub entry_slots: Vec<(u16, Cell)>,
    /// Scopes opened natively, outermost first.
    pub frames: Vec<ExitFrame>,
    /// The values native code pushed, bottom first.
    pub stack: Vec<Cell>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_decode_every_tag() {
        let num = Kind::INT.union(Kind::FLOAT).union(Kind::VM);
        let out = [TAG_FLOAT as i64, 2.5f64.to_bits() as i64, TAG_VM as i64, 0, 7];
        let cell = |kind, off| Cell { kind, off };
        assert_eq!(cell(num, 0).read(&out), Some(Value::Float(2.5)));
        assert_eq!(cell(num, 2).read(&out), None);
        assert_eq!(cell(Kind::INT, 4).read(&out), Some(Value::Int(7)));
        assert_eq!(cell(Kind::BOOL, 4).read(&out), Some(Value::Bool(true)));
        assert_eq!(cell(Kind::UNDEF, 99).read(&out), Some(Value::Undef));
        assert_eq!(cell(Kind::VM, 99).read(&out), None);
        // A record shorter than the layout reads zeros instead of panicking.
        assert_eq!(cell(Kind::INT, 99).read(&out), Some(Value::Int(0)));
    }

    #[test]
    fn entry_kinds() {
        assert_eq!(EntryKind::of(None), EntryKind::Absent);
        assert_eq!(EntryKind::of(Some(&Value::str("x"))), EntryKind::Other);
        assert_eq!(EntryKind::word(&Value::Float(1.5)), Some(1.5f64.to_bits() as i64));
        assert_eq!(EntryKind::word(&Value::Undef), None);
    }
}
