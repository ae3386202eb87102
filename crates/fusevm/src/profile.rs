//! Execution profiles: what [`VM::run_profiled`](crate::VM::run_profiled) counts, for a
//! frontend author tuning the code they emit.
//!
//! A profiled run dispatches every op on its own (automatic fusion is off for it), so the
//! counts are those of the ops the frontend emitted. Pairs and triples are *dynamic*: the
//! ops that really ran one after the other, jumps and calls included, which makes them the
//! candidates for new superinstructions. Profiling costs nothing in ordinary runs: the
//! counting loop is a separate instantiation of the dispatch loop.
//!
//! ```
//! use fusevm::{profile::Profile, ChunkBuilder, Op, VM};
//!
//! let mut b = ChunkBuilder::new();
//! b.emit(Op::LoadInt(2), 1);
//! b.emit(Op::LoadInt(3), 1);
//! b.emit(Op::Mul, 1);
//! let mut vm = VM::new(b.build());
//! let mut profile = Profile::new();
//! vm.run_profiled(&mut profile);
//! assert_eq!(profile.ip_counts, vec![1, 1, 1]);
//! assert_eq!(profile.total(), 3);
//! assert_eq!(profile.hottest_pairs(1), vec![(vec!["load_int", "load_int"], 1)]);
//! ```

use crate::isa::{OP_COUNT, OP_INFO};
use crate::{Chunk, Op};
use std::collections::HashMap;
use std::time::Duration;

/// Counts from one or more profiled runs (they accumulate).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Dispatches of each op of the chunk, by instruction index.
    pub ip_counts: Vec<u64>,
    /// Dispatches per opcode ([`Op::opcode`]), `OP_COUNT` entries.
    pub op_counts: Vec<u64>,
    /// Ops that ran one right after the other, by opcode pair.
    pub pairs: HashMap<(u8, u8), u64>,
    /// Three ops that ran one after the other, by opcode triple.
    pub triples: HashMap<(u8, u8, u8), u64>,
    /// Calls per function name (`Call` and `CallFunction` dispatches), most called first.
    pub calls: Vec<(String, u64)>,
    /// Wall time of the profiled runs (counting included).
    pub elapsed: Duration,
    /// The last two opcodes dispatched (`u8::MAX`: none yet).
    recent: [u8; 2],
}

impl Profile {
    /// An empty profile.
    pub fn new() -> Self {
        Profile {
            op_counts: vec![0; OP_COUNT],
            recent: [u8::MAX; 2],
            ..Profile::default()
        }
    }

    /// Ops dispatched in all.
    pub fn total(&self) -> u64 {
        self.ip_counts.iter().sum()
    }

    /// Records one dispatch of `opcode` at `ip`.
    #[inline]
    pub(crate) fn record(&mut self, ip: usize, opcode: u8) {
        if ip >= self.ip_counts.len() {
            self.ip_counts.resize(ip + 1, 0);
        }
        self.ip_counts[ip] += 1;
        if self.op_counts.len() != OP_COUNT {
            self.op_counts.resize(OP_COUNT, 0);
        }
        self.op_counts[opcode as usize] += 1;
        let [a, b] = self.recent;
        if b != u8::MAX {
            *self.pairs.entry((b, opcode)).or_default() += 1;
            if a != u8::MAX {
                *self.triples.entry((a, b, opcode)).or_default() += 1;
            }
        }
        self.recent = [b, opcode];
    }

    /// Fills `calls` from the call ops' counts (after a run of `chunk`).
    pub(crate) fn count_calls(&mut self, chunk: &Chunk) {
        let mut calls: HashMap<&str, u64> = HashMap::new();
        for (op, &n) in chunk.ops.iter().zip(&self.ip_counts) {
            if let (Op::Call(f, _) | Op::CallFunction(f, _), true) = (op, n > 0) {
                let name = chunk.names.get(*f as usize).map_or("?", String::as_str);
                *calls.entry(name).or_default() += n;
            }
        }
        let mut calls: Vec<(String, u64)> = calls.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        calls.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        self.calls = calls;
    }

    /// The `n` most frequent dynamic op pairs, as mnemonics, most frequent first.
    pub fn hottest_pairs(&self, n: usize) -> Vec<(Vec<&'static str>, u64)> {
        hottest(self.pairs.iter().map(|(&(a, b), &c)| (vec![a, b], c)), n)
    }

    /// The `n` most frequent dynamic op triples, as mnemonics, most frequent first.
    pub fn hottest_triples(&self, n: usize) -> Vec<(Vec<&'static str>, u64)> {
        hottest(self.triples.iter().map(|(&(a, b, c), &k)| (vec![a, b, c], k)), n)
    }
}

fn hottest(rows: impl Iterator<Item = (Vec<u8>, u64)>, n: usize) -> Vec<(Vec<&'static str>, u64)> {
    let mut rows: Vec<(Vec<&'static str>, u64)> = rows
        .map(|(codes, c)| (codes.iter().map(|&o| OP_INFO[o as usize].mnemonic).collect(), c))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(n);
    rows
}
