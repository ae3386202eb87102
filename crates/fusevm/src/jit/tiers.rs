//! The tiers' entry points behind `JitCompiler` (and the VM hook): finding or compiling
//! code in the cache, calling it, and giving the interpreter's answer.
//!
//! The public `try_run_*` methods keep upstream's signatures but not its numeric results:
//! they answer what a fresh `VM` whose entry frame holds `Value::Int` slots (the words)
//! would answer (`docs/compat.md`, JIT section). When native code hands control back
//! mid-chunk, the interpreter finishes the run from that state, so the answer is the same
//! either way. `None` means: not eligible, not compiled (yet), or an answer the signature
//! cannot carry (an error, `Halted`, a non-`Int` block result or slot).

use super::abi::{EntryKind, Fuel, Spec};
use super::cache::{self, ChunkKey, Slot, Versions};
use super::codegen::Compiled;
use super::eligible::Tier;
use super::handback::Handback;
use super::lower::Bail;
use super::{block, linear};
use crate::{Chunk, Op, VMResult, Value, VM};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;

/// `try_run_block` returns `None` for this many calls per chunk before compiling (upstream's
/// `HOT_THRESHOLD`); `VM::run` uses the same count.
pub(crate) const HOT_THRESHOLD: u32 = 10;

/// Entry specializations kept per chunk and tier; past this, new ones are not compiled.
const MAX_VERSIONS: usize = 8;

/// What the cache said about a chunk.
enum Lookup {
    Code(Rc<Compiled>),
    /// Not eligible, failed before, warming up, or too many versions.
    Nothing,
    /// Compile for this specialization.
    Compile(Spec),
}

fn versions(e: &mut cache::Entry, tier: Tier) -> &mut Versions {
    match tier {
        Tier::Linear => &mut e.linear,
        Tier::Block => &mut e.block,
    }
}

/// The code of `tier` for `key`, specialized to what `spec_of(named slots)` gives,
/// compiling it when the tier is eligible and, for the block tier, once the chunk has been
/// asked for more than `threshold` times.
pub(crate) fn code_for(
    tier: Tier,
    key: &ChunkKey<'_>,
    constants: &[Value],
    spec_of: impl FnOnce(&[u16]) -> Spec,
    threshold: u32,
) -> Option<Rc<Compiled>> {
    let lookup = cache::with_entry(key, constants, true, |e| {
        let eligible = match tier {
            Tier::Linear => e.linear_eligible,
            Tier::Block => e.block_eligible,
        };
        if !eligible {
            return Lookup::Nothing;
        }
        let any_compiled = e.block.iter().any(|(_, s)| s.is_some());
        if tier == Tier::Block && !any_compiled {
            e.calls = e.calls.saturating_add(1);
            if e.calls <= threshold {
                return Lookup::Nothing;
            }
        }
        let spec = spec_of(&e.slots);
        let vs = versions(e, tier);
        match cache::version(vs, &spec) {
            Some(Some(code)) => Lookup::Code(code.clone()),
            Some(None) => Lookup::Nothing,
            None if vs.len() >= MAX_VERSIONS => Lookup::Nothing,
            None => Lookup::Compile(spec),
        }
    })?;
    match lookup {
        Lookup::Code(code) => Some(code),
        Lookup::Nothing => None,
        Lookup::Compile(spec) => {
            let slot: Slot = compile(tier, key.ops(), constants, &spec).map(Rc::new);
            let code = slot.clone();
            cache::with_entry(key, constants, true, |e| versions(e, tier).push((spec, slot)));
            code
        }
    }
}

/// Compiles, turning a bail or a panic inside the code generator into "not compiled".
fn compile(tier: Tier, ops: &[Op], constants: &[Value], spec: &Spec) -> Option<Compiled> {
    let result = catch_unwind(AssertUnwindSafe(|| match tier {
        Tier::Linear => linear::compile(ops, constants, spec),
        Tier::Block => block::compile(ops, constants, spec),
    }));
    let bail = match result {
        Ok(Ok(code)) => return Some(code),
        Ok(Err(bail)) => bail,
        Err(_) => Bail::Codegen("the code generator panicked".into()),
    };
    tracing::debug!(tier = ?tier, reason = %bail, "JIT bailed; the interpreter runs the chunk");
    None
}

