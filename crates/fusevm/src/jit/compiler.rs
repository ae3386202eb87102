//! `JitCompiler`: the public entry points of the JIT tiers, the legacy eligibility
//! predicate and the per-thread tracing configuration.
//!
//! The linear and block tiers are implemented behind the `jit` feature (`tiers.rs`); the
//! tracing tier is a later issue, so its methods answer as upstream does without the
//! feature (nothing compiled). Invariant: a `JitCompiler` owns only its registered
//! extensions; all other JIT state is per thread (code caches, counters, configuration).

use super::region;
use super::types::{DeoptInfo, JitExtension, SlotKind, TraceJitConfig, TraceLookup, TraceMetadata};
use crate::{Chunk, Op, Value};
use std::cell::Cell;
use std::fmt;

/// Slot operands in traces must be below this (upstream's `MAX_TRACE_SLOT`).
const MAX_TRACE_SLOT: u16 = 64;

thread_local! {
    /// The current thread's tracing configuration, shared by every `JitCompiler` on it.
    static CONFIG: Cell<TraceJitConfig> = const { Cell::new(TraceJitConfig::defaults()) };
}

/// The JIT driver. Cheap to create; holds only the registered [`JitExtension`]s.
#[derive(Default)]
pub struct JitCompiler {
    extensions: Vec<Box<dyn JitExtension>>,
}

impl fmt::Debug for JitCompiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.extensions.iter().map(|e| e.name()).collect();
        f.debug_struct("JitCompiler").field("extensions", &names).finish()
    }
}

impl JitCompiler {
    /// A compiler with no extensions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a frontend's extension (consulted by [`JitCompiler::is_eligible`]) and logs
    /// `"JIT extension registered"` with its `name` and `ops` count.
    pub fn register_extension(&mut self, ext: Box<dyn JitExtension>) {
        tracing::info!(
            name = ext.name(),
            ops = ext.op_count(),
            "JIT extension registered"
        );
        self.extensions.push(ext);
    }

    /// Upstream's legacy predicate (used by no tier): every op is in the numeric/variable/
    /// control subset below, or is an `Extended`/`ExtendedWide` op some registered
    /// extension `can_jit`. The empty chunk is eligible.
    pub fn is_eligible(&self, chunk: &Chunk) -> bool {
        chunk.ops.iter().all(|op| self.op_is_eligible(op))
    }

