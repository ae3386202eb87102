//! `Chunk` (the unit of bytecode a VM runs) and `ChunkBuilder` (how frontends emit one).
//!
//! A chunk is the op list plus its pools: constants, names (which double as global-variable
//! indices and function names), the line table (one line per op), function entries
//! (`sub_entries`: inline regions of the same op list), block ranges and sub-chunks handed
//! to the shell host. Fields and methods are upstream's; pool indices are `u16`, and a full
//! pool is refused loudly instead of wrapping (upstream quirk D1).

use crate::{Op, Value};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A compiled program.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Chunk {
    /// The code.
    pub ops: Vec<Op>,
    /// Literal pool (`LoadConst`, `HereDoc`, `ConcatConstLoop`).
    pub constants: Vec<Value>,
    /// Name pool: global-variable indices and function names.
    pub names: Vec<String>,
    /// Source line of each op (parallel to `ops`).
    pub lines: Vec<u32>,
    /// Function table: `(name index, entry op index)`; the first match wins.
    pub sub_entries: Vec<(u16, usize)>,
    /// Block ranges registered by frontends (never read by the VM).
    pub block_ranges: Vec<(usize, usize)>,
    /// Nested chunks handed to the shell host (`CmdSubst`, `ProcessSub*`, `TrapSet`).
    pub sub_chunks: Vec<Chunk>,
    /// Source file name, for messages.
    pub source: String,
    /// Hash of `ops` and `constants` computed by `ChunkBuilder::build` (0 otherwise; not
    /// serialized). Kept for compatibility; nothing in this crate keys a cache on it.
    #[serde(skip)]
    pub op_hash: u64,
}

impl Chunk {
    /// An empty chunk (same as `Default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Entry op index of the first function registered under `name_idx`.
    pub fn find_sub(&self, name_idx: u16) -> Option<usize> {
        self.sub_entries
            .iter()
            .find(|(n, _)| *n == name_idx)
            .map(|&(_, ip)| ip)
    }

    /// The source line of op `ip`, if the line table has one.
    pub fn line_of(&self, ip: usize) -> Option<u32> {
        self.lines.get(ip).copied()
    }

    /// Upstream's `op_hash`: std's `DefaultHasher` over `ops` then `constants`.
    pub fn compute_op_hash(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.ops.hash(&mut h);
        self.constants.hash(&mut h);
        h.finish()
    }

    /// Checks the chunk statically (see [`crate::verify`]).
    pub fn verify(&self) -> Result<(), crate::verify::VerifyError> {
        crate::verify::verify(self)
    }
}

/// A pool index that no longer fits in `u16`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolFull {
    /// Which pool: `"constant"`, `"name"`, `"block range"` or `"sub-chunk"`.
    pub pool: &'static str,
}

impl fmt::Display for PoolFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} pool is full: at most 65536 entries fit a u16 index",
            self.pool
        )
    }
}

impl std::error::Error for PoolFull {}

/// Incrementally builds a [`Chunk`].
///
/// ```
/// use fusevm::{ChunkBuilder, Op, VM, VMResult, Value};
/// let mut b = ChunkBuilder::new();
/// b.emit(Op::LoadInt(40), 1);
/// b.emit(Op::LoadInt(2), 1);
/// b.emit(Op::Add, 1);
/// let mut vm = VM::new(b.build());
/// assert!(matches!(vm.run(), VMResult::Ok(Value::Int(42))));
/// ```
#[derive(Debug, Default)]
pub struct ChunkBuilder {
    chunk: Chunk,
    name_index: HashMap<String, u16>,
}

fn pool_index(len: usize, pool: &'static str) -> Result<u16, PoolFull> {
    u16::try_from(len).map_err(|_| PoolFull { pool })
}

