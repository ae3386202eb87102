//! Which ops each tier compiles: the explicit lists (one exhaustive `match` per tier, so a
//! new op must be classified before the crate builds) and the linear tier's stack check.
//!
//! A chunk with an op outside its tier's list is not compiled by that tier (a bail, not an
//! error). Ops on the lists may still hand control back at run time (exits, see `lower`).

#![deny(clippy::wildcard_enum_match_arm)]

use crate::isa::StackEffect;
use crate::{Op, Value};

/// Deepest abstract stack a linear chunk may build (upstream's validator limit).
pub(crate) const LINEAR_MAX_DEPTH: usize = 256;

/// The tiers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Tier {
    Linear,
    Block,
}

/// Whether `tier` compiles `op`.
pub(crate) fn compiles(tier: Tier, op: &Op) -> bool {
    let block_only = tier == Tier::Block;
    match op {
        // Straight-line numeric code: both tiers.
        Op::LoadInt(_)
        | Op::LoadFloat(_)
        | Op::LoadConst(_)
        | Op::LoadTrue
        | Op::LoadFalse
        | Op::LoadUndef
        | Op::Pop
        | Op::Dup
        | Op::Dup2
        | Op::Swap
        | Op::Rot
        | Op::GetSlot(_)
        | Op::SetSlot(_)
        | Op::Add
        | Op::Sub
        | Op::Mul
        | Op::Div
        | Op::Mod
        | Op::Pow
        | Op::Negate
        | Op::Inc
        | Op::Dec
        | Op::NumEq
        | Op::NumNe
        | Op::NumLt
        | Op::NumGt
        | Op::NumLe
        | Op::NumGe
        | Op::Spaceship
        | Op::LogNot
        | Op::LogAnd
        | Op::LogOr
        | Op::BitAnd
        | Op::BitOr
        | Op::BitXor
        | Op::BitNot
        | Op::Shl
        | Op::Shr
        | Op::PreIncSlot(_)
        | Op::PreIncSlotVoid(_)
        | Op::AddAssignSlotVoid(..) => true,
        // Control flow, scopes and loops: the block tier (a linear chunk has no branches).
        Op::Nop
        | Op::Jump(_)
        | Op::JumpIfTrue(_)
        | Op::JumpIfFalse(_)
        | Op::JumpIfTrueKeep(_)
        | Op::JumpIfFalseKeep(_)
        | Op::SlotLtIntJumpIfFalse(..)
        | Op::SlotIncLtIntJumpBack(..)
        | Op::AccumSumLoop(..)
        | Op::PushFrame
        | Op::PopFrame
        | Op::Return
        | Op::ReturnValue => block_only,
        // Globals, strings, containers, calls, I/O, shell, handlers: neither tier.
        Op::GetVar(_)
        | Op::SetVar(_)
        | Op::DeclareVar(_)
        | Op::SlotArrayGet(_)
        | Op::SlotArraySet(_)
        | Op::GetArray(_)
        | Op::SetArray(_)
        | Op::DeclareArray(_)
        | Op::ArrayGet(_)
        | Op::ArraySet(_)
        | Op::ArrayPush(_)
        | Op::ArrayPop(_)
        | Op::ArrayShift(_)
        | Op::ArrayLen(_)
        | Op::MakeArray(_)
        | Op::GetHash(_)
        | Op::SetHash(_)
        | Op::DeclareHash(_)
        | Op::HashGet(_)
        | Op::HashSet(_)
        | Op::HashDelete(_)
        | Op::HashExists(_)
        | Op::HashKeys(_)
        | Op::HashValues(_)
        | Op::MakeHash(_)
        | Op::Concat
        | Op::StringRepeat
        | Op::StringLen
        | Op::StrEq
        | Op::StrNe
        | Op::StrLt
        | Op::StrGt
        | Op::StrLe
        | Op::StrGe
        | Op::StrCmp
        | Op::Call(..)
        | Op::Print(_)
        | Op::PrintLn(_)
        | Op::ReadLine
        | Op::Range
        | Op::RangeStep
        | Op::MapBlock(_)
        | Op::GrepBlock(_)
        | Op::SortBlock(_)
        | Op::SortDefault
        | Op::ForEachBlock(_)
        | Op::ConcatConstLoop(..)
        | Op::PushIntRangeLoop(..)
        | Op::CallBuiltin(..)
        | Op::Extended(..)
        | Op::ExtendedWide(..)
        | Op::Exec(_)
        | Op::ExecBg(_)
        | Op::PipelineBegin(_)
        | Op::PipelineStage
        | Op::PipelineEnd
        | Op::Redirect(..)
        | Op::HereDoc(_)
        | Op::HereString
        | Op::CmdSubst(_)
        | Op::SubshellBegin
        | Op::SubshellEnd
        | Op::ProcessSubIn(_)
        | Op::ProcessSubOut(_)
        | Op::Glob
        | Op::GlobRecursive
        | Op::TestFile(_)
        | Op::SetStatus
        | Op::GetStatus
        | Op::TrapSet(_)
        | Op::TrapCheck
        | Op::ExpandParam(_)
        | Op::WordSplit
        | Op::BraceExpand
        | Op::TildeExpand
        | Op::CallFunction(..)
        | Op::StrMatch
        | Op::RegexMatch
        | Op::WithRedirectsBegin(_)
        | Op::WithRedirectsEnd => false,
    }
}

