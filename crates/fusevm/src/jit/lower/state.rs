//! The compile-time machine state: the abstract operand stack and the frames' slots as
//! native values ([`State`]), and its kinds-only summary at a block boundary ([`Shape`]).
//!
//! Invariants:
//! - `State::stack` is the part of the VM stack that native code pushed; the values below
//!   it (pushed before the run) are never touched, so an op that would reach them hands
//!   control back to the interpreter instead.
//! - `frames[0]` is the frame native code was entered in; every further frame is a
//!   `PushFrame` scope opened natively, with the abstract stack depth at its opening.
//! - A slot missing from a frame's map is still the VM's own value ([`JVal::Vm`]); the map
//!   never stores `JVal::Vm` itself, so two states with the same slots compare equal.

use super::kind::{JVal, Kind};
use std::collections::BTreeMap;

/// One frame's slots and, for a natively opened scope, where it returns and its stack base.
#[derive(Clone, Debug)]
pub(crate) struct FrameState {
    /// `ip` after the `PushFrame` that opened the frame (0 for the entry frame).
    pub return_ip: usize,
    /// Abstract stack depth when the frame was opened (0 for the entry frame).
    pub stack_base: usize,
    /// Slots native code knows (written, or read at entry).
    pub slots: BTreeMap<u16, JVal>,
}

/// The abstract machine state at one program point.
#[derive(Clone, Debug)]
pub(crate) struct State {
    pub stack: Vec<JVal>,
    pub frames: Vec<FrameState>,
}

impl State {
    /// The state at entry: an empty stack and the entry frame's known slots.
    pub(crate) fn entry(slots: BTreeMap<u16, JVal>) -> State {
        State {
            stack: Vec::new(),
            frames: vec![FrameState {
                return_ip: 0,
                stack_base: 0,
                slots,
            }],
        }
    }

    /// Frame depth: 0 in the entry frame.
    pub(crate) fn depth(&self) -> usize {
        self.frames.len().saturating_sub(1)
    }

    /// Slot `s` of the current frame (`JVal::Vm` when native code does not hold it).
    pub(crate) fn slot(&self, s: u16) -> JVal {
        self.frames
            .last()
            .and_then(|f| f.slots.get(&s))
            .copied()
            .unwrap_or(JVal::Vm)
    }

    /// Sets slot `s` of the current frame.
    pub(crate) fn set_slot(&mut self, s: u16, v: JVal) {
        if let Some(f) = self.frames.last_mut() {
            if matches!(v, JVal::Vm) {
                f.slots.remove(&s);
            } else {
                f.slots.insert(s, v);
            }
        }
    }

    /// The kinds-only summary.
    pub(crate) fn shape(&self) -> Shape {
        Shape {
            stack: self.stack.iter().map(JVal::kind).collect(),
            frames: self
                .frames
                .iter()
                .map(|f| FrameShape {
                    return_ip: f.return_ip,
                    stack_base: f.stack_base,
                    slots: f.slots.iter().map(|(&s, v)| (s, v.kind())).collect(),
                })
                .collect(),
        }
    }

    /// The values of the cells of `shape` (stack, then each frame's slots in `shape`'s
    /// order; a slot this state does not hold is `JVal::Vm`). `None` if the frame or stack
    /// layout differs.
    pub(crate) fn cells_for(&self, shape: &Shape) -> Option<Vec<JVal>> {
        if !shape.same_layout(&self.shape()) {
            return None;
        }
        let mut cells = self.stack.clone();
        for (f, fs) in self.frames.iter().zip(&shape.frames) {
            cells.extend(
                fs.slots
                    .keys()
                    .map(|s| f.slots.get(s).copied().unwrap_or(JVal::Vm)),
            );
        }
        Some(cells)
    }

    /// Rebuilds a state of `shape` from its cells (in [`Shape::cell_kinds`] order).
    pub(crate) fn from_cells(shape: &Shape, cells: &[JVal]) -> State {
        let mut it = cells.iter().copied();
        let stack = shape
            .stack
            .iter()
            .map(|_| it.next().unwrap_or(JVal::Undef))
            .collect();
        let frames = shape
            .frames
            .iter()
            .map(|fs| FrameState {
                return_ip: fs.return_ip,
                stack_base: fs.stack_base,
                slots: fs
                    .slots
                    .keys()
                    .filter_map(|&s| match it.next() {
                        Some(JVal::Vm) | None => None,
                        Some(v) => Some((s, v)),
                    })
                    .collect(),
            })
            .collect();
        State { stack, frames }
    }
}

