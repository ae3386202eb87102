//! Automatic fusion: every frontend gets fused dispatch without emitting fused ops.
//!
//! When the VM prepares a chunk (once per VM and chunk, after the verifier), it matches the
//! templates of the superinstruction table ([`SUPERINSTRUCTIONS`], declared in
//! `isa/superinstructions.rs`) against the chunk's ops and puts a superinstruction at every
//! position where one matches: `get_slot 1; load_int 100; num_lt; jump_if_false 9` becomes
//! one dispatch instead of four. The chunk itself is never changed, so `chunk.ops`, jump
//! targets, `op_hash`, serialization and error locations stay exactly what the frontend
//! built.
//!
//! Why in-place quickening instead of rewriting the op list: the ops a superinstruction
//! covers stay where they were, so a jump into the middle of a fused sequence still lands
//! on the right op and no jump target needs remapping; after a superinstruction the
//! interpreter continues behind the last op it covers.
//!
//! Exactness: a superinstruction computes with the same value-level helpers as the ops it
//! replaces (the `Int` fast path and the generic path); where a covered op can fail (the
//! string and collection limits of appends, array pushes and hash updates) the error is
//! the op's, reported at that op's index; and a back-edge is charged fuel like the jump it
//! contains. The test
//! suite runs every superinstruction against its template on ints, floats, strings, undef
//! and overflow edges, and random programs fused and unfused. Fusion is on by default;
//! [`crate::VM::set_fusion`] turns it off (e.g. to profile the ops a frontend emitted).
//!
//! ```
//! use fusevm::{fusion, ChunkBuilder, Op};
//!
//! let mut b = ChunkBuilder::new();
//! b.emit(Op::GetSlot(0), 1);
//! b.emit(Op::LoadInt(1), 1);
//! b.emit(Op::Add, 1);
//! b.emit(Op::SetSlot(0), 1);
//! let sites = fusion::plan(&b.build());
//! assert_eq!(sites.len(), 1);
//! assert_eq!((sites[0].ip, sites[0].len, sites[0].name), (0, 4, "SlotIntAddToSlot"));
//! ```

mod insn;
mod pattern;

pub use insn::SUPERINSTRUCTIONS;
pub(crate) use insn::{covers, Insn};

use crate::{Chunk, Op};

/// Static facts about one superinstruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuperInfo {
    /// The superinstruction's name, e.g. `"SlotIntLtJumpIfFalse"`.
    pub name: &'static str,
    /// The op sequence it replaces, in assembly text with `{N}` for field N.
    pub template: &'static str,
    /// What it does, one line.
    pub doc: &'static str,
    /// Field names and Rust types, in order.
    pub fields: &'static [(&'static str, &'static str)],
}

impl SuperInfo {
    /// Number of ops the superinstruction covers.
    pub fn len(&self) -> usize {
        self.template.split(';').count()
    }

    /// Always false: a template names at least one op.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// One place where automatic fusion applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FusionSite {
    /// Index of the first op covered.
    pub ip: usize,
    /// Number of ops covered.
    pub len: usize,
    /// The superinstruction's name (see [`SUPERINSTRUCTIONS`]).
    pub name: &'static str,
}

/// The fusion sites of `chunk`, scanning its ops from the start and skipping the ops each
/// site covers (what straight-line execution from the top would dispatch). The VM fuses at
/// every position, so a jump into the middle of a site gets the fused form of what follows.
pub fn plan(chunk: &Chunk) -> Vec<FusionSite> {
    let mut sites = Vec::new();
    let mut ip = 0;
    while ip < chunk.ops.len() {
        match pattern::best_match(&chunk.ops, ip) {
            Some((index, _)) => {
                let info = &SUPERINSTRUCTIONS[index];
                sites.push(FusionSite {
                    ip,
                    len: info.len(),
                    name: info.name,
                });
                ip += info.len();
            }
            None => ip += 1,
        }
    }
    sites
}

/// The prepared code for `ops`: same length and numbering, with a superinstruction at
/// every position where a template matches.
pub(crate) fn fuse(ops: &[Op]) -> Vec<Insn> {
    (0..ops.len())
        .map(|ip| match pattern::best_match(ops, ip) {
            Some((_, insn)) => insn,
            None => Insn::from_op(ops[ip]),
        })
        .collect()
}

/// The prepared code for `ops` without fusion.
pub(crate) fn unfused(ops: &[Op]) -> Vec<Insn> {
    ops.iter().map(|&op| Insn::from_op(op)).collect()
}