    /// One op of [`JitCompiler::is_eligible`]. Exhaustive on purpose: a new op must be
    /// classified here before the crate builds.
    fn op_is_eligible(&self, op: &Op) -> bool {
        match *op {
            Op::Nop
            | Op::LoadInt(_)
            | Op::LoadFloat(_)
            | Op::LoadConst(_)
            | Op::LoadTrue
            | Op::LoadFalse
            | Op::LoadUndef
            | Op::Pop
            | Op::Dup
            | Op::Dup2
            | Op::Swap
            | Op::Rot
            | Op::GetVar(_)
            | Op::SetVar(_)
            | Op::DeclareVar(_)
            | Op::GetSlot(_)
            | Op::SetSlot(_)
            | Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Div
            | Op::Mod
            | Op::Pow
            | Op::Negate
            | Op::Inc
            | Op::Dec
            | Op::Concat
            | Op::StringRepeat
            | Op::StringLen
            | Op::NumEq
            | Op::NumNe
            | Op::NumLt
            | Op::NumGt
            | Op::NumLe
            | Op::NumGe
            | Op::Spaceship
            | Op::StrEq
            | Op::StrNe
            | Op::StrLt
            | Op::StrGt
            | Op::StrLe
            | Op::StrGe
            | Op::StrCmp
            | Op::LogNot
            | Op::LogAnd
            | Op::LogOr
            | Op::BitAnd
            | Op::BitOr
            | Op::BitXor
            | Op::BitNot
            | Op::Shl
            | Op::Shr
            | Op::Jump(_)
            | Op::JumpIfTrue(_)
            | Op::JumpIfFalse(_)
            | Op::JumpIfTrueKeep(_)
            | Op::JumpIfFalseKeep(_)
            | Op::Call(..)
            | Op::Return
            | Op::ReturnValue
            | Op::PushFrame
            | Op::PopFrame
            | Op::PreIncSlot(_)
            | Op::PreIncSlotVoid(_)
            | Op::SlotLtIntJumpIfFalse(..)
            | Op::SlotIncLtIntJumpBack(..)
            | Op::AccumSumLoop(..)
            | Op::AddAssignSlotVoid(..)
            | Op::SetStatus
            | Op::GetStatus => true,
            Op::Extended(id, _) | Op::ExtendedWide(id, _) => self.extensions.iter().any(|e| e.can_jit(id)),
            Op::SlotArrayGet(_)
            | Op::SlotArraySet(_)
            | Op::GetArray(_)
            | Op::SetArray(_)
            | Op::DeclareArray(_)
            | Op::ArrayGet(_)
            | Op::ArraySet(_)
            | Op::ArrayPush(_)
            | Op::ArrayPop(_)
            | Op::ArrayShift(_)
            | Op::ArrayLen(_)
            | Op::MakeArray(_)
            | Op::GetHash(_)
            | Op::SetHash(_)
            | Op::DeclareHash(_)
            | Op::HashGet(_)
            | Op::HashSet(_)
            | Op::HashDelete(_)
            | Op::HashExists(_)
            | Op::HashKeys(_)
            | Op::HashValues(_)
            | Op::MakeHash(_)
            | Op::Print(_)
            | Op::PrintLn(_)
            | Op::ReadLine
            | Op::Range
            | Op::RangeStep
            | Op::MapBlock(_)
            | Op::GrepBlock(_)
            | Op::SortBlock(_)
            | Op::SortDefault
            | Op::ForEachBlock(_)
            | Op::ConcatConstLoop(..)
            | Op::PushIntRangeLoop(..)
            | Op::CallBuiltin(..)
            | Op::Exec(_)
            | Op::ExecBg(_)
            | Op::PipelineBegin(_)
            | Op::PipelineStage
            | Op::PipelineEnd
            | Op::Redirect(..)
            | Op::HereDoc(_)
            | Op::HereString
            | Op::CmdSubst(_)
            | Op::SubshellBegin
            | Op::SubshellEnd
            | Op::ProcessSubIn(_)
            | Op::ProcessSubOut(_)
            | Op::Glob
            | Op::GlobRecursive
            | Op::TestFile(_)
            | Op::TrapSet(_)
            | Op::TrapCheck
            | Op::ExpandParam(_)
            | Op::WordSplit
            | Op::BraceExpand
            | Op::TildeExpand
            | Op::CallFunction(..)
            | Op::StrMatch
            | Op::RegexMatch
            | Op::WithRedirectsBegin(_)
            | Op::WithRedirectsEnd => false,
        }
    }

    // ---- Linear tier --------------------------------------------------------------

    /// Runs a straight-line numeric chunk natively (compiled on the first call, cached per
    /// thread by chunk content) as if by a fresh `VM` whose top-level slots are
    /// `Value::Int(slots[i])` (slots past the end are absent, i.e. `Undef`). Returns the
    /// interpreter's result — `NumLt` gives `Bool`, `Div` a `Float` — where upstream
    /// returned raw numbers (`docs/compat.md`). Slot writes stay private to the call.
    ///
    /// `None` when the chunk is not [linear-eligible](JitCompiler::is_linear_eligible), does
    /// not verify, or the interpreter would fail; always `None` without the `jit` feature.
    pub fn try_run_linear(&self, chunk: &Chunk, slots: &[i64]) -> Option<Value> {
        #[cfg(feature = "jit")]
        return super::tiers::run_linear(chunk, slots);
        #[cfg(not(feature = "jit"))]
        {
            let _ = (chunk, slots);
            None
        }
    }

