//! The JIT's public data types: the extension trait, slot kinds, exported trace metadata,
//! lookup outcomes, the tracing configuration and the deoptimization records.
//!
//! Field sets, derives and `repr(C)` layouts are upstream's (api.md § 9): users build these
//! structs with literals, and upstream's generated code addresses `DeoptInfo` by offset, so
//! no field may be added, removed or reordered.

use crate::Op;
use serde::{Deserialize, Serialize};

/// A language frontend's statement about which of its `Extended` ops a JIT may compile.
///
/// Only [`JitCompiler::is_eligible`](super::JitCompiler::is_eligible) consults it; no tier
/// compiles `Extended` ops.
pub trait JitExtension: Send + Sync {
    /// Whether the extension op `ext_id` is JIT-compilable.
    fn can_jit(&self, ext_id: u16) -> bool;
    /// How many extension ops the frontend defines (logged at registration).
    fn op_count(&self) -> usize;
    /// The frontend's name (logged at registration).
    fn name(&self) -> &str;
}

/// The numeric kind of a slot word seen by native code: an integer or the bits of a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlotKind {
    /// The word is an `i64`.
    Int,
    /// The word is the IEEE-754 bit pattern of an `f64`.
    Float,
}

/// An installed trace, exported so another process (or thread) can import it
/// (`JitCompiler::trace_export` / `trace_import`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceMetadata {
    /// `op_hash` of the chunk the trace was recorded in; import refuses other chunks.
    pub chunk_op_hash: u64,
    /// The loop header the trace closes at.
    pub anchor_ip: usize,
    /// Where the interpreter resumes when the loop exits.
    pub fallthrough_ip: usize,
    /// The recorded ops.
    pub ops: Vec<Op>,
    /// The ip each recorded op came from (parallel to `ops`).
    pub recorded_ips: Vec<usize>,
    /// Kind of every slot of the frame at the anchor when recording started.
    pub slot_kinds_at_anchor: Vec<SlotKind>,
}

/// What `JitCompiler::trace_lookup` decided at a loop anchor.
#[derive(Debug)]
pub enum TraceLookup {
    /// The anchor is not hot yet; keep interpreting.
    NotHot,
    /// The anchor just became hot: the VM should start recording.
    StartRecording,
    /// A compiled trace ran; continue interpreting at `resume_ip`.
    Ran {
        /// The op index to continue at.
        resume_ip: usize,
    },
    /// A compiled trace exists but its entry guards rejected the current slots.
    GuardMismatch,
    /// Nothing to do here (no JIT, blacklisted or aborted anchor).
    Skip,
}

/// Inlined frames a side exit can materialize.
pub const MAX_DEOPT_FRAMES: usize = 4;
/// Slots recorded per materialized frame.
pub const MAX_DEOPT_SLOTS_PER_FRAME: usize = 16;
/// Abstract-stack values recorded at a side exit.
pub const MAX_DEOPT_STACK: usize = 32;
/// `DeoptInfo::stack_kinds` tag: the word is an `i64`.
pub const STACK_KIND_INT: u8 = 0;
/// `DeoptInfo::stack_kinds` tag: the word is the bits of an `f64`.
pub const STACK_KIND_FLOAT: u8 = 1;

/// Tuning knobs of the tracing tier, kept per thread (`JitCompiler::set_config`).
#[derive(Clone, Copy, Debug)]
pub struct TraceJitConfig {
    /// Taken back-edges at an anchor before recording starts (default 50).
    pub trace_threshold: u32,
    /// Side exits not absorbed by a side trace before the main trace is blacklisted
    /// (default 50).
    pub max_side_exits: u32,
    /// Simultaneous inlined activations of one function in a recording (default 4).
    pub max_inline_recursion: usize,
    /// Side-trace dispatches per back-edge (default 4).
    pub max_trace_chain: usize,
    /// Maximum recorded ops (default 256).
    pub max_trace_len: usize,
}

impl TraceJitConfig {
    /// Upstream's defaults: 50 / 50 / 4 / 4 / 256.
    pub const fn defaults() -> Self {
        TraceJitConfig {
            trace_threshold: 50,
            max_side_exits: 50,
            max_inline_recursion: 4,
            max_trace_chain: 4,
            max_trace_len: 256,
        }
    }
}

impl Default for TraceJitConfig {
    fn default() -> Self {
        Self::defaults()
    }
}

/// One interpreter frame to rebuild at a side exit out of inlined code.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct DeoptFrame {
    /// Where the rebuilt frame returns to.
    pub return_ip: usize,
    /// How many of `slots` are meaningful.
    pub slot_count: usize,
    /// The frame's slot words.
    pub slots: [i64; MAX_DEOPT_SLOTS_PER_FRAME],
}

impl DeoptFrame {
    /// An all-zero frame.
    pub const fn zeroed() -> Self {
        DeoptFrame {
            return_ip: 0,
            slot_count: 0,
            slots: [0; MAX_DEOPT_SLOTS_PER_FRAME],
        }
    }
}

