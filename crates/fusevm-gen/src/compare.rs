//! Bit-exact chunk comparison for round-trip properties. `Chunk` has no `PartialEq`, and
//! `Op`'s / `Value`'s `==` would call `NaN != NaN` and `0.0 == -0.0`: here floats compare
//! by their bits, so a NaN payload or a zero's sign that is lost is caught.

use fusevm::{Chunk, Op, Value};

/// `None` if `a` and `b` are identical (ignoring `op_hash`, which is not serialized),
/// else a description of the first difference.
pub fn chunk_diff(a: &Chunk, b: &Chunk) -> Option<String> {
    chunk_diff_at(a, b, "chunk")
}

fn chunk_diff_at(a: &Chunk, b: &Chunk, at: &str) -> Option<String> {
    if a.ops.len() != b.ops.len() {
        return Some(format!("{at}: {} ops vs {}", a.ops.len(), b.ops.len()));
    }
    for (ip, (x, y)) in a.ops.iter().zip(&b.ops).enumerate() {
        if !op_identical(x, y) {
            return Some(format!("{at}: op {ip}: {x:?} vs {y:?}"));
        }
    }
    if a.constants.len() != b.constants.len() {
        return Some(format!(
            "{at}: {} constants vs {}",
            a.constants.len(),
            b.constants.len()
        ));
    }
    for (i, (x, y)) in a.constants.iter().zip(&b.constants).enumerate() {
        if !value_identical(x, y) {
            return Some(format!("{at}: constant {i}: {x:?} vs {y:?}"));
        }
    }
    let fields = [
        ("names", a.names != b.names),
        ("lines", a.lines != b.lines),
        ("sub_entries", a.sub_entries != b.sub_entries),
        ("block_ranges", a.block_ranges != b.block_ranges),
        ("source", a.source != b.source),
        ("sub_chunks count", a.sub_chunks.len() != b.sub_chunks.len()),
    ];
    if let Some((field, _)) = fields.iter().find(|(_, differ)| *differ) {
        return Some(format!("{at}: {field} differ"));
    }
    a.sub_chunks
        .iter()
        .zip(&b.sub_chunks)
        .enumerate()
        .find_map(|(i, (x, y))| chunk_diff_at(x, y, &format!("{at}.sub_chunks[{i}]")))
}

/// Same opcode and operands, floats by bits.
pub fn op_identical(a: &Op, b: &Op) -> bool {
    use fusevm::isa::OperandValue;
    a.opcode() == b.opcode()
        && a.operands()
            .as_slice()
            .iter()
            .zip(b.operands().as_slice())
            .all(|(x, y)| match (x, y) {
                (OperandValue::Float(f), OperandValue::Float(g)) => f.to_bits() == g.to_bits(),
                _ => x == y,
            })
}

/// Same variant and payload, floats by bits, hashes by key set.
pub fn value_identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| value_identical(p, q))
        }
        (Value::Hash(x), Value::Hash(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| value_identical(v, w)))
        }
        (Value::Ref(x), Value::Ref(y)) => value_identical(x, y),
        _ => std::mem::discriminant(a) == std::mem::discriminant(b) && a == b,
    }
}