    /// Whether the linear tier compiles `chunk`: a non-empty straight-line chunk of numeric
    /// and slot ops (no branches, no `Nop`), `LoadConst` only of numeric constants, whose
    /// stack never goes below its start or deeper than 256 and ends with exactly one value.
    /// Always `false` without the `jit` feature.
    pub fn is_linear_eligible(&self, chunk: &Chunk) -> bool {
        #[cfg(feature = "jit")]
        return super::eligible::linear_eligible(&chunk.ops, &chunk.constants);
        #[cfg(not(feature = "jit"))]
        {
            let _ = chunk;
            false
        }
    }

    // ---- Block tier ---------------------------------------------------------------

    /// Runs a whole numeric chunk (loops and branches included) natively once it is hot:
    /// the first 10 calls per chunk content and thread return `None` (upstream's
    /// threshold; `VM::run` counts on the same counter), later ones compile and run. The
    /// chunk runs as if by a fresh `VM` whose top-level slots are `Value::Int(slots[i])`;
    /// on `Some(n)` (the interpreter's result was `Int(n)`) the final slots are written
    /// back. `None` — and `slots` untouched — when the chunk is not block-eligible, does
    /// not verify, is warming up, or its result or a final slot is not an `Int` that fits
    /// the slice. Always `None` without the `jit` feature.
    pub fn try_run_block(&self, chunk: &Chunk, slots: &mut [i64]) -> Option<i64> {
        #[cfg(feature = "jit")]
        return super::tiers::run_block(chunk, slots, super::tiers::HOT_THRESHOLD);
        #[cfg(not(feature = "jit"))]
        {
            let _ = (chunk, slots);
            None
        }
    }

    /// [`JitCompiler::try_run_block`] without the warm-up: compiles on the first call.
    pub fn try_run_block_eager(&self, chunk: &Chunk, slots: &mut [i64]) -> Option<i64> {
        #[cfg(feature = "jit")]
        return super::tiers::run_block(chunk, slots, 0);
        #[cfg(not(feature = "jit"))]
        {
            let _ = (chunk, slots);
            None
        }
    }

    /// Whether the block tier compiles `chunk`: non-empty, and every op numeric, a slot
    /// op, a jump (plain, `Keep`, fused), `AccumSumLoop`, a scope op or a return. Always
    /// `false` without the `jit` feature.
    pub fn is_block_eligible(&self, chunk: &Chunk) -> bool {
        #[cfg(feature = "jit")]
        return super::eligible::block_eligible(&chunk.ops);
        #[cfg(not(feature = "jit"))]
        {
            let _ = chunk;
            false
        }
    }

    /// Whether block code for this chunk's content exists on this thread. Always `false`
    /// without the `jit` feature.
    pub fn block_jit_is_compiled(&self, chunk: &Chunk) -> bool {
        #[cfg(feature = "jit")]
        return super::tiers::block_compiled(chunk);
        #[cfg(not(feature = "jit"))]
        {
            let _ = chunk;
            false
        }
    }

    /// Counts `chunk` as hot on this thread without running it: the next
    /// [`JitCompiler::try_run_block`], or `VM::run` with the JIT enabled, compiles it at once
    /// instead of warming up (a one-shot runner such as the `fusevm` CLI would otherwise
    /// never reach the 11th run). Returns whether the block tier compiles this chunk: it is
    /// [block-eligible](JitCompiler::is_block_eligible) and verifies (compiling can still
    /// fail; [`JitCompiler::block_jit_is_compiled`] tells afterwards). Not in upstream.
    /// Always `false` without the `jit` feature.
    pub fn mark_block_hot(&self, chunk: &Chunk) -> bool {
        #[cfg(feature = "jit")]
        return super::tiers::mark_block_hot(chunk);
        #[cfg(not(feature = "jit"))]
        {
            let _ = chunk;
            false
        }
    }

    /// The longest run of at least 4 block-compilable ops (the first of equal length)
    /// whose jumps stay within it or go to its end, as `(start, end)` with `end`
    /// exclusive; `None` if that run has a jump leaving it. Always `None` without the
    /// `jit` feature.
    pub fn find_jit_region(&self, chunk: &Chunk) -> Option<(usize, usize)> {
        #[cfg(feature = "jit")]
        return region::find_jit_region(chunk);
        #[cfg(not(feature = "jit"))]
        {
            let _ = chunk;
            None
        }
    }