/// A frame of a [`Shape`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FrameShape {
    pub return_ip: usize,
    pub stack_base: usize,
    /// Kinds of the slots native code may hold; a missing slot is `Kind::VM`.
    pub slots: BTreeMap<u16, Kind>,
}

/// The kinds of a [`State`]'s cells: what a block boundary needs to agree on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    pub stack: Vec<Kind>,
    pub frames: Vec<FrameShape>,
}

/// What merging an incoming shape into a block's shape did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Merge {
    /// The block's shape already covered the incoming one.
    Covered,
    /// The block's shape grew.
    Grew,
    /// Different stack depth or frames: the edge cannot enter the block natively.
    Incompatible,
}

impl Shape {
    /// Same stack depth and the same frames (return ips and stack bases).
    pub(crate) fn same_layout(&self, other: &Shape) -> bool {
        self.stack.len() == other.stack.len()
            && self.frames.len() == other.frames.len()
            && self
                .frames
                .iter()
                .zip(&other.frames)
                .all(|(a, b)| a.return_ip == b.return_ip && a.stack_base == b.stack_base)
    }

    /// Widens `self` so it covers `incoming` (kinds unite; a slot known on one side only
    /// may also be the VM's value).
    pub(crate) fn merge(&mut self, incoming: &Shape) -> Merge {
        if !self.same_layout(incoming) {
            return Merge::Incompatible;
        }
        let mut grew = false;
        for (k, inc) in self.stack.iter_mut().zip(&incoming.stack) {
            let u = k.union(*inc);
            grew |= u != *k;
            *k = u;
        }
        for (f, inc) in self.frames.iter_mut().zip(&incoming.frames) {
            for (s, k) in f.slots.iter_mut() {
                let other = inc.slots.get(s).copied().unwrap_or(Kind::VM);
                let u = k.union(other);
                grew |= u != *k;
                *k = u;
            }
            for (s, k) in &inc.slots {
                if !f.slots.contains_key(s) {
                    f.slots.insert(*s, k.union(Kind::VM));
                    grew = true;
                }
            }
        }
        if grew {
            Merge::Grew
        } else {
            Merge::Covered
        }
    }

    /// Whether a value of every incoming cell kind fits the cell here.
    pub(crate) fn covers(&self, incoming: &Shape) -> bool {
        let mut copy = self.clone();
        copy.merge(incoming) == Merge::Covered
    }

    /// The kind of each cell: stack, then each frame's slots in slot order.
    pub(crate) fn cell_kinds(&self) -> Vec<Kind> {
        let mut kinds = self.stack.clone();
        for f in &self.frames {
            kinds.extend(f.slots.values().copied());
        }
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(stack: &[Kind], slots: &[(u16, Kind)]) -> Shape {
        Shape {
            stack: stack.to_vec(),
            frames: vec![FrameShape {
                return_ip: 0,
                stack_base: 0,
                slots: slots.iter().copied().collect(),
            }],
        }
    }

    #[test]
    fn merge_widens_kinds_and_unknown_slots() {
        let mut a = shape(&[Kind::INT], &[(0, Kind::INT)]);
        assert_eq!(a.merge(&shape(&[Kind::INT], &[(0, Kind::INT)])), Merge::Covered);
        assert_eq!(
            a.merge(&shape(&[Kind::FLOAT], &[(0, Kind::INT), (3, Kind::BOOL)])),
            Merge::Grew
        );
        assert_eq!(a.stack, vec![Kind::INT.union(Kind::FLOAT)]);
        assert_eq!(a.frames[0].slots[&3], Kind::BOOL.union(Kind::VM));
        // The incoming edge does not know slot 0: it may still be the VM's value there.
        assert_eq!(a.merge(&shape(&[Kind::INT], &[])), Merge::Grew);
        assert_eq!(a.frames[0].slots[&0], Kind::INT.union(Kind::VM));
        assert!(a.covers(&shape(&[Kind::FLOAT], &[(3, Kind::BOOL)])));
        assert_eq!(a.merge(&shape(&[], &[])), Merge::Incompatible);
        assert_eq!(a.cell_kinds().len(), 3);
    }
}
