//! Differential testing of our `fusevm` against the published upstream `fusevm` 0.12.2
//! interpreter (crates.io, no `jit` feature): the same program runs on both VMs and
//! everything observable must agree.
//!
//! - [`program`]: our own program representation ([`program::POp`], [`program::Program`])
//!   lowered through each crate's `ChunkBuilder`.
//! - [`run`]: running both VMs under `catch_unwind`, normalising their `Value`s (ours boxes
//!   `Array`/`Hash`, upstream does not) and comparing the `VMResult` (kind and value, or the
//!   error text, of which upstream's must be a prefix of ours), the remaining stack, the
//!   globals, every frame's return ip, stack base and slots, and `last_status`; plus the
//!   `serde_json` form of the result and stack values.
//! - [`gen`]: proptest strategies for random straight-line, underflow-heavy and structured
//!   (branches, bounded loops, scopes, calls) programs.
//!
//! The hand-written programs are in `tests/handwritten.rs`, the properties in
//! `tests/random.rs` (`PROPTEST_CASES` overrides the default 512 cases per property).
//!
//! # Exclusions
//!
//! Upstream's behaviour is the oracle, except where our crate deliberately differs or
//! upstream cannot be run safely. IDs refer to `shared/spec/quirks.md`.
//!
//! | What | Why | How it is kept out |
//! |---|---|---|
//! | `Return`/`ReturnValue` at top level | B1: upstream re-runs the chunk; ours halts | generator emits returns only inside functions |
//! | `PopFrame` of the base frame | B2: ours errors | scopes are always balanced |
//! | `Return` inside a `PushFrame` scope | B3: upstream jumps back into the scope | no returns inside scopes |
//! | `Call` with argc > stack depth | B4: upstream panics (debug); ours errors | args are pushed right before each call; an upstream panic or our `StackUnderflow` error at a `Call` discards the case |
//! | `i64::MIN % -1` | B5: upstream panics; ours gives 0 | upstream panic discards the case |
//! | fused-op overflow | B6: upstream panics (debug); ours wraps | upstream panic discards the case |
//! | `Range`/`RangeStep` extremes | B7: upstream panics or allocates without bound | our collection limit (4096) errors first and the case is discarded before upstream runs |
//! | negative `ArraySet`/`SlotArraySet` index | B8: upstream panics; ours errors | our `BadIndex` error at those ops discards the case |
//! | huge `StringRepeat` | B9: upstream panics or aborts on allocation | our string limit (64 KiB) errors first; discarded |
//! | runaway loops / recursion | B11: upstream has no budget | our fuel / depth / stack limits; discarded |
//! | resumption after "undefined function" | B12 | each VM runs once; the error text and the state at the error are compared |
//! | `Exec*`, `CallFunction`, `Glob*`, `TestFile`, `Print*`, `ReadLine` | R14/C10/C17: upstream spawns processes and touches stdio and the file system without a host; ours is inert | not expressible in [`program::POp`] |
//! | `HashKeys`/`HashValues` order | C6: unspecified | always followed by a sort builtin; hashes compare as sorted maps |
//! | out-of-range constant / function-name / sub-chunk index, jump target > len | our verifier rejects the chunk ("invalid chunk") | generator stays in range |
//! | `Chunk::op_hash` | D4: `Value`'s `Hash` differs on purpose | not compared |
//! | vector lengths of `globals` and frame slots | trailing `Undef`s are not observable to bytecode | trailing `Undef`s are trimmed before comparing |
//!
//! Other shell ops (`SetStatus`, `GetStatus`, `StrMatch`, `RegexMatch`, `WordSplit`,
//! `BraceExpand`, `TildeExpand`, `ExpandParam`, pipelines, redirects, here-docs, sub-shells,
//! command/process substitution, traps) are pure without a host in both crates and are
//! compared.

pub mod gen;
pub mod program;
pub mod run;

pub use program::{s, PConst, POp, Program};
pub use run::{assert_same, compare, Outcome, RunResult, Verdict, NV};