    /// The ops `[start, end)` of `chunk` as a standalone chunk with rebased jump targets.
    ///
    /// Never panics (upstream does on bad ranges, quirk D13): `end` is clamped to the op
    /// count and `start` to `end`; a branch leaving the region targets the region's end.
    /// `constants`, `names` and `source` are cloned; `sub_entries`, `block_ranges` and
    /// `sub_chunks` are empty; `op_hash` is recomputed. Unlike upstream without the `jit`
    /// feature (which returned `chunk.clone()`), the region is extracted in every build.
    pub fn extract_region(&self, chunk: &Chunk, start: usize, end: usize) -> Chunk {
        region::extract_region(chunk, start, end)
    }

    // ---- Tracing tier (not implemented yet) ------------------------------------------

    /// Consults the trace cache at a loop anchor. Not implemented yet: always
    /// [`TraceLookup::Skip`].
    pub fn trace_lookup(
        &self,
        chunk: &Chunk,
        anchor_ip: usize,
        slots: &mut [i64],
        slot_kinds_at_anchor: &[SlotKind],
        deopt_info: &mut DeoptInfo,
    ) -> TraceLookup {
        let _ = (chunk, anchor_ip, slots, slot_kinds_at_anchor, deopt_info);
        TraceLookup::Skip
    }

    /// Compiles and installs a recorded trace. Not implemented yet: always `false`.
    pub fn trace_install(
        &self,
        chunk: &Chunk,
        anchor_ip: usize,
        fallthrough_ip: usize,
        ops: &[Op],
        recorded_ips: &[usize],
        slot_kinds_at_anchor: &[SlotKind],
    ) -> bool {
        let _ = (
            chunk,
            anchor_ip,
            fallthrough_ip,
            ops,
            recorded_ips,
            slot_kinds_at_anchor,
        );
        false
    }

    /// Marks the trace entry at `anchor_ip` aborted. Not implemented yet: no-op.
    pub fn trace_abort(&self, chunk: &Chunk, anchor_ip: usize) {
        let _ = (chunk, anchor_ip);
    }

    /// Whether a recorded op list can become a trace. Not implemented yet: always `false`.
    pub fn is_trace_eligible(&self, ops: &[Op], anchor_ip: usize) -> bool {
        let _ = (ops, anchor_ip);
        false
    }

    /// Whether a trace is installed at `anchor_ip`. Not implemented yet: always `false`.
    pub fn trace_is_compiled(&self, chunk: &Chunk, anchor_ip: usize) -> bool {
        let _ = (chunk, anchor_ip);
        false
    }

    /// Entry-guard failures at `anchor_ip`. Not implemented yet: always 0.
    pub fn trace_deopt_count(&self, chunk: &Chunk, anchor_ip: usize) -> u32 {
        let _ = (chunk, anchor_ip);
        0
    }

    /// Unabsorbed side exits at `anchor_ip`. Not implemented yet: always 0.
    pub fn trace_side_exit_count(&self, chunk: &Chunk, anchor_ip: usize) -> u32 {
        let _ = (chunk, anchor_ip);
        0
    }

    /// Counts one side exit at `anchor_ip`. Not implemented yet: no-op.
    pub fn trace_bump_side_exit(&self, chunk: &Chunk, anchor_ip: usize) {
        let _ = (chunk, anchor_ip);
    }

    /// [`JitCompiler::trace_install`] with distinct record and close anchors (side
    /// traces). Not implemented yet: always `false`.
    #[allow(clippy::too_many_arguments)]
    pub fn trace_install_with_kind(
        &self,
        chunk: &Chunk,
        record_anchor_ip: usize,
        close_anchor_ip: usize,
        fallthrough_ip: usize,
        ops: &[Op],
        recorded_ips: &[usize],
        slot_kinds_at_anchor: &[SlotKind],
    ) -> bool {
        let _ = (
            chunk,
            record_anchor_ip,
            close_anchor_ip,
            fallthrough_ip,
            ops,
            recorded_ips,
            slot_kinds_at_anchor,
        );
        false
    }