/// The specialization for an entry frame of `Int` slots `0..len` and no fuel budget.
fn spec_for_words(slots: &[u16], len: usize) -> Spec {
    let entry = slots
        .iter()
        .map(|&s| {
            let kind = if (s as usize) < len {
                EntryKind::Int
            } else {
                EntryKind::Absent
            };
            (s, kind)
        })
        .collect();
    Spec {
        entry,
        fuel: Fuel::Unlimited,
    }
}

/// The input words for `entry` read from the entry frame's values.
pub(crate) fn input_words(entry: &[(u16, EntryKind)], slots: &[Value]) -> Vec<i64> {
    entry
        .iter()
        .filter_map(|(s, _)| slots.get(*s as usize).and_then(EntryKind::word))
        .collect()
}

/// Whether `chunk` verifies (the interpreter refuses it otherwise), remembered per content
/// and function table so repeated calls do not verify again.
fn verifies(key: &ChunkKey<'_>, chunk: &Chunk) -> bool {
    let known = cache::with_entry(key, &chunk.constants, true, |e| match &e.verified {
        Some((entries, names, ok)) if *entries == chunk.sub_entries && *names == chunk.names.len() => {
            Some(*ok)
        }
        _ => None,
    })
    .flatten();
    if let Some(ok) = known {
        return ok;
    }
    let ok = chunk.verify().is_ok();
    cache::with_entry(key, &chunk.constants, true, |e| {
        e.verified = Some((chunk.sub_entries.clone(), chunk.names.len(), ok));
    });
    ok
}

/// A VM in the state native code handed back, with the entry slots `words`.
fn resumed_vm(chunk: &Chunk, words: &[Value], hb: Handback) -> VM {
    let mut vm = VM::new(chunk.clone());
    if let Some(f) = vm.frames.last_mut() {
        f.slots = words.to_vec();
    }
    hb.apply(&mut vm);
    vm
}

/// Runs compiled code on an entry frame of `Int` slots `words`; returns the result and the
/// final entry-frame slots (finishing in the interpreter when native code exits early).
fn run_words(chunk: &Chunk, code: &Compiled, words: &[i64]) -> Option<(VMResult, Vec<Value>)> {
    let values: Vec<Value> = words.iter().map(|&w| Value::Int(w)).collect();
    let input = input_words(&code.spec.entry, &values);
    let flag = AtomicBool::new(false);
    let outcome = code.call(&input, None, &flag)?;
    let mut hb = Handback::decode(outcome.exit, &outcome.out);
    if hb.finished(chunk.ops.len()) {
        let mut slots = values;
        for (s, v) in hb.entry_slots.drain(..) {
            super::handback::write_slot(&mut slots, s, v);
        }
        let result = match hb.stack.pop() {
            Some(v) => VMResult::Ok(v),
            None => VMResult::Halted,
        };
        return Some((result, slots));
    }
    let mut vm = resumed_vm(chunk, &values, hb);
    let result = vm.run();
    let slots = vm.frames.first().map(|f| f.slots.clone()).unwrap_or_default();
    Some((result, slots))
}

/// `JitCompiler::try_run_linear`.
pub(crate) fn run_linear(chunk: &Chunk, words: &[i64]) -> Option<Value> {
    let key = ChunkKey::of(&chunk.ops, &chunk.constants);
    if !verifies(&key, chunk) {
        return None;
    }
    let spec_of = |slots: &[u16]| spec_for_words(slots, words.len());
    let code = code_for(Tier::Linear, &key, &chunk.constants, spec_of, 0)?;
    match run_words(chunk, &code, words)?.0 {
        VMResult::Ok(v) => Some(v),
        VMResult::Halted | VMResult::Error(_) => None,
    }
}