/// Everything the VM needs to resume interpreting after a trace's side exit.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct DeoptInfo {
    /// The op index to resume at.
    pub resume_ip: usize,
    /// How many of `frames` are meaningful.
    pub frame_count: usize,
    /// How many of `stack_buf` / `stack_kinds` are meaningful.
    pub stack_count: usize,
    /// Inlined frames to materialize, outermost first.
    pub frames: [DeoptFrame; MAX_DEOPT_FRAMES],
    /// Abstract-stack words to push back.
    pub stack_buf: [i64; MAX_DEOPT_STACK],
    /// `STACK_KIND_INT` / `STACK_KIND_FLOAT` for each `stack_buf` word.
    pub stack_kinds: [u8; MAX_DEOPT_STACK],
}

impl DeoptInfo {
    /// An all-zero record.
    pub const fn zeroed() -> Self {
        DeoptInfo {
            resume_ip: 0,
            frame_count: 0,
            stack_count: 0,
            frames: [DeoptFrame::zeroed(); MAX_DEOPT_FRAMES],
            stack_buf: [0; MAX_DEOPT_STACK],
            stack_kinds: [0; MAX_DEOPT_STACK],
        }
    }
}

/// Placeholder for compiled native code, as upstream: it cannot be built or used outside
/// the crate (private unit field).
pub struct NativeCode {
    _private: (),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn deopt_layout_matches_upstream() {
        assert_eq!(size_of::<DeoptFrame>(), 144);
        assert_eq!(offset_of!(DeoptFrame, return_ip), 0);
        assert_eq!(offset_of!(DeoptFrame, slot_count), 8);
        assert_eq!(offset_of!(DeoptFrame, slots), 16);
        assert_eq!(size_of::<DeoptInfo>(), 888);
        assert_eq!(offset_of!(DeoptInfo, resume_ip), 0);
        assert_eq!(offset_of!(DeoptInfo, frame_count), 8);
        assert_eq!(offset_of!(DeoptInfo, stack_count), 16);
        assert_eq!(offset_of!(DeoptInfo, frames), 24);
        assert_eq!(offset_of!(DeoptInfo, stack_buf), 600);
        assert_eq!(offset_of!(DeoptInfo, stack_kinds), 856);
    }

    #[test]
    fn constants() {
        assert_eq!(
            (MAX_DEOPT_FRAMES, MAX_DEOPT_SLOTS_PER_FRAME, MAX_DEOPT_STACK),
            (4, 16, 32)
        );
        assert_eq!((STACK_KIND_INT, STACK_KIND_FLOAT), (0, 1));
    }

    #[test]
    fn zeroed_records_are_all_zero() {
        let f = DeoptFrame::zeroed();
        assert_eq!((f.return_ip, f.slot_count), (0, 0));
        assert_eq!(f.slots, [0i64; 16]);
        let d = DeoptInfo::zeroed();
        assert_eq!((d.resume_ip, d.frame_count, d.stack_count), (0, 0, 0));
        assert_eq!(d.frames.len(), 4);
        assert!(d
            .frames
            .iter()
            .all(|f| f.return_ip == 0 && f.slot_count == 0 && f.slots == [0; 16]));
        assert_eq!(d.stack_buf, [0i64; 32]);
        assert_eq!(d.stack_kinds, [0u8; 32]);
    }

    #[test]
    fn config_defaults() {
        for c in [TraceJitConfig::defaults(), TraceJitConfig::default()] {
            assert_eq!(c.trace_threshold, 50);
            assert_eq!(c.max_side_exits, 50);
            assert_eq!(c.max_inline_recursion, 4);
            assert_eq!(c.max_trace_chain, 4);
            assert_eq!(c.max_trace_len, 256);
        }
    }

    #[test]
    fn slot_kind_serde() {
        assert_eq!(serde_json::to_string(&SlotKind::Int).unwrap(), "\"Int\"");
        assert_eq!(serde_json::to_string(&SlotKind::Float).unwrap(), "\"Float\"");
        assert_eq!(
            serde_json::from_str::<SlotKind>("\"Float\"").unwrap(),
            SlotKind::Float
        );
        assert!(serde_json::from_str::<SlotKind>("\"int\"").is_err());
    }

    #[test]
    fn trace_metadata_round_trips() {
        let meta = TraceMetadata {
            chunk_op_hash: 0xDEAD_BEEF,
            anchor_ip: 4,
            fallthrough_ip: 9,
            ops: vec![
                Op::GetSlot(0),
                Op::LoadInt(1),
                Op::Add,
                Op::SetSlot(0),
                Op::JumpIfTrue(4),
            ],
            recorded_ips: vec![4, 5, 6, 7, 8],
            slot_kinds_at_anchor: vec![SlotKind::Int, SlotKind::Float],
        };
        let json = serde_json::to_string(&meta).unwrap();
        let back: TraceMetadata = serde_json::from_str(&json).unwrap();
        assert_eq!(back.chunk_op_hash, 0xDEAD_BEEF);
        assert_eq!((back.anchor_ip, back.fallthrough_ip), (4, 9));
        assert_eq!(back.ops, meta.ops);
        assert_eq!(back.recorded_ips, vec![4, 5, 6, 7, 8]);
        assert_eq!(back.slot_kinds_at_anchor, vec![SlotKind::Int, SlotKind::Float]);
        let bin: TraceMetadata = bincode::deserialize(&bincode::serialize(&meta).unwrap()).unwrap();
        assert_eq!(bin.ops, meta.ops);
    }
}