    /// `(anchor, fallthrough)` of the trace at `anchor_ip`. Not implemented yet: `None`.
    pub fn trace_loop_anchors(&self, chunk: &Chunk, anchor_ip: usize) -> Option<(usize, usize)> {
        let _ = (chunk, anchor_ip);
        None
    }

    /// Whether the anchor was given up on. Not implemented yet: always `false`.
    pub fn trace_is_blacklisted(&self, chunk: &Chunk, anchor_ip: usize) -> bool {
        let _ = (chunk, anchor_ip);
        false
    }

    /// The metadata of the trace at `anchor_ip`. Not implemented yet: always `None`.
    pub fn trace_export(&self, chunk: &Chunk, anchor_ip: usize) -> Option<TraceMetadata> {
        let _ = (chunk, anchor_ip);
        None
    }

    /// Compiles and installs an exported trace. Not implemented yet: always `false`.
    pub fn trace_import(&self, chunk: &Chunk, meta: &TraceMetadata) -> bool {
        let _ = (chunk, meta);
        false
    }

    /// Every trace installed for `chunk`. Not implemented yet: always empty.
    pub fn trace_export_all(&self, chunk: &Chunk) -> Vec<TraceMetadata> {
        let _ = chunk;
        Vec::new()
    }

    /// Imports each of `metas`; returns how many succeeded. Not implemented yet: 0.
    pub fn trace_import_all(&self, chunk: &Chunk, metas: &[TraceMetadata]) -> usize {
        let _ = (chunk, metas);
        0
    }

    // ---- Configuration -------------------------------------------------------------

    /// The current thread's `max_trace_len` (256 unless changed with `set_config`).
    pub fn trace_max_len(&self) -> usize {
        self.get_config().max_trace_len
    }

    /// Replaces the current thread's tracing configuration. It is per thread, not per
    /// compiler: every `JitCompiler` on this thread sees it (upstream behaviour). No
    /// validation: a threshold of 0 means "record on the first back-edge".
    pub fn set_config(&self, cfg: TraceJitConfig) {
        // `try_with` fails only while the thread is being torn down; then there is no
        // later lookup to configure.
        let _ = CONFIG.try_with(|c| c.set(cfg));
    }

    /// The current thread's tracing configuration ([`TraceJitConfig::defaults`] on a thread
    /// that never called `set_config`).
    pub fn get_config(&self) -> TraceJitConfig {
        CONFIG.try_with(Cell::get).unwrap_or_default()
    }

