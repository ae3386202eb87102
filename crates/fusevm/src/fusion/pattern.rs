//! Template matching: the superinstruction templates, parsed once into patterns over
//! opcodes and operand bindings, and matched against a chunk's ops.

use super::{Insn, SUPERINSTRUCTIONS};
use crate::isa::{OpInfo, OperandValue, OP_COUNT};
use crate::Op;
use std::sync::OnceLock;

/// What a template says about one operand of one op.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bind {
    /// `{N}`: binds field N of the superinstruction.
    Field(usize),
    /// A literal the operand must equal.
    Literal(OperandValue),
}

/// Most fields a superinstruction may have (the matcher binds them in a fixed array).
const MAX_FIELDS: usize = 6;

#[derive(Debug)]
struct Pattern {
    /// Index into `SUPERINSTRUCTIONS`.
    index: usize,
    /// Per op: its opcode and what each operand binds.
    steps: Vec<(u8, Vec<Bind>)>,
    fields: usize,
}

/// Parsed patterns, grouped by the opcode of their first op, longest first.
struct Patterns {
    by_first: Vec<Vec<Pattern>>,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let mut by_first: Vec<Vec<Pattern>> = (0..OP_COUNT).map(|_| Vec::new()).collect();
        for (index, info) in SUPERINSTRUCTIONS.iter().enumerate() {
            // A template that does not parse is a table bug, caught by the tests; at run
            // time it only means that superinstruction is never used.
            if let Some(p) = parse(index, info.template, info.fields.len()) {
                by_first[p.steps[0].0 as usize].push(p);
            }
        }
        for group in &mut by_first {
            // Stable: equally long templates keep table order.
            group.sort_by_key(|p| std::cmp::Reverse(p.steps.len()));
        }
        Patterns { by_first }
    })
}

/// Parses `"get_slot {0}; load_int 1; add"`; `None` if any part is malformed or a field
/// is out of range or never bound.
fn parse(index: usize, template: &str, fields: usize) -> Option<Pattern> {
    let mut steps = Vec::new();
    let mut bound = vec![false; fields];
    for part in template.split(';') {
        let part = part.trim();
        let (mnemonic, args) = part.split_once(' ').unwrap_or((part, ""));
        let (opcode, info) = OpInfo::by_mnemonic(mnemonic)?;
        let mut binds = Vec::new();
        for arg in args.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let bind = match arg.strip_prefix('{').and_then(|a| a.strip_suffix('}')) {
                Some(n) => {
                    let n: usize = n.parse().ok()?;
                    *bound.get_mut(n)? = true;
                    Bind::Field(n)
                }
                None => Bind::Literal(OperandValue::Int(arg.parse().ok()?)),
            };
            binds.push(bind);
        }
        if binds.len() != info.operands.len() {
            return None;
        }
        steps.push((opcode, binds));
    }
    if steps.is_empty() || bound.contains(&false) {
        return None;
    }
    Some(Pattern { index, steps, fields })
}

impl Pattern {
    /// The superinstruction for `ops[ip..]`, if this pattern matches there.
    fn matches(&self, ops: &[Op], ip: usize) -> Option<Insn> {
        let mut values: [Option<OperandValue>; MAX_FIELDS] = [None; MAX_FIELDS];
        let values = values.get_mut(..self.fields)?;
        for (j, (opcode, binds)) in self.steps.iter().enumerate() {
            let op = ops.get(ip + j)?;
            if op.opcode() != *opcode {
                return None;
            }
            let operands = op.operands();
            for (bind, &v) in binds.iter().zip(operands.as_slice()) {
                match *bind {
                    Bind::Literal(lit) if lit != v => return None,
                    Bind::Literal(_) => {}
                    Bind::Field(n) => match values[n] {
                        Some(prev) if prev != v => return None,
                        _ => values[n] = Some(v),
                    },
                }
            }
        }
        let values: Vec<OperandValue> = values.iter().map(|v| v.unwrap_or(OperandValue::Int(0))).collect();
        Insn::superinstruction(self.index, &values)
    }
}

/// The best superinstruction at `ip` (longest template first): its table index and the
/// instruction.
pub(super) fn best_match(ops: &[Op], ip: usize) -> Option<(usize, Insn)> {
    let first = ops.get(ip)?.opcode() as usize;
    patterns()
        .by_first
        .get(first)?
        .iter()
        .find_map(|p| p.matches(ops, ip).map(|insn| (p.index, insn)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_binds_every_field() {
        for (index, info) in SUPERINSTRUCTIONS.iter().enumerate() {
            let p = parse(index, info.template, info.fields.len());
            assert!(
                p.is_some(),
                "template of {} does not parse: {:?}",
                info.name,
                info.template
            );
            assert!(
                info.fields.len() <= MAX_FIELDS,
                "{}: the matcher binds at most {MAX_FIELDS} fields",
                info.name
            );
        }
    }

    #[test]
    fn malformed_templates_are_rejected() {
        assert!(parse(0, "no_such_op", 0).is_none());
        assert!(parse(0, "get_slot", 0).is_none(), "operand missing");
        assert!(parse(0, "get_slot {1}", 1).is_none(), "field out of range");
        assert!(parse(0, "get_slot 3", 1).is_none(), "field never bound");
        assert!(parse(0, "get_slot x", 0).is_none(), "bad literal");
    }

    #[test]
    fn operands_that_do_not_fit_the_field_are_not_fused() {
        // load_int binds an i32 field: 2^31 does not fit.
        let ops = [Op::GetSlot(0), Op::LoadInt(1 << 31), Op::Add, Op::SetSlot(0)];
        assert_eq!(best_match(&ops, 0), None);
        let ops = [Op::GetSlot(0), Op::LoadInt(-(1 << 31)), Op::Add, Op::SetSlot(0)];
        assert!(matches!(
            best_match(&ops, 0),
            Some((_, Insn::SlotIntAddToSlot(0, i32::MIN, 0)))
        ));
    }

    #[test]
    fn longest_template_wins_and_truncated_sequences_fall_back() {
        let ops = [Op::GetSlot(1), Op::GetSlot(2), Op::Add, Op::SetSlot(3)];
        assert!(matches!(
            best_match(&ops, 0),
            Some((_, Insn::SlotSlotAddToSlot(1, 2, 3)))
        ));
        assert!(matches!(
            best_match(&ops[..3], 0),
            Some((_, Insn::SlotSlotAdd(1, 2)))
        ));
        assert_eq!(best_match(&ops[..2], 0), None);
        assert!(matches!(best_match(&ops, 2), Some((_, Insn::AddToSlot(3)))));
    }
}
