//! Cutting a region `[start, end)` out of a chunk as a standalone chunk
//! (`JitCompiler::extract_region`), total over every input.
//!
//! Upstream slices without checks and panics on a bad range or on a jump target below
//! `start` (quirk D13). Here the range is clamped and a branch that leaves the region is
//! sent to the region's end, so the result is always a chunk whose jump targets are all
//! within `0..=ops.len()`.

use crate::{Chunk, Op};

/// The sub-chunk of `chunk` covering ops `[start, end)`.
///
/// * `end` is clamped to `chunk.ops.len()` and `start` to `end`, so a bad range yields a
///   shorter (possibly empty) chunk instead of a panic.
/// * Every branch target `t` with `start <= t <= end` becomes `t - start`; a target outside
///   the region becomes the region's length, i.e. leaving the region ends the run.
///   (Upstream rebases only `Jump`, `JumpIfTrue`, `JumpIfFalse` and the two fused loop
///   branches and leaves the `Keep` variants untouched; here every branching op is rebased.)
/// * `lines` is cut the same way (as far as the line table reaches); `constants`, `names`
///   and `source` are cloned; `sub_entries`, `block_ranges` and `sub_chunks` are empty, as
///   upstream; `op_hash` is recomputed for the new ops.
pub(super) fn extract_region(chunk: &Chunk, start: usize, end: usize) -> Chunk {
    let end = end.min(chunk.ops.len());
    let start = start.min(end);
    let len = end - start;
    let ops = chunk.ops[start..end]
        .iter()
        .map(|op| match op.branch_target() {
            Some(t) if (start..=end).contains(&t) => retarget(*op, t - start),
            Some(_) => retarget(*op, len),
            None => *op,
        })
        .collect();
    let lines = chunk.lines.iter().skip(start).take(len).copied().collect();
    let mut region = Chunk {
        ops,
        constants: chunk.constants.clone(),
        names: chunk.names.clone(),
        lines,
        sub_entries: Vec::new(),
        block_ranges: Vec::new(),
        sub_chunks: Vec::new(),
        source: chunk.source.clone(),
        op_hash: 0,
    };
    region.op_hash = region.compute_op_hash();
    region
}

/// The longest run (at least 4 ops; the first of equal length) of ops the block tier
/// compiles, as `(start, end)`; `None` when no run is long enough or the longest one has a
/// branch leaving it. A branch to exactly `end` stays inside: `extract_region` turns it into
/// a jump to the region's end (upstream also refused that case, which excluded every loop
/// whose exit is the first op after the region).
#[cfg(feature = "jit")]
pub(super) fn find_jit_region(chunk: &Chunk) -> Option<(usize, usize)> {
    use super::eligible::{compiles, Tier};
    const MIN_LEN: usize = 4;
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    for ip in 0..=chunk.ops.len() {
        let ok = chunk.ops.get(ip).is_some_and(|op| compiles(Tier::Block, op));
        if ok {
            continue;
        }
        let len = ip - start;
        if len >= MIN_LEN && best.is_none_or(|(s, e)| len > e - s) {
            best = Some((start, ip));
        }
        start = ip + 1;
    }
    let (start, end) = best?;
    let inside = chunk.ops[start..end]
        .iter()
        .filter_map(Op::branch_target)
        .all(|t| (start..=end).contains(&t));
    inside.then_some((start, end))
}