    /// Slot operands in traces must be below this: 64.
    pub fn trace_max_slot(&self) -> u16 {
        MAX_TRACE_SLOT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::{OperandValue, OP_COUNT, OP_INFO};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn chunk(ops: &[Op]) -> Chunk {
        Chunk {
            ops: ops.to_vec(),
            ..Chunk::default()
        }
    }

    /// Claims the extension ids in `ids`; counts `can_jit` calls.
    struct Ext {
        ids: Vec<u16>,
        calls: Arc<AtomicUsize>,
    }

    impl Ext {
        fn new(ids: &[u16], calls: &Arc<AtomicUsize>) -> Self {
            Ext {
                ids: ids.to_vec(),
                calls: Arc::clone(calls),
            }
        }
    }

    impl JitExtension for Ext {
        fn can_jit(&self, ext_id: u16) -> bool {
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.ids.contains(&ext_id)
        }
        fn op_count(&self) -> usize {
            self.ids.len()
        }
        fn name(&self) -> &str {
            "test-ext"
        }
    }

    #[test]
    fn empty_chunk_is_eligible() {
        assert!(JitCompiler::new().is_eligible(&Chunk::new()));
    }

    #[test]
    fn eligible_subset() {
        let jit = JitCompiler::new();
        // A counted loop plus ops no tier compiles but the legacy predicate accepts.
        let ok = chunk(&[
            Op::LoadInt(0),
            Op::SetSlot(0),
            Op::SlotLtIntJumpIfFalse(0, 10, 6),
            Op::PreIncSlotVoid(0),
            Op::Jump(2),
            Op::GetVar(0),
            Op::LoadConst(0),
            Op::Concat,
            Op::StrCmp,
            Op::Call(0, 1),
            Op::JumpIfFalseKeep(0),
            Op::GetStatus,
            Op::ReturnValue,
        ]);
        assert!(jit.is_eligible(&ok));
        for bad in [
            Op::Print(1),
            Op::ArrayPush(0),
            Op::Exec(1),
            Op::CallBuiltin(0, 0),
            Op::Range,
        ] {
            let mut ops = ok.ops.clone();
            ops.insert(3, bad);
            assert!(!jit.is_eligible(&chunk(&ops)), "{bad:?}");
        }
    }

    #[test]
    fn eligible_op_count_matches_the_spec_list() {
        // api.md § 9 lists 70 eligible ops besides Extended/ExtendedWide.
        let jit = JitCompiler::new();
        let eligible = (0..OP_COUNT as u8)
            .filter(|&opcode| {
                let arity = OP_INFO[opcode as usize].operands.len();
                let op = Op::from_operands(opcode, &vec![OperandValue::Int(0); arity]).unwrap();
                jit.is_eligible(&chunk(&[op]))
            })
            .count();
        assert_eq!(eligible, 70);
    }

    #[test]
    fn extensions_decide_for_extended_ops() {
        let calls = Arc::new(AtomicUsize::new(0));
        let mut jit = JitCompiler::new();
        let ext5 = chunk(&[Op::LoadInt(1), Op::Extended(5, 0)]);
        let wide5 = chunk(&[Op::ExtendedWide(5, 123_456)]);
        assert!(!jit.is_eligible(&ext5), "no extension registered");
        assert!(!jit.is_eligible(&wide5));
        jit.register_extension(Box::new(Ext::new(&[9], &calls)));
        assert!(!jit.is_eligible(&ext5), "extension does not claim 5");
        jit.register_extension(Box::new(Ext::new(&[5, 7], &calls)));
        assert!(jit.is_eligible(&ext5));
        assert!(jit.is_eligible(&wide5));
        assert!(!jit.is_eligible(&chunk(&[Op::Extended(6, 0)])));
        assert!(!jit.is_eligible(&chunk(&[Op::Extended(5, 0), Op::Print(0)])));
        assert!(calls.load(Ordering::Relaxed) > 0);
        assert_eq!(
            format!("{jit:?}"),
            r#"JitCompiler { extensions: ["test-ext", "test-ext"] }"#
        );
    }

    /// Records every event's message and fields as `key=value` strings.
    #[derive(Clone, Default)]
    struct Recorder(Arc<std::sync::Mutex<Vec<String>>>);

    /// One event's fields.
    struct Fields(Vec<String>);

    impl tracing::field::Visit for Fields {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
            self.0.push(format!("{}={:?}", field.name(), value));
        }
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            self.0.push(format!("{}={}", field.name(), value));
        }
    }

    impl tracing::Subscriber for Recorder {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut fields = Fields(vec![format!("level={}", event.metadata().level())]);
            event.record(&mut fields);
            self.0.lock().unwrap().push(fields.0.join(" "));
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn registration_logs_one_info_event() {
        let recorder = Recorder::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let mut jit = JitCompiler::new();
        tracing::subscriber::with_default(recorder.clone(), || {
            jit.register_extension(Box::new(Ext::new(&[1, 2, 3], &calls)));
        });
        let events = recorder.0.lock().unwrap().clone();
        assert_eq!(
            events,
            vec!["level=INFO message=JIT extension registered name=test-ext ops=3".to_string()]
        );
        assert_eq!(
            calls.load(Ordering::Relaxed),
            0,
            "registration does not query can_jit"
        );
    }

    #[test]
    fn config_round_trips_and_is_shared_on_the_thread() {
        let a = JitCompiler::new();
        let b = JitCompiler::default();
        let d = a.get_config();
        assert_eq!(
            (d.trace_threshold, d.max_side_exits, d.max_trace_len),
            (50, 50, 256)
        );
        assert_eq!(a.trace_max_len(), 256);
        let cfg = TraceJitConfig {
            trace_threshold: 0,
            max_trace_len: 17,
            ..TraceJitConfig::defaults()
        };
        a.set_config(cfg);
        let got = b.get_config();
        assert_eq!(got.trace_threshold, 0);
        assert_eq!(got.max_trace_len, 17);
        assert_eq!(
            (got.max_side_exits, got.max_inline_recursion, got.max_trace_chain),
            (50, 4, 4)
        );
        assert_eq!(b.trace_max_len(), 17);
        // Another thread starts from the defaults and its changes do not leak back.
        let other = std::thread::spawn(|| {
            let jit = JitCompiler::new();
            let before = jit.get_config().trace_threshold;
            jit.set_config(TraceJitConfig {
                trace_threshold: 999,
                ..TraceJitConfig::defaults()
            });
            before
        })
        .join()
        .unwrap();
        assert_eq!(other, 50);
        assert_eq!(a.get_config().trace_threshold, 0);
        a.set_config(TraceJitConfig::defaults());
    }

    #[test]
    fn compiler_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<JitCompiler>();
    }

    #[test]
    #[cfg(not(feature = "jit"))]
    fn tiers_compile_nothing_without_the_feature() {
        let jit = JitCompiler::new();
        let c = chunk(&[Op::LoadInt(1), Op::LoadInt(2), Op::Add]);
        let mut slots = [0i64; 4];
        assert_eq!(jit.try_run_linear(&c, &slots), None);
        assert!(!jit.is_linear_eligible(&c));
        assert_eq!(jit.try_run_block(&c, &mut slots), None);
        assert_eq!(jit.try_run_block_eager(&c, &mut slots), None);
        assert!(!jit.is_block_eligible(&c) && !jit.block_jit_is_compiled(&c));
        assert_eq!(jit.find_jit_region(&c), None);
        assert_eq!(slots, [0; 4]);
    }

    #[test]
    fn trace_stubs_compile_nothing() {
        let jit = JitCompiler::new();
        let c = chunk(&[Op::LoadInt(1), Op::LoadInt(2), Op::Add]);
        let mut slots = [0i64; 4];
        let mut deopt = DeoptInfo::zeroed();
        let lookup = jit.trace_lookup(&c, 0, &mut slots, &[SlotKind::Int], &mut deopt);
        assert!(matches!(lookup, TraceLookup::Skip));
        assert!(!jit.trace_install(&c, 0, 3, &c.ops, &[0, 1, 2], &[]));
        assert!(!jit.trace_install_with_kind(&c, 0, 0, 3, &c.ops, &[0, 1, 2], &[]));
        jit.trace_abort(&c, 0);
        jit.trace_bump_side_exit(&c, 0);
        assert!(!jit.is_trace_eligible(&c.ops, 0));
        assert!(!jit.trace_is_compiled(&c, 0) && !jit.trace_is_blacklisted(&c, 0));
        assert_eq!(
            (jit.trace_deopt_count(&c, 0), jit.trace_side_exit_count(&c, 0)),
            (0, 0)
        );
        assert_eq!(jit.trace_loop_anchors(&c, 0), None);
        assert!(jit.trace_export(&c, 0).is_none());
        assert!(jit.trace_export_all(&c).is_empty());
        let meta = TraceMetadata {
            chunk_op_hash: 0,
            anchor_ip: 0,
            fallthrough_ip: 3,
            ops: c.ops.clone(),
            recorded_ips: vec![0, 1, 2],
            slot_kinds_at_anchor: vec![],
        };
        assert!(!jit.trace_import(&c, &meta));
        assert_eq!(jit.trace_import_all(&c, &[meta]), 0);
        assert_eq!(jit.trace_max_slot(), 64);
        assert_eq!(slots, [0; 4]);
    }
}
