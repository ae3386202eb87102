//! Tests of the assembler, the disassembler and value literals: a round trip over every op
//! in the table with edge-value operands, hand-written sources with known chunks, located
//! errors, and no-panic properties on arbitrary text.

use super::*;
use crate::isa::{OpInfo, OperandKind, OperandValue, OP_INFO};
use crate::{Op, Value};
use proptest::prelude::*;
use std::collections::HashSet;

mod errors;
mod values;

/// Asserts two values are identical, floats compared by bits.
pub(super) fn assert_value_eq(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => assert_eq!(x.to_bits(), y.to_bits(), "{at}: {x:?} vs {y:?}"),
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: array lengths");
            for (i, (p, q)) in x.iter().zip(y.iter()).enumerate() {
                assert_value_eq(p, q, &format!("{at}[{i}]"));
            }
        }
        (Value::Hash(x), Value::Hash(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: hash sizes");
            for (k, p) in x.iter() {
                let q = y.get(k).unwrap_or_else(|| panic!("{at}: key {k:?} missing"));
                assert_value_eq(p, q, &format!("{at}{{{k:?}}}"));
            }
        }
        (Value::Ref(x), Value::Ref(y)) => assert_value_eq(x, y, &format!("{at}.ref")),
        _ => assert_eq!(a, b, "{at}"),
    }
}

/// Asserts two ops are identical: same opcode and operands, floats by bits.
fn assert_op_eq(a: &Op, b: &Op, at: &str) {
    assert_eq!(a.opcode(), b.opcode(), "{at}: {a:?} vs {b:?}");
    for (x, y) in a.operands().as_slice().iter().zip(b.operands().as_slice()) {
        match (x, y) {
            (OperandValue::Float(p), OperandValue::Float(q)) => {
                assert_eq!(p.to_bits(), q.to_bits(), "{at}: {a:?} vs {b:?}")
            }
            _ => assert_eq!(x, y, "{at}: {a:?} vs {b:?}"),
        }
    }
}

/// Asserts two chunks are identical field by field (`op_hash` aside), recursively.
fn assert_chunk_eq(a: &Chunk, b: &Chunk, at: &str) {
    assert_eq!(a.ops.len(), b.ops.len(), "{at}: op count");
    for (i, (x, y)) in a.ops.iter().zip(&b.ops).enumerate() {
        assert_op_eq(x, y, &format!("{at} op {i}"));
    }
    assert_eq!(a.constants.len(), b.constants.len(), "{at}: constant count");
    for (i, (x, y)) in a.constants.iter().zip(&b.constants).enumerate() {
        assert_value_eq(x, y, &format!("{at} const {i}"));
    }
    assert_eq!(a.names, b.names, "{at}: names");
    assert_eq!(a.lines, b.lines, "{at}: lines");
    assert_eq!(a.sub_entries, b.sub_entries, "{at}: sub_entries");
    assert_eq!(a.block_ranges, b.block_ranges, "{at}: block_ranges");
    assert_eq!(a.source, b.source, "{at}: source");
    assert_eq!(a.sub_chunks.len(), b.sub_chunks.len(), "{at}: sub-chunk count");
    for (i, (x, y)) in a.sub_chunks.iter().zip(&b.sub_chunks).enumerate() {
        assert_chunk_eq(x, y, &format!("{at}.sub[{i}]"));
    }
}

/// Disassembles, assembles back, compares, and checks the text is stable.
fn round_trip(chunk: &Chunk) {
    let text = disassemble(chunk);
    let back = assemble(&text, "rt.fasm").unwrap_or_else(|e| panic!("{e}\n--- text ---\n{text}"));
    assert_chunk_eq(chunk, &back, "round trip");
    assert_eq!(disassemble(&back), text, "disassembling again changed the text");
}

pub(super) fn nan_with_payload() -> f64 {
    f64::from_bits(0x7ff8_0000_0000_0001)
}

const FLOAT_SAMPLES: [f64; 11] = [
    0.0,
    -0.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e21,
    1.5,
    -2.5e-300,
    5e-324,
    f64::MAX,
    1e-7,
];

