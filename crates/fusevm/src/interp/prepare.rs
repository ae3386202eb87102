//! Preparing a chunk for execution: verify once, resolve function entries, and keep a
//! shared copy of the ops that the run loop borrows without borrowing the VM.
//!
//! `vm.chunk` is public, so a chunk can be replaced between runs or by a handler during
//! one. A fingerprint of the chunk's vectors (address and length) detects replacement and
//! growth; the chunk is then verified again. In-place edits of single ops are not detected
//! (documented on `VM`); they can make a run fail, never panic.

use super::VM;
use crate::error::{ErrorKind, VmError};
use crate::fusion::{self, Insn};
use crate::{Chunk, Op};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint([usize; 10]);

impl Fingerprint {
    fn of(c: &Chunk) -> Self {
        Fingerprint([
            c.ops.as_ptr() as usize,
            c.ops.len(),
            c.constants.as_ptr() as usize,
            c.constants.len(),
            c.names.as_ptr() as usize,
            c.names.len(),
            c.sub_entries.as_ptr() as usize,
            c.sub_entries.len(),
            c.sub_chunks.as_ptr() as usize,
            c.sub_chunks.len(),
        ])
    }
}

/// A verified chunk, ready to run.
pub(super) struct Prepared {
    fingerprint: Fingerprint,
    /// The chunk's ops (error locations, look-ahead).
    pub ops: Arc<[Op]>,
    /// What the loop dispatches on: the ops, with superinstructions where fusion applies.
    pub code: Arc<[Insn]>,
    /// Whether `code` was fused (a `set_fusion` change prepares again).
    fused: bool,
    /// For each name index, the function's entry and argument prologue (`CallTarget`).
    pub targets: Vec<CallTarget>,
}

/// Where a call of one name goes.
#[derive(Debug, Clone, Copy)]
pub(super) struct CallTarget {
    /// The entry op index (`NO_ENTRY` if no function has that name).
    entry: usize,
    /// How many arguments a call moves straight into the callee's slots
    /// (`argument_prologue`); 0 when the code is not fused (profiled runs count the ops).
    params: usize,
}

const NO_ENTRY: usize = usize::MAX;

/// What the run loop executes: the dispatched code and the chunk's ops, same numbering.
pub(super) type Code = (Arc<[Insn]>, Arc<[Op]>);

impl VM {
    /// The prepared chunk's op at `ip` (the op a position of the running code stands for,
    /// e.g. what follows a `Concat`). Looked up through `self`, not passed to the dispatch
    /// loop: one value fewer live across the loop's calls keeps `ip` in a register.
    pub(super) fn op_at(&self, ip: usize) -> Option<Op> {
        self.prepared.as_ref()?.ops.get(ip).copied()
    }

    /// The verified code and ops of `self.chunk`, preparing them if the chunk is new or
    /// changed.
    pub(super) fn prepare(&mut self) -> Result<Code, VmError> {
        let fp = Fingerprint::of(&self.chunk);
        if let Some(p) = &self.prepared {
            if p.fingerprint == fp && p.fused == self.fusion {
                return Ok((p.code.clone(), p.ops.clone()));
            }
        }
        let verified = crate::verify::verify_all(&self.chunk, 1).map_err(|errs| {
            let e = &errs[0];
            let message = format!("invalid chunk: {}", e.message);
            VmError {
                kind: ErrorKind::Verify,
                message,
                ip: e.ip,
                op: e.op,
                line: e.line,
            }
        })?;
        let ops: Arc<[Op]> = self.chunk.ops.as_slice().into();
        let unknown = CallTarget {
            entry: NO_ENTRY,
            params: 0,
        };
        let mut targets = vec![unknown; self.chunk.names.len()];
        // The first registration of a name wins (`Chunk::find_sub`).
        for &(name, entry) in self.chunk.sub_entries.iter().rev() {
            if let Some(t) = targets.get_mut(name as usize) {
                let params = if self.fusion {
                    argument_prologue(&ops, entry)
                } else {
                    0
                };
                *t = CallTarget { entry, params };
            }
        }
        let code: Arc<[Insn]> = if self.fusion {
            fusion::fuse(&ops).into()
        } else {
            fusion::unfused(&ops).into()
        };
        self.stack.reserve(verified.max_stack_growth.min(1 << 16));
        self.prepared = Some(Prepared {
            fingerprint: fp,
            ops: ops.clone(),
            code: code.clone(),
            fused: self.fusion,
            targets,
        });
        Ok((code, ops))
    }

    /// True when `self.chunk` is no longer the chunk the run loop is executing.
    pub(super) fn chunk_changed(&self) -> bool {
        self.prepared
            .as_ref()
            .is_none_or(|p| p.fingerprint != Fingerprint::of(&self.chunk))
    }

    /// The entry of the function with name index `name`.
    #[inline]
    pub(super) fn entry_of(&self, name: u16) -> Option<usize> {
        self.call_target(name).map(|(entry, _)| entry)
    }

    /// The entry of the function with name index `name` and the length of its argument
    /// prologue (`argument_prologue`).
    #[inline(always)]
    pub(super) fn call_target(&self, name: u16) -> Option<(usize, usize)> {
        match self.prepared.as_ref()?.targets.get(name as usize) {
            Some(t) if t.entry != NO_ENTRY => Some((t.entry, t.params)),
            _ => None,
        }
    }
}

/// The length `k` of the argument prologue at `entry`: `set_slot k-1; ...; set_slot 1;
/// set_slot 0`, the ops a frontend emits to move a function's `k` arguments from the stack
/// into its slots (0 for more than 255: a call has at most 255 arguments).
///
/// A call runs in a fresh, empty slot window, so when it has at least `k` arguments the
/// prologue's effect is exactly: the top `k` stack values become slots `0..k`, in stack
/// order. `Call` does that move itself and enters after the prologue, saving `k` slot
/// writes that would each grow the window, and their dispatch (call quickening). The ops
/// stay in the chunk: a jump to them, or a call with fewer arguments, runs them as usual.
fn argument_prologue(ops: &[Op], entry: usize) -> usize {
    let Some(Op::SetSlot(first)) = ops.get(entry) else {
        return 0;
    };
    let k = usize::from(*first) + 1;
    if k > usize::from(u8::MAX) {
        return 0;
    }
    let expected = (0..k).rev().map(|s| Op::SetSlot(s as u16));
    match ops.get(entry..entry + k) {
        Some(run) if run.iter().copied().eq(expected) => k,
        _ => 0,
    }
}
