//! Program generators and properties shared by fusevm's fuzz targets (`fuzz/`, nightly,
//! cargo-fuzz) and its stable property suite (`crates/fusevm/tests/props.rs`, proptest).
//!
//! Everything is a function of an [`arbitrary::Unstructured`] byte stream, so the same
//! generator code serves both: libFuzzer mutates the bytes directly, and proptest
//! generates byte vectors and feeds them in (`prop`, with the feature `proptest`). The properties
//! themselves live in [`checks`] as functions of the input bytes: a fuzz target is one call.
//!
//! - [`values`]: edge-biased integers, floats, strings and nested `Value`s;
//! - [`ops`]: any op from the op table, operands chosen per operand kind, raw or valid;
//! - [`chunks`]: raw chunks (for the verifier) and valid chunks (for execution);
//! - [`numeric`]: well-formed numeric programs for the JIT tiers;
//! - [`text`]: assembly-like text for the assembler;
//! - [`compare`]: bit-exact chunk comparison for round trips;
//! - [`chunk_bytes`]: chunk-file inputs (raw, framed, and mutated encodings);
//! - [`checks`]: the properties.

pub mod checks;
pub mod chunk_bytes;
pub mod chunks;
pub mod compare;
pub mod numeric;
pub mod ops;
#[cfg(feature = "proptest")]
pub mod prop;
pub mod text;
pub mod values;

pub use arbitrary;

/// Size bounds for generated chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Most ops in the top-level chunk (sub-chunks get a quarter).
    pub max_ops: usize,
    /// Most constants per chunk.
    pub max_constants: usize,
    /// Most names per chunk.
    pub max_names: usize,
    /// How deep sub-chunks nest.
    pub sub_depth: u32,
    /// Allow `Print`, `PrintLn` and `ReadLine` (they use the process's stdio, so test
    /// harnesses that capture output leave them out).
    pub io: bool,
}

impl Config {
    /// What the checks use: small enough for thousands of runs per second.
    pub const FUZZ: Config = Config {
        max_ops: 96,
        max_constants: 8,
        max_names: 8,
        sub_depth: 2,
        io: false,
    };
}
