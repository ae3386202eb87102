//! The tables `fusevm stats` prints: executions per op from per-instruction counts, and
//! labelled counts with their share of a total. Pure functions over plain data, so they
//! are tested without a VM (the dynamic pairs and triples come from `fusevm::profile`).

use fusevm::Op;
use std::collections::HashMap;

/// Executions per mnemonic, hottest first (ties by name); ops that never ran are left out.
pub fn op_counts(ops: &[Op], ip_counts: &[u64]) -> Vec<(String, u64)> {
    let mut by_op: HashMap<&'static str, u64> = HashMap::new();
    for (op, &n) in ops.iter().zip(ip_counts) {
        if n > 0 {
            *by_op.entry(op.mnemonic()).or_default() += n;
        }
    }
    sorted(by_op.into_iter().map(|(k, v)| (k.to_string(), v)))
}

fn sorted(rows: impl IntoIterator<Item = (String, u64)>) -> Vec<(String, u64)> {
    let mut rows: Vec<(String, u64)> = rows.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// A table of the first `top` rows: count, share of `total`, label.
pub fn table(rows: &[(String, u64)], total: u64, top: usize) -> String {
    let mut out = String::new();
    let width = rows
        .iter()
        .take(top)
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(1);
    for (label, n) in rows.iter().take(top) {
        let share = if total == 0 {
            0.0
        } else {
            100.0 * *n as f64 / total as f64
        };
        out.push_str(&format!("  {n:>width$}  {share:5.1}%  {label}\n"));
    }
    if rows.len() > top {
        out.push_str(&format!("  ... {} more\n", rows.len() - top));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sum = 0; i = 0; while i < 3 { sum += i; i += 1 }: ip counts written by hand.
    fn loop_program() -> (Vec<Op>, Vec<u64>) {
        let ops = vec![
            Op::LoadInt(0),              // 0: once
            Op::SetSlot(0),              // 1: once
            Op::GetSlot(1),              // 2: 4 (3 iterations + exit test)
            Op::LoadInt(3),              // 3: 4
            Op::NumLt,                   // 4: 4
            Op::JumpIfFalse(9),          // 5: 4
            Op::AddAssignSlotVoid(0, 1), // 6: 3
            Op::PreIncSlotVoid(1),       // 7: 3
            Op::Jump(2),                 // 8: 3
            Op::GetSlot(0),              // 9: once
        ];
        let counts = vec![1, 1, 4, 4, 4, 4, 3, 3, 3, 1];
        (ops, counts)
    }

    #[test]
    fn op_counts_sum_per_mnemonic_hottest_first() {
        let (ops, counts) = loop_program();
        let rows = op_counts(&ops, &counts);
        assert_eq!(rows[0], ("get_slot".to_string(), 5));
        assert_eq!(rows.iter().find(|r| r.0 == "load_int").map(|r| r.1), Some(5));
        assert_eq!(rows.iter().find(|r| r.0 == "jump").map(|r| r.1), Some(3));
        assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), counts.iter().sum::<u64>());
    }

    #[test]
    fn ops_that_never_ran_are_left_out() {
        let (ops, mut counts) = loop_program();
        counts[9] = 0;
        counts[0] = 0;
        let rows = op_counts(&ops, &counts);
        assert_eq!(rows.iter().find(|r| r.0 == "load_int").map(|r| r.1), Some(4));
        // get_slot 1 at ip 2 still ran
        assert_eq!(rows.iter().find(|r| r.0 == "get_slot").map(|r| r.1), Some(4));
    }

    #[test]
    fn short_or_mismatched_inputs_do_not_panic() {
        let (ops, counts) = loop_program();
        assert!(op_counts(&[], &counts).is_empty());
        // More ops than counts: the ops without a count are left out.
        let rows = op_counts(&ops, &counts[..2]);
        assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), counts[0] + counts[1]);
    }

    #[test]
    fn table_cuts_at_top_and_counts_the_rest() {
        let rows = vec![("a".to_string(), 3), ("b".to_string(), 1)];
        let text = table(&rows, 4, 1);
        assert!(text.contains("75.0%  a"), "{text}");
        assert!(text.contains("... 1 more"), "{text}");
        assert!(!text.contains(" b\n"), "{text}");
    }
}
