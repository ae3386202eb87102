//! `fusevm::jit`: the public JIT surface — [`JitCompiler`], the trace/deopt data types and
//! the per-thread tracing configuration.
//!
//! With the `jit` cargo feature, numeric bytecode is compiled to native code with Cranelift
//! in two tiers (`spec/jit.md`; the tracing tier is a later issue and its methods answer as
//! without the feature):
//!
//! * **linear** ([`JitCompiler::try_run_linear`]): a straight-line chunk, compiled on first
//!   use;
//! * **block** ([`JitCompiler::try_run_block`], and `VM::run` after
//!   `VM::enable_tracing_jit`): a whole chunk with its loops and branches, compiled once the
//!   chunk is hot (11th call per thread).
//!
//! Both tiers answer exactly what the interpreter answers. They share one lowering
//! (`lower/`: one function per op over a compile-time operand stack, values kept unboxed by
//! kind); whatever native code cannot do exactly it hands to the interpreter through an
//! *exit* that rebuilds the interpreter's state (`handback.rs`). Code is cached per thread by
//! chunk content (`cache.rs`), specialized to what the top-level slots hold at entry and to
//! the fuel mode (`abi.rs`). The cache is bounded (upstream's never shrinks): at most
//! [`CACHE_MAX_CHUNKS`] chunk contents and about [`CACHE_MAX_BYTES`] per thread, the least
//! recently used dropped first; a dropped chunk warms up and compiles again when it is hot
//! again, and code that is running is never freed. Without the feature every compiling entry point answers as
//! upstream does without it (`None`, `false`, `0`, [`TraceLookup::Skip`]).
//!
//! Module map: `eligible` (which ops each tier compiles), `lower` (shared lowering),
//! `linear` / `block` (the tier drivers), `codegen` (Cranelift module, calling the code),
//! `abi` (the native calling contract), `handback` (exits → interpreter state), `cache`,
//! `tiers` (the public entry points), `vm_hook` (the call from `VM::run`).
//!
//! Also, in both configurations:
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

#[cfg(feature = "jit")]
mod abi;
#[cfg(feature = "jit")]
mod block;
#[cfg(feature = "jit")]
mod cache;
#[cfg(feature = "jit")]
mod codegen;
mod compiler;
#[cfg(feature = "jit")]
mod eligible;
#[cfg(feature = "jit")]
mod handback;
#[cfg(feature = "jit")]
mod linear;
#[cfg(feature = "jit")]
mod lower;
mod region;
#[cfg(feature = "jit")]
mod tiers;
mod types;
#[cfg(feature = "jit")]
mod vm_hook;

#[cfg(feature = "jit")]
pub(crate) use vm_hook::enter_block_tier;

/// Most chunk contents one thread's JIT cache keeps (with their warm-up counters, compile
/// failures and compiled code). Past it the least recently used are dropped, in one batch
/// down to three quarters of the limit. Upstream never drops anything.
pub const CACHE_MAX_CHUNKS: usize = 512;

/// About how many bytes one thread's JIT cache keeps: mapped code pages, per-module
/// overhead, exit tables and keys. Past it the least recently used chunks are dropped, in
/// one batch down to three quarters of the limit (the chunk being used stays even when it
/// alone is larger).
pub const CACHE_MAX_BYTES: usize = 32 << 20;

pub use compiler::JitCompiler;
pub use types::{
    DeoptFrame, DeoptInfo, JitExtension, NativeCode, SlotKind, TraceJitConfig, TraceLookup, TraceMetadata,
    MAX_DEOPT_FRAMES, MAX_DEOPT_SLOTS_PER_FRAME, MAX_DEOPT_STACK, STACK_KIND_FLOAT, STACK_KIND_INT,
};