/// The first op `tier` does not compile, with its index.
pub(crate) fn first_unsupported(tier: Tier, ops: &[Op]) -> Option<(usize, Op)> {
    ops.iter()
        .enumerate()
        .find(|(_, op)| !compiles(tier, op))
        .map(|(ip, op)| (ip, *op))
}

/// The block tier compiles `ops`: non-empty, every op on its list.
pub(crate) fn block_eligible(ops: &[Op]) -> bool {
    !ops.is_empty() && first_unsupported(Tier::Block, ops).is_none()
}

/// The linear tier compiles `ops`: non-empty, every op on its list, `LoadConst` only of a
/// numeric constant (`Int`, `Float`, `Bool`, `Undef`), the stack never reaching below
/// where it started nor deeper than [`LINEAR_MAX_DEPTH`], and exactly one value left —
/// the result.
pub(crate) fn linear_eligible(ops: &[Op], consts: &[Value]) -> bool {
    if ops.is_empty() || first_unsupported(Tier::Linear, ops).is_some() {
        return false;
    }
    let mut depth = 0usize;
    for op in ops {
        if let Op::LoadConst(c) = op {
            let numeric = matches!(
                consts.get(*c as usize),
                Some(Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Undef)
            );
            if !numeric {
                return false;
            }
        }
        let StackEffect::Fixed { pops, pushes } = op.stack_effect() else {
            return false;
        };
        let Some(d) = depth.checked_sub(pops as usize) else {
            return false;
        };
        depth = d + pushes as usize;
        if depth > LINEAR_MAX_DEPTH {
            return false;
        }
    }
    depth == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::{OperandValue, OP_COUNT, OP_INFO};

    fn every_op() -> Vec<Op> {
        (0..OP_COUNT as u8)
            .map(|opcode| {
                let arity = OP_INFO[opcode as usize].operands.len();
                Op::from_operands(opcode, &vec![OperandValue::Int(0); arity]).unwrap()
            })
            .collect()
    }

    #[test]
    fn tier_lists() {
        let ops = every_op();
        let linear = ops.iter().filter(|op| compiles(Tier::Linear, op)).count();
        let block = ops.iter().filter(|op| compiles(Tier::Block, op)).count();
        // Upstream's 46 block ops plus the Keep jumps, LoadUndef, Dup2, LogAnd, LogOr,
        // Return and ReturnValue; the linear list is the block list without control flow.
        assert_eq!((linear, block), (41, 54));
        assert!(ops
            .iter()
            .all(|op| !compiles(Tier::Linear, op) || compiles(Tier::Block, op)));
    }

    #[test]
    fn linear_stack_rules() {
        let consts = [Value::Int(1), Value::str("s")];
        let ok = |ops: &[Op]| linear_eligible(ops, &consts);
        assert!(ok(&[Op::LoadInt(40), Op::LoadInt(2), Op::Add]));
        assert!(ok(&[Op::LoadConst(0)]));
        assert!(!ok(&[Op::LoadConst(1)]), "string constant");
        assert!(!ok(&[Op::LoadConst(9)]), "missing constant");
        assert!(!ok(&[]));
        assert!(!ok(&[Op::LoadInt(1), Op::LoadInt(2)]), "two values left");
        assert!(!ok(&[Op::LoadInt(1), Op::Pop]), "no value left");
        assert!(!ok(&[Op::Add, Op::LoadInt(1)]), "reaches below the start");
        assert!(!ok(&[Op::Nop, Op::LoadInt(1)]));
        let deep: Vec<Op> = std::iter::repeat_n(Op::LoadInt(1), 257).collect();
        assert!(!ok(&deep));
        assert!(block_eligible(&[Op::Nop]) && !block_eligible(&[]));
        assert!(!block_eligible(&[Op::LoadInt(1), Op::Print(1)]));
    }
}
