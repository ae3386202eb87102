//! Handing control back: turning an exit record into interpreter state.
//!
//! A [`Handback`] is the machine state native code left at an exit, as `Value`s: the op to
//! continue at, the entry frame's slots native code wrote (with their real variants), the
//! scopes it opened, and the values it pushed. Applied to a VM it gives exactly the state
//! the interpreter would have had before executing that op; slots native code did not
//! write keep whatever the VM holds.

use super::abi::{Cell, ExitInfo};
use crate::isa::OperandKind;
use crate::vm::{Frame, VM};
use crate::{Op, Value};

/// A natively opened scope at an exit.
pub(crate) struct ScopeBack {
    pub return_ip: usize,
    /// Relative to the VM stack's depth when native code started.
    pub stack_base: usize,
    pub slots: Vec<(u16, Value)>,
}

/// The state at an exit.
pub(crate) struct Handback {
    pub ip: usize,
    pub entry_slots: Vec<(u16, Value)>,
    pub scopes: Vec<ScopeBack>,
    pub stack: Vec<Value>,
}

fn values(cells: &[(u16, Cell)], out: &[i64]) -> Vec<(u16, Value)> {
    cells
        .iter()
        .filter_map(|(s, c)| c.read(out).map(|v| (*s, v)))
        .collect()
}

impl Handback {
    pub(crate) fn decode(exit: &ExitInfo, out: &[i64]) -> Handback {
        Handback {
            ip: exit.ip,
            entry_slots: values(&exit.entry_slots, out),
            scopes: exit
                .frames
                .iter()
                .map(|f| ScopeBack {
                    return_ip: f.return_ip,
                    stack_base: f.stack_base,
                    slots: values(&f.slots, out),
                })
                .collect(),
            stack: exit
                .stack
                .iter()
                .map(|c| c.read(out).unwrap_or(Value::Undef))
                .collect(),
        }
    }

    /// Whether native code ran the chunk to its end in the entry frame.
    pub(crate) fn finished(&self, len: usize) -> bool {
        self.ip >= len && self.scopes.is_empty()
    }

    /// Puts the state into `vm`, which must be where native code started: one frame, `ip`
    /// 0, the stack as it was.
    pub(crate) fn apply(self, vm: &mut VM) {
        let base = vm.stack.len();
        if let Some(f) = vm.frames.last_mut() {
            for (s, v) in self.entry_slots {
                write_slot(&mut f.slots, s, v);
            }
        }
        vm.stack.extend(self.stack);
        for scope in self.scopes {
            let mut slots = Vec::new();
            for (s, v) in scope.slots {
                write_slot(&mut slots, s, v);
            }
            vm.frames.push(Frame {
                return_ip: scope.return_ip,
                stack_base: base + scope.stack_base,
                slots,
            });
        }
        vm.ip = self.ip;
    }
}

/// `slots[s] = v`, growing the slots with `Undef` (the interpreter's `SetSlot`).
pub(crate) fn write_slot(slots: &mut Vec<Value>, s: u16, v: Value) {
    let s = s as usize;
    if s >= slots.len() {
        slots.resize(s + 1, Value::Undef);
    }
    slots[s] = v;
}

/// Every slot index an op of `ops` names, sorted, without repeats.
pub(crate) fn referenced_slots(ops: &[Op]) -> Vec<u16> {
    let mut slots: Vec<u16> = ops
        .iter()
        .flat_map(|op| {
            op.info()
                .operands
                .iter()
                .zip(op.operands().as_slice().to_vec())
                .filter(|((_, kind), _)| *kind == OperandKind::Slot)
                .map(|(_, v)| v.as_int() as u16)
                .collect::<Vec<_>>()
        })
        .collect();
    slots.sort_unstable();
    slots.dedup();
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_grow_like_set_slot() {
        let mut s = vec![Value::Int(1)];
        write_slot(&mut s, 3, Value::Bool(true));
        assert_eq!(
            s,
            vec![Value::Int(1), Value::Undef, Value::Undef, Value::Bool(true)]
        );
        write_slot(&mut s, 0, Value::Float(0.5));
        assert_eq!(s[0], Value::Float(0.5));
    }

    #[test]
    fn referenced_slots_cover_fused_ops() {
        let ops = [
            Op::GetSlot(4),
            Op::AddAssignSlotVoid(2, 9),
            Op::AccumSumLoop(7, 4, 10),
            Op::SlotIncLtIntJumpBack(1, 5, 0),
            Op::LoadInt(3),
        ];
        assert_eq!(referenced_slots(&ops), vec![1, 2, 4, 7, 9]);
    }
}
