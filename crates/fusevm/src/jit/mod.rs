//! `fusevm::jit`: the public JIT surface — [`JitCompiler`], the trace/deopt data types and
//! the per-thread tracing configuration.
//!
//! Upstream compiles numeric bytecode with Cranelift in three tiers (linear, block,
//! tracing; `spec/jit.md`). The native tiers are **not implemented yet** (a later issue):
//! this module fixes the API so code written against upstream 0.12.2 compiles unchanged,
//! with or without the `jit` cargo feature, and every compiling entry point answers as
//! upstream does without the feature: nothing is compiled (`None`, `false`, `0`,
//! [`TraceLookup::Skip`]).
//!
//! What already behaves like upstream with the feature:
//!
//! * [`JitCompiler::register_extension`] stores the extension and logs one `tracing` event;
//!   [`JitCompiler::is_eligible`] is the real legacy predicate (registered extensions decide
//!   for `Extended`/`ExtendedWide`).
//! * [`JitCompiler::set_config`] / [`JitCompiler::get_config`] read and replace a
//!   [`TraceJitConfig`] kept **per thread** and shared by every `JitCompiler` on it (a new
//!   thread starts with [`TraceJitConfig::defaults`]), so `set_config(&self, ..)` changes the
//!   whole thread's configuration (upstream quirk D12, kept).
//! * [`JitCompiler::extract_region`] returns the sub-chunk `[start, end)` with rebased jump
//!   targets in both configurations, but never panics (upstream quirk D13 fixed; see the
//!   method for how bad ranges and escaping jumps are handled).
//!
//! `JitCompiler` itself holds only the registered extensions, so it is `Send + Sync`.

mod compiler;
mod region;
mod types;

pub use compiler::JitCompiler;
pub use types::{
    DeoptFrame, DeoptInfo, JitExtension, NativeCode, SlotKind, TraceJitConfig, TraceLookup, TraceMetadata,
    MAX_DEOPT_FRAMES, MAX_DEOPT_SLOTS_PER_FRAME, MAX_DEOPT_STACK, STACK_KIND_FLOAT, STACK_KIND_INT,
};