/// `op` with its branch target replaced; ops without a target are returned unchanged.
/// (The table-driven test below fails if a new branching op is not handled here.)
fn retarget(op: Op, target: usize) -> Op {
    match op {
        Op::Jump(_) => Op::Jump(target),
        Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
        Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
        Op::JumpIfTrueKeep(_) => Op::JumpIfTrueKeep(target),
        Op::JumpIfFalseKeep(_) => Op::JumpIfFalseKeep(target),
        Op::SlotLtIntJumpIfFalse(slot, limit, _) => Op::SlotLtIntJumpIfFalse(slot, limit, target),
        Op::SlotIncLtIntJumpBack(slot, limit, _) => Op::SlotIncLtIntJumpBack(slot, limit, target),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::{OperandValue, OP_COUNT, OP_INFO};
    use crate::{ChunkBuilder, Value};

    #[test]
    fn retarget_handles_every_branching_op() {
        let mut branching = 0;
        for opcode in 0..OP_COUNT as u8 {
            let arity = OP_INFO[opcode as usize].operands.len();
            let op = Op::from_operands(opcode, &vec![OperandValue::Int(0); arity]).unwrap();
            if op.branch_target().is_some() {
                branching += 1;
                assert_eq!(retarget(op, 7).branch_target(), Some(7), "{op:?}");
            } else {
                assert_eq!(retarget(op, 7), op);
            }
        }
        // Jump, JumpIfTrue, JumpIfFalse, the two Keep variants, the two fused loop branches.
        assert_eq!(branching, 7);
    }

    /// `[Nop, Nop, <counted loop at 2..8>, Print(1)]`, lines 10, 11, ...
    fn loop_chunk() -> Chunk {
        let mut b = ChunkBuilder::new();
        b.add_constant(Value::Int(42));
        b.add_name("x");
        let ops = [
            Op::Nop,
            Op::Nop,
            Op::LoadInt(0),                    // 2
            Op::SetSlot(0),                    // 3
            Op::SlotLtIntJumpIfFalse(0, 5, 8), // 4
            Op::PreIncSlotVoid(0),             // 5
            Op::Jump(4),                       // 6
            Op::JumpIfTrueKeep(2),             // 7
            Op::Print(1),                      // 8
        ];
        for (i, op) in ops.into_iter().enumerate() {
            b.emit(op, 10 + i as u32);
        }
        b.add_sub_entry(0, 2);
        b.set_source("t.fvm");
        b.build()
    }

    #[test]
    fn extracts_and_rebases() {
        let chunk = loop_chunk();
        let r = extract_region(&chunk, 2, 8);
        assert_eq!(
            r.ops,
            vec![
                Op::LoadInt(0),
                Op::SetSlot(0),
                Op::SlotLtIntJumpIfFalse(0, 5, 6),
                Op::PreIncSlotVoid(0),
                Op::Jump(2),
                Op::JumpIfTrueKeep(0),
            ]
        );
        assert_eq!(r.lines, vec![12, 13, 14, 15, 16, 17]);
        assert_eq!(r.constants, vec![Value::Int(42)]);
        assert_eq!(r.names, vec!["x".to_string()]);
        assert_eq!(r.source, "t.fvm");
        assert!(r.sub_entries.is_empty() && r.block_ranges.is_empty() && r.sub_chunks.is_empty());
        assert_eq!(r.op_hash, r.compute_op_hash());
        assert_ne!(r.op_hash, chunk.op_hash);
    }

    #[test]
    fn escaping_targets_go_to_the_region_end() {
        let chunk = loop_chunk();
        // Region 4..7: the fused branch targets 8 (> end) and the Jump targets 4 (= start).
        let r = extract_region(&chunk, 4, 7);
        assert_eq!(
            r.ops,
            vec![
                Op::SlotLtIntJumpIfFalse(0, 5, 3),
                Op::PreIncSlotVoid(0),
                Op::Jump(0)
            ]
        );
        // Region 5..8: Jump(4) and JumpIfTrueKeep(2) point below the start.
        let r = extract_region(&chunk, 5, 8);
        assert_eq!(
            r.ops,
            vec![Op::PreIncSlotVoid(0), Op::Jump(3), Op::JumpIfTrueKeep(3)]
        );
    }

    #[test]
    fn bad_ranges_are_clamped() {
        let chunk = loop_chunk();
        let n = chunk.ops.len();
        assert!(extract_region(&chunk, 5, 2).ops.is_empty());
        assert!(extract_region(&chunk, 100, 200).ops.is_empty());
        assert!(extract_region(&chunk, usize::MAX, usize::MAX).ops.is_empty());
        let all = extract_region(&chunk, 0, usize::MAX);
        assert_eq!(all.ops, chunk.ops);
        assert_eq!(all.lines.len(), n);
        let tail = extract_region(&chunk, 8, 50);
        assert_eq!(tail.ops, vec![Op::Print(1)]);
        assert!(extract_region(&Chunk::new(), 0, 3).ops.is_empty());
    }

    #[test]
    #[cfg(feature = "jit")]
    fn finds_the_longest_compilable_run() {
        let c = |ops: &[Op]| Chunk {
            ops: ops.to_vec(),
            ..Chunk::default()
        };
        let add = [Op::LoadInt(1), Op::LoadInt(2), Op::Add];
        // [1,2,Add,Print,1,2,Add,Pop,Print] -> (4, 8), as upstream.
        let mut ops = add.to_vec();
        ops.push(Op::Print(1));
        ops.extend(add);
        ops.extend([Op::Pop, Op::Print(1)]);
        assert_eq!(find_jit_region(&c(&ops)), Some((4, 8)));
        assert_eq!(find_jit_region(&c(&add)), None, "shorter than 4");
        // The loop's exit jumps to the first op after the region: still a region.
        let chunk = loop_chunk();
        assert_eq!(find_jit_region(&chunk), Some((0, 8)));
        // A branch out of the longest run: no region (no fallback to another run).
        let escaping = [Op::LoadInt(1), Op::JumpIfTrue(9), Op::Nop, Op::Nop, Op::Print(1)];
        assert_eq!(find_jit_region(&c(&escaping)), None);
    }

    #[test]
    fn short_line_table_is_tolerated() {
        let mut chunk = loop_chunk();
        chunk.lines.truncate(3);
        assert_eq!(extract_region(&chunk, 1, 6).lines, vec![11, 12]);
    }
}
