//! The per-thread cache of compiled code, keyed by chunk *content*, with a bound.
//!
//! Upstream keyed everything by `Chunk::op_hash`, which is 0 for chunks not built by
//! `ChunkBuilder::build` and stale after a chunk is edited, so different chunks shared
//! code (quirk Q-J1). Here the key is the op list itself plus what its `LoadConst`s read
//! (the only constants compiled code depends on), found through a hash of that content and
//! confirmed by comparing it. Floats compare by bits.
//!
//! Each entry also remembers compile failures, so a chunk that failed is never compiled
//! again (upstream retried on every call, Q-J9), and counts the calls for the block tier's
//! warm-up. Every `JitCompiler` and `VM` on a thread shares the cache, as upstream.
//!
//! **Bound** (upstream never evicts, so a process that runs many distinct chunks grows
//! without limit): a thread keeps at most [`CACHE_MAX_CHUNKS`] entries and about
//! [`CACHE_MAX_BYTES`] of them (compiled code rounded up to whole pages, the per-module
//! overhead, the exit tables and the keys: [`Entry::cost`]). An access past either limit
//! evicts the least recently used entries, in one batch down to three quarters of both
//! limits so the sort is paid once per many insertions; the entry being accessed is never
//! evicted (a single entry larger than the byte budget stays alone until it gets old). An
//! evicted chunk starts over: its warm-up count, remembered verification and compile
//! failures are forgotten, and it is compiled again when it is hot again.
//!
//! Eviction is sound because the cache holds compiled code only through `Rc<Compiled>`:
//! removing an entry drops the cache's reference, and the code's memory is freed only when
//! the last `Rc` goes (`Compiled`'s `Drop`). Every caller that runs code holds an `Rc` for
//! the duration of the call (`tiers::code_for` hands out clones), and native code never
//! calls back into Rust code that touches the cache, so no code can be freed while it runs
//! or while an exit record borrowed from it is read.

use super::abi::Spec;
use super::codegen::Compiled;
use super::eligible::{block_eligible, linear_eligible};
use super::handback::referenced_slots;
use super::{CACHE_MAX_BYTES, CACHE_MAX_CHUNKS};
use crate::{Op, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::rc::Rc;

/// What a `LoadConst` reads, as far as compiled code depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ConstKey {
    Int(i64),
    Float(u64),
    Bool(bool),
    Undef,
    /// Not numeric: compiled code exits there whatever the value is.
    Other,
    Missing,
}

impl ConstKey {
    fn of(v: Option<&Value>) -> ConstKey {
        match v {
            Some(Value::Int(n)) => ConstKey::Int(*n),
            Some(Value::Float(f)) => ConstKey::Float(f.to_bits()),
            Some(Value::Bool(b)) => ConstKey::Bool(*b),
            Some(Value::Undef) => ConstKey::Undef,
            Some(_) => ConstKey::Other,
            None => ConstKey::Missing,
        }
    }
}

/// The content compiled code depends on, borrowed from a chunk for a lookup.
#[derive(Debug)]
pub(crate) struct ChunkKey<'a> {
    hash: u64,
    ops: &'a [Op],
    consts: Vec<ConstKey>,
}

/// A [`ChunkKey`] kept in the cache.
#[derive(Debug)]
struct OwnedKey {
    hash: u64,
    ops: Vec<Op>,
    consts: Vec<ConstKey>,
}

impl<'a> ChunkKey<'a> {
    pub(crate) fn of(ops: &'a [Op], constants: &[Value]) -> ChunkKey<'a> {
        let consts: Vec<ConstKey> = ops
            .iter()
            .filter_map(|op| match op {
                Op::LoadConst(c) => Some(ConstKey::of(constants.get(*c as usize))),
                _ => None,
            })
            .collect();
        let mut h = foldhash::fast::FixedState::with_seed(0x6a09_e667_f3bc_c908).build_hasher();
        ops.len().hash(&mut h);
        for op in ops {
            h.write_u8(op.opcode());
            h.write_u64(hash_word(op));
        }
        consts.hash(&mut h);
        ChunkKey {
            hash: h.finish(),
            ops,
            consts,
        }
    }

    fn same(&self, other: &OwnedKey) -> bool {
        self.hash == other.hash
            && self.consts == other.consts
            && self.ops.len() == other.ops.len()
            && self.ops.iter().zip(&other.ops).all(|(a, b)| same_op(a, b))
    }

    fn to_owned(&self) -> OwnedKey {
        OwnedKey {
            hash: self.hash,
            ops: self.ops.to_vec(),
            consts: self.consts.clone(),
        }
    }

    /// The ops of the keyed chunk.
    pub(crate) fn ops(&self) -> &'a [Op] {
        self.ops
    }
}