/// Every value an operand of `kind` at position `i` of `opcode` is sampled with: edge values
/// of whatever Rust type the op accepts there (probed through `Op::from_operands`).
fn operand_samples(opcode: u8, arity: usize, i: usize, kind: OperandKind, len: usize) -> Vec<OperandValue> {
    match kind {
        OperandKind::Float => {
            let mut v: Vec<_> = FLOAT_SAMPLES.iter().map(|&f| OperandValue::Float(f)).collect();
            v.push(OperandValue::Float(nan_with_payload()));
            v.push(OperandValue::Float(-f64::NAN));
            v
        }
        OperandKind::Target => [0, 1, len, len + 1, usize::MAX]
            .iter()
            .map(|&t| OperandValue::Int(t as i128))
            .collect(),
        _ => {
            let candidates: [i128; 13] = [
                0,
                1,
                -1,
                u8::MAX as i128,
                u8::MAX as i128 + 1,
                u16::MAX as i128,
                u16::MAX as i128 + 1,
                i32::MIN as i128,
                i32::MAX as i128,
                i64::MIN as i128,
                i64::MAX as i128,
                usize::MAX as i128,
                12345,
            ];
            candidates
                .iter()
                .map(|&n| OperandValue::Int(n))
                .filter(|&v| {
                    let mut probe = vec![OperandValue::Int(0); arity];
                    probe[i] = v;
                    Op::from_operands(opcode, &probe).is_ok()
                })
                .collect()
        }
    }
}

/// One op per sampled operand value of every op in the table (other operands at 0).
fn all_op_samples(len: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    for (opcode, info) in OP_INFO.iter().enumerate() {
        let opcode = opcode as u8;
        let arity = info.operands.len();
        let zeros = vec![OperandValue::Int(0); arity];
        ops.push(Op::from_operands(opcode, &zeros).expect("zero operands build every op"));
        for (i, &(_, kind)) in info.operands.iter().enumerate() {
            for v in operand_samples(opcode, arity, i, kind, len) {
                let mut values = zeros.clone();
                values[i] = v;
                ops.push(Op::from_operands(opcode, &values).expect("sampled operand is in range"));
            }
        }
    }
    ops
}

pub(super) fn interesting_values() -> Vec<Value> {
    let mut hash = crate::value::ValueMap::default();
    hash.insert(
        "b".to_string(),
        Value::array(vec![Value::Bool(true), Value::Undef]),
    );
    hash.insert("a \"q\"".to_string(), Value::Float(-0.0));
    vec![
        Value::Undef,
        Value::Bool(true),
        Value::Bool(false),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Float(f64::NAN),
        Value::Float(nan_with_payload()),
        Value::Float(-0.0),
        Value::Float(f64::NEG_INFINITY),
        Value::Float(1e21),
        Value::str(""),
        Value::str("tab\there \"quoted\" back\\slash nl\n nul\0 bell\u{7} é ; not a comment"),
        Value::array(vec![]),
        Value::array(vec![Value::Int(1), Value::array(vec![Value::str("x")])]),
        Value::Hash(Box::new(hash)),
        Value::Hash(Box::default()),
        Value::Status(-3),
        Value::Status(i32::MAX),
        Value::Ref(Box::new(Value::Ref(Box::new(Value::Int(7))))),
        Value::NativeFn(65535),
    ]
}

/// A chunk holding every op with edge operands, full pools (65536 names and constants, so
/// every `u16` index is in range), varied lines, and every table.
fn all_ops_chunk() -> Chunk {
    let len = all_op_samples(0).len();
    let ops = all_op_samples(len);
    assert_eq!(ops.len(), len);
    let mut names: Vec<String> = (0..65536).map(|i| format!("n{i}")).collect();
    names[1] = "has space".into();
    names[2] = String::new();
    names[3] = "123".into();
    names[4] = "n0".into(); // a duplicate: index 4 must be written as an integer
    names[5] = "q\"\n".into();
    let mut constants = interesting_values();
    constants.extend((constants.len() as i64..65536).map(Value::Int));
    let lines = (0..len)
        .map(|ip| if ip == 7 { u32::MAX } else { (ip / 3) as u32 })
        .collect();
    let sub = Chunk {
        ops: vec![Op::Jump(1), Op::LoadConst(0), Op::Call(0, 2)],
        constants: vec![Value::str("inner")],
        names: vec!["f".into(), "g".into()],
        lines: vec![1, 1, 1],
        // Not in op order: must be written as `.entry` rows.
        sub_entries: vec![(1, 2), (0, 0), (9, 99)],
        sub_chunks: vec![
            Chunk::default(),
            Chunk {
                source: "deep.sh".into(),
                ..Chunk::default()
            },
        ],
        ..Chunk::default()
    };
    Chunk {
        ops,
        constants,
        names,
        lines,
        sub_entries: vec![(0, 0), (6, 3), (6, 10), (7, len)],
        block_ranges: vec![(0, 5), (usize::MAX, 0)],
        sub_chunks: vec![sub],
        source: "all ops.fasm".into(),
        op_hash: 0,
    }
}