/// `JitCompiler::try_run_block[_eager]`: `threshold` calls return `None` first.
pub(crate) fn run_block(chunk: &Chunk, words: &mut [i64], threshold: u32) -> Option<i64> {
    let key = ChunkKey::of(&chunk.ops, &chunk.constants);
    if !verifies(&key, chunk) {
        return None;
    }
    let spec_of = |slots: &[u16]| spec_for_words(slots, words.len());
    let code = code_for(Tier::Block, &key, &chunk.constants, spec_of, threshold)?;
    let (result, slots) = run_words(chunk, &code, words)?;
    let VMResult::Ok(Value::Int(n)) = result else {
        return None;
    };
    // Commit only what the slice can hold: every slot an Int, none past its end.
    if slots.len() > words.len() {
        return None;
    }
    let mut ints = Vec::with_capacity(slots.len());
    for v in &slots {
        match v {
            Value::Int(x) => ints.push(*x),
            _ => return None,
        }
    }
    words[..ints.len()].copy_from_slice(&ints);
    Some(n)
}

/// `JitCompiler::mark_block_hot`: the warm-up count set so that the next count compiles.
pub(crate) fn mark_block_hot(chunk: &Chunk) -> bool {
    let key = ChunkKey::of(&chunk.ops, &chunk.constants);
    if !verifies(&key, chunk) {
        return false;
    }
    cache::with_entry(&key, &chunk.constants, true, |e| {
        if e.block_eligible {
            e.calls = e.calls.max(HOT_THRESHOLD);
        }
        e.block_eligible
    })
    .unwrap_or(false)
}

/// `JitCompiler::block_jit_is_compiled`: some block code exists for this content.
pub(crate) fn block_compiled(chunk: &Chunk) -> bool {
    let key = ChunkKey::of(&chunk.ops, &chunk.constants);
    cache::with_entry(&key, &chunk.constants, false, |e| {
        e.block.iter().any(|(_, s)| s.is_some())
    })
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jit::CACHE_MAX_CHUNKS;

    /// `i = 0; while i < n { i += 1 }; i` with a distinct `n`.
    fn counting_loop(n: i32) -> Chunk {
        let mut b = crate::ChunkBuilder::new();
        for op in [
            Op::LoadInt(0),
            Op::SetSlot(0),
            Op::SlotLtIntJumpIfFalse(0, n, 5),
            Op::PreIncSlotVoid(0),
            Op::Jump(2),
            Op::GetSlot(0),
        ] {
            b.emit(op, 1);
        }
        b.build()
    }

    #[test]
    fn code_held_by_a_caller_outlives_its_eviction() {
        let chunk = counting_loop(1000);
        let key = ChunkKey::of(&chunk.ops, &chunk.constants);
        let spec_of = |slots: &[u16]| spec_for_words(slots, 0);
        let code = code_for(Tier::Block, &key, &chunk.constants, spec_of, 0).expect("block code");
        // Enough other chunks to evict this one (small ones: no compiling needed).
        for n in 0..CACHE_MAX_CHUNKS as i64 {
            let ops = [Op::LoadInt(n), Op::LoadInt(1), Op::Add];
            cache::with_entry(&ChunkKey::of(&ops, &[]), &[], true, |_| ());
        }
        assert_eq!(
            cache::with_entry(&key, &chunk.constants, false, |_| ()),
            None,
            "evicted"
        );
        assert_eq!(Rc::strong_count(&code), 1, "only the caller holds it now");
        // The code is still mapped: run it.
        let (result, slots) = run_words(&chunk, &code, &[]).expect("runs");
        assert!(matches!(result, VMResult::Ok(Value::Int(1000))), "{result:?}");
        assert_eq!(slots, vec![Value::Int(1000)]);
        drop(code);
        // Asked again, the chunk compiles afresh and gives the same answer.
        let again = code_for(Tier::Block, &key, &chunk.constants, spec_of, 0).expect("recompiled");
        let (result, _) = run_words(&chunk, &again, &[]).expect("runs");
        assert!(matches!(result, VMResult::Ok(Value::Int(1000))), "{result:?}");
    }

    #[test]
    fn compiled_code_counts_whole_pages() {
        let chunk = counting_loop(7);
        let key = ChunkKey::of(&chunk.ops, &chunk.constants);
        let code = code_for(Tier::Block, &key, &chunk.constants, |s| spec_for_words(s, 0), 0).expect("code");
        assert!(
            code.footprint >= 2 * 4096,
            "a page of code plus overhead: {}",
            code.footprint
        );
        assert!(code.footprint < 64 * 1024, "{}", code.footprint);
    }
}