/// The operand of the ops that differ most between chunks of the same shape (constants,
/// slots, targets); other ops hash by opcode alone, and equal hashes are confirmed by
/// comparing the ops, so this only has to be fast and spread well.
fn hash_word(op: &Op) -> u64 {
    match *op {
        Op::LoadInt(n) => n as u64,
        Op::LoadFloat(f) => f.to_bits(),
        Op::LoadConst(c) | Op::GetSlot(c) | Op::SetSlot(c) | Op::PreIncSlot(c) | Op::PreIncSlotVoid(c) => {
            c as u64
        }
        Op::Jump(t)
        | Op::JumpIfTrue(t)
        | Op::JumpIfFalse(t)
        | Op::JumpIfTrueKeep(t)
        | Op::JumpIfFalseKeep(t) => t as u64,
        Op::SlotLtIntJumpIfFalse(s, l, t) | Op::SlotIncLtIntJumpBack(s, l, t) => {
            (s as u64) ^ ((l as u32 as u64) << 16) ^ ((t as u64) << 40)
        }
        Op::AccumSumLoop(a, b, l) => (a as u64) ^ ((b as u64) << 16) ^ ((l as u32 as u64) << 32),
        Op::AddAssignSlotVoid(a, b) => (a as u64) ^ ((b as u64) << 16),
        _ => 0,
    }
}