#[test]
fn mnemonics_are_unique_identifiers_and_found_by_lookup() {
    let mut seen = HashSet::new();
    for (i, info) in OP_INFO.iter().enumerate() {
        assert!(seen.insert(info.mnemonic), "duplicate mnemonic {}", info.mnemonic);
        assert!(
            super::lexer::is_ident(info.mnemonic),
            "{} is no identifier",
            info.mnemonic
        );
        assert_eq!(
            OpInfo::by_mnemonic(info.mnemonic).map(|(op, _)| op as usize),
            Some(i)
        );
    }
    assert_eq!(seen.len(), 134);
}

#[test]
fn every_op_round_trips_with_edge_operands() {
    let chunk = all_ops_chunk();
    // Every op of the table is in the sample chunk.
    let opcodes: HashSet<u8> = chunk.ops.iter().map(Op::opcode).collect();
    assert_eq!(opcodes.len(), OP_INFO.len());
    round_trip(&chunk);
}

#[test]
fn each_op_round_trips_alone() {
    for op in all_op_samples(1) {
        let chunk = Chunk {
            ops: vec![op],
            lines: vec![1],
            constants: vec![Value::Int(0); 2],
            names: vec!["a".into(), "b".into()],
            ..Chunk::default()
        };
        let text = disassemble(&chunk);
        let back = assemble(&text, "one.fasm").unwrap_or_else(|e| panic!("{op:?}: {e}\n{text}"));
        assert_chunk_eq(&chunk, &back, &format!("{op:?}"));
    }
}

