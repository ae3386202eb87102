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
    /// Entry op index for each name index (`NO_ENTRY` if no function has that name).
    pub entries: Vec<usize>,
}

pub(super) const NO_ENTRY: usize = usize::MAX;

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
        let mut entries = vec![NO_ENTRY; self.chunk.names.len()];
        // The first registration of a name wins (`Chunk::find_sub`).
        for &(name, ip) in self.chunk.sub_entries.iter().rev() {
            if let Some(e) = entries.get_mut(name as usize) {
                *e = ip;
            }
        }
        let ops: Arc<[Op]> = self.chunk.ops.as_slice().into();
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
            entries,
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
        let p = self.prepared.as_ref()?;
        match p.entries.get(name as usize) {
            Some(&e) if e != NO_ENTRY => Some(e),
            _ => None,
        }
    }
}