/// Op equality with floats by bits (`LoadFloat(NaN)` equals itself; `0.0` ≠ `-0.0`).
fn same_op(a: &Op, b: &Op) -> bool {
    match (a, b) {
        (Op::LoadFloat(x), Op::LoadFloat(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// A compile attempt's outcome: the code, or `None` when it bailed (not retried).
pub(crate) type Slot = Option<Rc<Compiled>>;

/// Compiled versions of one chunk for one tier, one per specialization.
pub(crate) type Versions = Vec<(Spec, Slot)>;

/// A verification result with the function table and name count it was computed for.
pub(crate) type VerifiedFor = (Vec<(u16, usize)>, usize, bool);

/// Everything the thread knows about one chunk content.
#[derive(Debug)]
pub(crate) struct Entry {
    key: OwnedKey,
    /// The cache's clock at the last access (unique per access; larger is more recent).
    last_used: u64,
    /// [`Entry::cost`] as last counted into [`Cache::bytes`].
    counted: usize,
    /// Block-tier warm-up calls counted so far (saturating).
    pub calls: u32,
    /// Whether the block tier compiles this chunk (its op list).
    pub block_eligible: bool,
    /// Whether the linear tier compiles this chunk.
    pub linear_eligible: bool,
    /// Every slot the chunk names (what entry specializations are made of).
    pub slots: Vec<u16>,
    /// Whether the chunk verifies, for the function table it had when last checked (the
    /// verifier's only input besides the ops and the constants `LoadConst` reads).
    pub verified: Option<VerifiedFor>,
    pub linear: Versions,
    pub block: Versions,
}

impl Entry {
    fn new(key: &ChunkKey<'_>, constants: &[Value]) -> Entry {
        Entry {
            key: key.to_owned(),
            last_used: 0,
            counted: 0,
            calls: 0,
            block_eligible: block_eligible(key.ops),
            linear_eligible: linear_eligible(key.ops, constants),
            slots: referenced_slots(key.ops),
            verified: None,
            linear: Vec::new(),
            block: Vec::new(),
        }
    }

    /// Approximate bytes this entry keeps alive: itself, its key, and every compiled
    /// version's [`Compiled::footprint`].
    fn cost(&self) -> usize {
        use std::mem::size_of;
        let key = self.key.ops.len() * size_of::<Op>() + self.key.consts.len() * size_of::<ConstKey>();
        let verified = self
            .verified
            .as_ref()
            .map_or(0, |(t, _, _)| t.len() * size_of::<(u16, usize)>());
        let versions = self.linear.iter().chain(&self.block).map(|(spec, code)| {
            size_of::<(Spec, Slot)>()
                + spec.entry.len() * size_of::<(u16, super::abi::EntryKind)>()
                + code.as_ref().map_or(0, |c| c.footprint)
        });
        size_of::<Entry>() + key + self.slots.len() * size_of::<u16>() + verified + versions.sum::<usize>()
    }
}

/// The version for `spec`: `Some(Some(code))`, `Some(None)` when compiling it failed,
/// `None` when not tried yet.
pub(crate) fn version<'v>(versions: &'v Versions, spec: &Spec) -> Option<&'v Slot> {
    versions.iter().find(|(s, _)| s == spec).map(|(_, code)| code)
}

/// One thread's entries, with the totals the bound is checked against.
#[derive(Debug, Default)]
struct Cache {
    /// Entries by content hash (a bucket holds the entries whose hashes collide).
    buckets: HashMap<u64, Vec<Entry>>,
    /// Entries in all buckets.
    entries: usize,
    /// Sum of the entries' [`Entry::counted`] costs.
    bytes: usize,
    /// Advanced on every access; stamps `Entry::last_used`.
    clock: u64,
}

impl Cache {
    fn over_budget(&self) -> bool {
        self.entries > CACHE_MAX_CHUNKS || self.bytes > CACHE_MAX_BYTES
    }

    /// Removes the least recently used entries (never the one stamped `current`) until
    /// both totals are at most three quarters of their limits, and returns them so the
    /// caller can drop them once the cache is no longer borrowed.
    fn evict(&mut self, current: u64) -> Vec<Entry> {
        let (low_entries, low_bytes) = (CACHE_MAX_CHUNKS / 4 * 3, CACHE_MAX_BYTES / 4 * 3);
        let mut ages: Vec<(u64, usize)> = self
            .buckets
            .values()
            .flatten()
            .filter(|e| e.last_used != current)
            .map(|e| (e.last_used, e.counted))
            .collect();
        ages.sort_unstable();
        let (mut entries, mut bytes) = (self.entries, self.bytes);
        // Stamps are unique, so "older than `cutoff`" is exactly the oldest entries.
        let mut cutoff = 0;
        for (stamp, cost) in ages {
            if entries <= low_entries && bytes <= low_bytes {
                break;
            }
            entries -= 1;
            bytes = bytes.saturating_sub(cost);
            cutoff = stamp + 1;
        }
        let mut evicted = Vec::new();
        for bucket in self.buckets.values_mut() {
            let mut i = 0;
            while i < bucket.len() {
                if bucket[i].last_used < cutoff {
                    evicted.push(bucket.swap_remove(i));
                } else {
                    i += 1;
                }
            }
        }
        self.buckets.retain(|_, bucket| !bucket.is_empty());
        self.entries -= evicted.len();
        self.bytes = self
            .bytes
            .saturating_sub(evicted.iter().map(|e| e.counted).sum::<usize>());
        evicted
    }
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// Runs `f` on the entry for `key`, creating it if `create` (with `constants`, the chunk's
/// pool), and marks the entry as just used. `None` if there is no entry (and `create` is
/// false) or the thread is exiting. `f` must not re-enter the cache.
///
/// When the cache is then over its bound, the least recently used other entries are
/// evicted (module docs); their compiled code is freed here unless a caller still holds
/// an `Rc` to it.
pub(crate) fn with_entry<R>(
    key: &ChunkKey<'_>,
    constants: &[Value],
    create: bool,
    f: impl FnOnce(&mut Entry) -> R,
) -> Option<R> {
    CACHE
        .try_with(|cell| {
            let mut cache = cell.try_borrow_mut().ok()?;
            cache.clock += 1;
            let now = cache.clock;
            // Only a creating access adds a bucket, so lookups cannot grow the map.
            let bucket = if create {
                cache.buckets.entry(key.hash).or_default()
            } else {
                cache.buckets.get_mut(&key.hash)?
            };
            let (i, created) = match bucket.iter().position(|e| key.same(&e.key)) {
                Some(i) => (i, false),
                None if create => {
                    bucket.push(Entry::new(key, constants));
                    (bucket.len() - 1, true)
                }
                None => return None,
            };
            let entry = bucket.get_mut(i)?;
            entry.last_used = now;
            let result = f(entry);
            let (before, after) = (entry.counted, entry.cost());
            entry.counted = after;
            if created {
                cache.entries += 1;
            }
            cache.bytes = cache.bytes.saturating_sub(before) + after;
            let evicted = if cache.over_budget() {
                cache.evict(now)
            } else {
                Vec::new()
            };
            // Drop the evicted entries (and maybe free their code) after the borrow ends,
            // so nothing that runs while they drop can find the cache borrowed.
            drop(cache);
            drop(evicted);
            Some(result)
        })
        .ok()
        .flatten()
}

/// `(entries, bytes)` on this thread, recounted from the entries (tests check the running
/// totals and the bound against this).
#[cfg(test)]
pub(crate) fn totals() -> (usize, usize) {
    CACHE.with(|cell| {
        let cache = cell.borrow();
        let entries: Vec<&Entry> = cache.buckets.values().flatten().collect();
        assert_eq!(entries.len(), cache.entries, "running entry count");
        let bytes: usize = entries.iter().map(|e| e.cost()).sum();
        assert_eq!(bytes, cache.bytes, "running byte count");
        (cache.entries, cache.bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_content_not_op_hash() {
        let nan = [Op::LoadInt(1), Op::LoadFloat(f64::NAN)];
        let a = ChunkKey::of(&nan, &[]).to_owned();
        assert!(ChunkKey::of(&nan, &[]).same(&a));
        assert!(!ChunkKey::of(&[Op::LoadInt(2), Op::LoadFloat(f64::NAN)], &[]).same(&a));
        let z = ChunkKey::of(&[Op::LoadFloat(0.0)], &[]).to_owned();
        assert!(!ChunkKey::of(&[Op::LoadFloat(-0.0)], &[]).same(&z));
        // Constants count only through the LoadConsts that read them.
        let load = [Op::LoadConst(0)];
        let c1 = ChunkKey::of(&load, &[Value::Int(1), Value::str("x")]).to_owned();
        assert!(ChunkKey::of(&load, &[Value::Int(1), Value::str("y")]).same(&c1));
        assert!(!ChunkKey::of(&load, &[Value::Int(2)]).same(&c1));
    }

    #[test]
    fn entries_are_found_by_content() {
        let ops = [Op::LoadInt(77), Op::GetSlot(3), Op::Sub];
        let key = ChunkKey::of(&ops, &[]);
        assert_eq!(with_entry(&key, &[], false, |_| ()), None);
        with_entry(&key, &[], true, |e| e.calls = 5);
        let found = with_entry(&ChunkKey::of(&ops, &[]), &[], false, |e| {
            (e.calls, e.block_eligible, e.linear_eligible, e.slots.clone())
        });
        assert_eq!(found, Some((5, true, true, vec![3])));
        let other = [Op::LoadInt(77), Op::LoadInt(2), Op::Sub];
        assert_eq!(
            with_entry(&ChunkKey::of(&other, &[]), &[], false, |e| e.calls),
            None
        );
    }

    /// A distinct small chunk per `n`.
    fn chunk_ops(n: usize) -> [Op; 3] {
        [Op::LoadInt(n as i64), Op::GetSlot(0), Op::Add]
    }

    fn create(ops: &[Op]) {
        with_entry(&ChunkKey::of(ops, &[]), &[], true, |_| ());
    }

    fn present(ops: &[Op]) -> bool {
        with_entry(&ChunkKey::of(ops, &[]), &[], false, |_| ()).is_some()
    }

    #[test]
    fn entries_are_bounded_and_the_least_recently_used_go_first() {
        for n in 0..CACHE_MAX_CHUNKS {
            create(&chunk_ops(n));
        }
        assert_eq!(totals().0, CACHE_MAX_CHUNKS);
        // Touch chunk 0: it is now the most recently used of the first batch.
        assert!(present(&chunk_ops(0)));
        for n in CACHE_MAX_CHUNKS..CACHE_MAX_CHUNKS + 300 {
            create(&chunk_ops(n));
            assert!(totals().0 <= CACHE_MAX_CHUNKS, "after {n} entries");
        }
        assert!(present(&chunk_ops(0)), "recently used, kept");
        assert!(!present(&chunk_ops(1)), "least recently used, evicted");
        assert!(present(&chunk_ops(CACHE_MAX_CHUNKS + 299)), "the newest is kept");
        // An evicted chunk comes back as a fresh entry.
        with_entry(&ChunkKey::of(&chunk_ops(1), &[]), &[], true, |e| e.calls += 1);
        assert_eq!(
            with_entry(&ChunkKey::of(&chunk_ops(1), &[]), &[], false, |e| e.calls),
            Some(1)
        );
    }

    #[test]
    fn bytes_are_bounded_but_the_entry_in_use_stays() {
        // Keys of about an eighth of the budget each (the ops themselves).
        let len = CACHE_MAX_BYTES / 8 / std::mem::size_of::<Op>();
        let big = |n: i64| {
            let mut ops = vec![Op::Nop; len];
            ops[0] = Op::LoadInt(n);
            ops
        };
        for n in 0..20 {
            create(&big(n));
            let (entries, bytes) = totals();
            assert!(bytes <= CACHE_MAX_BYTES, "{bytes} bytes in {entries} entries");
        }
        assert!(totals().0 < 8);
        assert!(present(&big(19)) && !present(&big(0)));
        // One entry over the whole budget evicts everything else and stays itself.
        let huge = vec![Op::Nop; CACHE_MAX_BYTES / std::mem::size_of::<Op>() + 1];
        create(&huge);
        assert_eq!(totals().0, 1);
        assert!(present(&huge));
    }

    #[test]
    fn lookups_of_unknown_chunks_add_nothing() {
        for n in 0..100 {
            assert!(!present(&chunk_ops(n)));
        }
        assert_eq!(totals(), (0, 0));
        CACHE.with(|c| assert!(c.borrow().buckets.is_empty()));
    }
}