#[test]
fn disassembly_uses_labels_names_and_funcs() {
    let chunk = Chunk {
        ops: vec![
            Op::GetVar(0),
            Op::JumpIfFalse(3),
            Op::Call(1, 0),
            Op::Jump(2),
            Op::Jump(9),
        ],
        constants: vec![],
        names: vec!["x".into(), "my func".into()],
        lines: vec![1, 1, 2, 2, 3],
        sub_entries: vec![(1, 2)],
        source: "t.fasm".into(),
        ..Chunk::default()
    };
    let text = disassemble(&chunk);
    for needle in [
        ".source \"t.fasm\"",
        "get_var x",
        "jump_if_false L3",
        ".func \"my func\"",
        "L2:",
        "call \"my func\", 0",
        "jump L2",
        "jump 9",
        ".line 3",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(!text.contains(".entry"), "{text}");
    round_trip(&chunk);
}

#[test]
fn hand_written_source_builds_the_expected_chunk() {
    let src = "\
; a comment line
.name x
start: load_const \"hi\"   ; inline constant
    load_const 0
    get_var x
    set_var \"y\"
    get_var 0x5
    jump_if_false end
    load_float -0.0
.line 100
    slot_lt_int_jump_if_false 1 -7 start
    call y, 2
.func y
    load_const [1, 2.5, {\"k\": status(3)}]
.line 7
end:
    load_float 3
.sub
    .const 1
    jump here
    here: load_const 0
.end
";
    let chunk = assemble(src, "hand.fasm").unwrap_or_else(|e| panic!("{e}"));
    let expected_ops = [
        Op::LoadConst(0),
        Op::LoadConst(0),
        Op::GetVar(0),
        Op::SetVar(1),
        Op::GetVar(5),
        Op::JumpIfFalse(10),
        Op::LoadFloat(-0.0),
        Op::SlotLtIntJumpIfFalse(1, -7, 0),
        Op::Call(1, 2),
        Op::LoadConst(1),
        Op::LoadFloat(3.0),
    ];
    assert_eq!(chunk.ops.len(), expected_ops.len());
    for (i, (a, b)) in chunk.ops.iter().zip(&expected_ops).enumerate() {
        assert_op_eq(a, b, &format!("op {i}"));
    }
    assert_eq!(chunk.lines, vec![3, 4, 5, 6, 7, 8, 9, 100, 100, 100, 7]);
    assert_eq!(chunk.names, vec!["x".to_string(), "y".to_string()]);
    assert_eq!(chunk.sub_entries, vec![(1, 9)]);
    assert_eq!(chunk.source, "hand.fasm");
    assert_eq!(chunk.constants.len(), 2);
    assert_eq!(chunk.constants[0], Value::str("hi"));
    assert_eq!(format_value(&chunk.constants[1]), "[1, 2.5, {\"k\": status(3)}]");
    assert_eq!(chunk.op_hash, chunk.compute_op_hash());
    let sub = &chunk.sub_chunks[0];
    assert_eq!(sub.ops, vec![Op::Jump(1), Op::LoadConst(0)]);
    assert_eq!(sub.constants, vec![Value::Int(1)]);
    assert_eq!(sub.lines, vec![20, 21]);
    assert_eq!(sub.source, "");
    round_trip(&chunk);
}

#[test]
fn names_are_interned_and_dot_name_appends() {
    let chunk = assemble(
        ".name a\n.name a\nget_var a\nset_var b\nget_var \"a\"\n.func b\n",
        "n",
    )
    .unwrap();
    assert_eq!(chunk.names, vec!["a", "a", "b"]);
    assert_eq!(chunk.ops, vec![Op::GetVar(0), Op::SetVar(2), Op::GetVar(0)]);
    assert_eq!(chunk.sub_entries, vec![(2, 3)]);
    round_trip(&chunk);
}

#[test]
fn disassembling_odd_chunks_does_not_panic() {
    let chunk = Chunk {
        ops: vec![Op::Jump(usize::MAX), Op::Call(40, 1), Op::LoadConst(9)],
        lines: vec![1],
        sub_entries: vec![(50, 70)],
        ..Chunk::default()
    };
    let text = disassemble(&chunk);
    let back = assemble(&text, "odd").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back.ops, chunk.ops);
    assert_eq!(back.sub_entries, chunk.sub_entries);
}

/// Text made of fragments the grammar knows, so random lines reach deep into the parser.
fn fragment() -> impl Strategy<Value = String> {
    let mnemonics: Vec<String> = OP_INFO.iter().map(|i| i.mnemonic.to_string()).collect();
    prop_oneof![
        proptest::sample::select(mnemonics),
        proptest::sample::select(vec![
            ".sub",
            ".end",
            ".name",
            ".const",
            ".func",
            ".entry",
            ".line",
            ".source",
            ".block_range",
            "L0:",
            "x:",
            "x",
            ",",
            "[",
            "]",
            "{",
            "}",
            "(",
            ")",
            ":",
            "\"s\"",
            "\"",
            "\\u{",
            "-",
            "0x",
            "1e9",
            "NaN",
            "-0.0",
            "status(",
            "ref(",
            "bits(",
            "65536",
            "-1",
            "0",
            "255",
            "\n",
            ";",
            "\u{e9}",
            "\t",
        ])
        .prop_map(str::to_string),
        any::<i64>().prop_map(|n| n.to_string()),
        "[ -~]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_accepted_text_round_trips(
        parts in proptest::collection::vec(fragment(), 0..40),
        seps in proptest::collection::vec(proptest::sample::select(vec![" ", "\n", ", "]), 40),
    ) {
        let mut src = String::new();
        for (p, s) in parts.iter().zip(&seps) {
            src.push_str(p);
            src.push_str(s);
        }
        let _ = parse_value(&src);
        if let Ok(chunk) = assemble(&src, "fuzz") {
            round_trip(&chunk);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(src in "\\PC{0,200}") {
        let _ = parse_value(&src);
        if let Ok(chunk) = assemble(&src, "fuzz") {
            round_trip(&chunk);
        }
    }
}