impl ChunkBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `op` with its source line; returns its index.
    pub fn emit(&mut self, op: Op, line: u32) -> usize {
        self.chunk.ops.push(op);
        self.chunk.lines.push(line);
        self.chunk.ops.len() - 1
    }

    /// Appends a constant (no de-duplication); returns its index.
    ///
    /// # Panics
    /// When the pool already holds 65536 constants; see [`Self::try_add_constant`].
    pub fn add_constant(&mut self, val: Value) -> u16 {
        self.try_add_constant(val).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`Self::add_constant`], but reports a full pool as an error.
    pub fn try_add_constant(&mut self, val: Value) -> Result<u16, PoolFull> {
        let idx = pool_index(self.chunk.constants.len(), "constant")?;
        self.chunk.constants.push(val);
        Ok(idx)
    }

    /// Interns a name; returns the existing index for an equal name.
    ///
    /// # Panics
    /// When a new name would be the 65537th; see [`Self::try_add_name`].
    pub fn add_name(&mut self, name: &str) -> u16 {
        self.try_add_name(name).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`Self::add_name`], but reports a full pool as an error.
    pub fn try_add_name(&mut self, name: &str) -> Result<u16, PoolFull> {
        if let Some(&idx) = self.name_index.get(name) {
            return Ok(idx);
        }
        // A chunk built elsewhere may already hold the name (see `from_chunk`).
        let idx = pool_index(self.chunk.names.len(), "name")?;
        self.chunk.names.push(name.to_string());
        self.name_index.insert(name.to_string(), idx);
        Ok(idx)
    }

    /// Number of ops emitted so far (the index of the next op).
    pub fn current_pos(&self) -> usize {
        self.chunk.ops.len()
    }

    /// Sets the target of the `Jump*` op at `op_idx`.
    ///
    /// # Panics
    /// With `patch_jump on non-jump op at ...` for an op that is not one of the five plain
    /// jumps (upstream's message, which its tests match), and when `op_idx` is out of range.
    pub fn patch_jump(&mut self, op_idx: usize, target: usize) {
        let len = self.chunk.ops.len();
        let Some(op) = self.chunk.ops.get_mut(op_idx) else {
            panic!("patch_jump: op index {op_idx} out of range (chunk has {len} ops)");
        };
        match op {
            Op::Jump(t)
            | Op::JumpIfTrue(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfTrueKeep(t)
            | Op::JumpIfFalseKeep(t) => *t = target,
            other => panic!("patch_jump on non-jump op at {op_idx}: {other:?}"),
        }
    }

    /// Registers a function entry: `Call(name_idx, _)` continues at `ip`.
    pub fn add_sub_entry(&mut self, name_idx: u16, ip: usize) {
        self.chunk.sub_entries.push((name_idx, ip));
    }

    /// Registers a block range; returns its index.
    ///
    /// # Panics
    /// When the pool is full (65536 entries).
    pub fn add_block_range(&mut self, start: usize, end: usize) -> u16 {
        let idx = pool_index(self.chunk.block_ranges.len(), "block range").unwrap_or_else(|e| panic!("{e}"));
        self.chunk.block_ranges.push((start, end));
        idx
    }

    /// Adds a sub-chunk for the shell host; returns its index.
    ///
    /// # Panics
    /// When the pool is full (65536 entries); see [`Self::try_add_sub_chunk`].
    pub fn add_sub_chunk(&mut self, sub: Chunk) -> u16 {
        self.try_add_sub_chunk(sub).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`Self::add_sub_chunk`], but reports a full pool as an error.
    pub fn try_add_sub_chunk(&mut self, sub: Chunk) -> Result<u16, PoolFull> {
        let idx = pool_index(self.chunk.sub_chunks.len(), "sub-chunk")?;
        self.chunk.sub_chunks.push(sub);
        Ok(idx)
    }

    /// Sets the source file name.
    pub fn set_source(&mut self, source: impl Into<String>) {
        self.chunk.source = source.into();
    }

    /// Finishes the chunk and computes its `op_hash`.
    pub fn build(mut self) -> Chunk {
        self.chunk.op_hash = self.chunk.compute_op_hash();
        self.chunk
    }
}
