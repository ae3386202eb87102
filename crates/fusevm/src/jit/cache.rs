//! The per-thread cache of compiled code, keyed by chunk *content*.
//!
//! Upstream keyed everything by `Chunk::op_hash`, which is 0 for chunks not built by
//! `ChunkBuilder::build` and stale after a chunk is edited, so different chunks shared
//! code (quirk Q-J1). Here the key is the op list itself plus what its `LoadConst`s read
//! (the only constants compiled code depends on), found through a hash of that content and
//! confirmed by comparing it. Floats compare by bits.
//!
//! Each entry also remembers compile failures, so a chunk that failed is never compiled
//! again (upstream retried on every call, Q-J9), and counts the calls for the block tier's
//! warm-up. Like upstream, nothing is evicted and every `JitCompiler` and `VM` on a thread
//! shares the cache.

use super::abi::Spec;
use super::codegen::Compiled;
use super::eligible::{block_eligible, linear_eligible};
use super::handback::referenced_slots;
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

/// The version for `spec`: `Some(Some(code))`, `Some(None)` when compiling it failed,
/// `None` when not tried yet.
pub(crate) fn version<'v>(versions: &'v Versions, spec: &Spec) -> Option<&'v Slot> {
    versions.iter().find(|(s, _)| s == spec).map(|(_, code)| code)
}

thread_local! {
    static CACHE: RefCell<HashMap<u64, Vec<Entry>>> = RefCell::new(HashMap::new());
}

/// Runs `f` on the entry for `key`, creating it if `create` (with `constants`, the chunk's
/// pool). `None` if there is no entry (and `create` is false) or the thread is exiting.
/// `f` must not re-enter the cache.
pub(crate) fn with_entry<R>(
    key: &ChunkKey<'_>,
    constants: &[Value],
    create: bool,
    f: impl FnOnce(&mut Entry) -> R,
) -> Option<R> {
    CACHE
        .try_with(|cache| {
            let mut cache = cache.try_borrow_mut().ok()?;
            let bucket = cache.entry(key.hash).or_default();
            let i = match bucket.iter().position(|e| key.same(&e.key)) {
                Some(i) => i,
                None if create => {
                    bucket.push(Entry {
                        key: key.to_owned(),
                        calls: 0,
                        block_eligible: block_eligible(key.ops),
                        linear_eligible: linear_eligible(key.ops, constants),
                        slots: referenced_slots(key.ops),
                        verified: None,
                        linear: Vec::new(),
                        block: Vec::new(),
                    });
                    bucket.len() - 1
                }
                None => return None,
            };
            bucket.get_mut(i).map(f)
        })
        .ok()
        .flatten()
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
}
