//! Chunk files (`fusevm::chunk_file`): exact round trips, and every kind of damage —
//! truncation at every length, every single-bit flip, wrong magic and version, bad
//! checksums, trailing bytes, and hostile payloads with a valid checksum (huge lengths,
//! deep nesting, overlong varints, bad UTF-8, unknown opcodes and tags) — is an error,
//! never a panic, a huge allocation or a stack overflow.
//!
//! Hostile payloads are written byte by byte from the documented layout, and their header
//! (including the CRC over bytes 0..16 and the payload) is built here from that layout, so
//! these tests also pin the format.

use fusevm::asm::{assemble, disassemble};
use fusevm::chunk_file::{decode, decode_unverified, encode, ChunkFileError, FORMAT_VERSION, MAGIC};
use fusevm::isa::{OperandKind, OperandValue, OP_INFO};
use fusevm::{Chunk, ChunkBuilder, Op, Value};
use std::collections::HashMap;

/// A chunk file around `payload`, with the header the format documents.
fn file_with_payload(payload: &[u8]) -> Vec<u8> {
    file_with(FORMAT_VERSION, payload)
}

fn file_with(version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    let mut h = crc32fast::Hasher::new();
    h.update(&out);
    h.update(payload);
    out.extend_from_slice(&h.finalize().to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Rewrites the CRC of a file after its header or payload was edited.
fn fix_checksum(file: &mut [u8]) {
    let mut h = crc32fast::Hasher::new();
    h.update(&file[..16]);
    h.update(&file[20..]);
    let crc = h.finalize();
    file[16..20].copy_from_slice(&crc.to_le_bytes());
}

/// The payload of an empty chunk: empty source and seven empty counts.
const EMPTY_CHUNK: [u8; 8] = [0; 8];

/// A small program with a bit of everything: names, constants, a function, lines.
fn small_chunk() -> Chunk {
    let text = "\
        load_const \"hi\"\n\
        load_int -3\n\
        call f, 1\n\
        jump end\n\
    .func f\n\
        set_slot 0\n\
        get_slot 0\n\
        return_value\n\
    end:\n";
    assemble(text, "small.fasm").expect("assembles")
}

/// A chunk exercising every value kind, nesting, all tables and nested sub-chunks.
fn rich_chunk() -> Chunk {
    let mut hash = HashMap::new();
    hash.insert("b".to_string(), Value::array(vec![Value::Int(1), Value::Undef]));
    hash.insert("a".to_string(), Value::Ref(Box::new(Value::str("é\u{1F600}\0"))));
    hash.insert(String::new(), Value::Hash(Box::default()));
    let mut inner = ChunkBuilder::new();
    inner.emit(Op::LoadConst(0), 7);
    inner.add_constant(Value::str("inner"));
    let mut deeper = ChunkBuilder::new();
    deeper.emit(Op::Nop, 1);
    inner.add_sub_chunk(deeper.build());
    let mut b = ChunkBuilder::new();
    b.set_source("rich.src");
    for v in [
        Value::Undef,
        Value::Bool(true),
        Value::Bool(false),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Float(-0.0),
        Value::Float(f64::from_bits(0x7ff8_0000_0000_0001)),
        Value::Float(f64::INFINITY),
        Value::str(""),
        Value::str("x".repeat(300)),
        Value::hash(hash),
        Value::Status(i32::MIN),
        Value::NativeFn(u16::MAX),
        Value::array(vec![Value::array(vec![Value::array(vec![])])]),
    ] {
        b.add_constant(v);
    }
    let f = b.add_name("f");
    b.add_name("with space");
    b.emit(Op::LoadConst(13), 1);
    b.emit(Op::LoadFloat(f64::from_bits(0xfff0_0000_0000_0001)), 2);
    b.emit(Op::CmdSubst(0), u32::MAX);
    b.emit(Op::Call(f, 0), 0);
    b.emit(Op::ExtendedWide(9, usize::MAX), 5);
    b.emit(Op::SlotIncLtIntJumpBack(3, i32::MIN, 0), 6);
    b.add_sub_entry(f, 6);
    b.emit(Op::ReturnValue, 6);
    b.add_block_range(0, 6);
    b.add_sub_chunk(inner.build());
    b.build()
}

#[test]
fn header_is_the_documented_layout() {
    let bytes = encode(&small_chunk());
    assert_eq!(&bytes[..8], b"\x89FVM\r\n\x1a\n");
    assert_eq!(&bytes[8..12], &1u32.to_le_bytes());
    let len = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
    assert_eq!(bytes.len(), 20 + len);
    assert_eq!(
        file_with_payload(&bytes[20..]),
        bytes,
        "CRC over bytes 0..16 then the payload"
    );
}

#[test]
fn empty_chunk_is_the_documented_payload() {
    let bytes = encode(&Chunk::new());
    assert_eq!(&bytes[20..], &EMPTY_CHUNK);
    let chunk = decode(&bytes).expect("decodes");
    assert!(chunk.ops.is_empty() && chunk.sub_chunks.is_empty());
}

#[test]
fn round_trip_is_exact_and_canonical() {
    for chunk in [small_chunk(), rich_chunk(), Chunk::new()] {
        let bytes = encode(&chunk);
        let back = decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(encode(&back), bytes, "decode then encode gives the same bytes");
        assert_eq!(disassemble(&back), disassemble(&chunk));
        assert_eq!(back.op_hash, chunk.compute_op_hash(), "op_hash is recomputed");
        assert_eq!(back.lines, chunk.lines);
        assert_eq!(back.sub_entries, chunk.sub_entries);
        assert_eq!(back.block_ranges, chunk.block_ranges);
        assert_eq!(back.source, chunk.source);
        assert_eq!(back.names, chunk.names);
        assert_eq!(back.constants.len(), chunk.constants.len());
        for (a, b) in back.constants.iter().zip(&chunk.constants) {
            assert_eq!(fusevm::asm::format_value(a), fusevm::asm::format_value(b));
        }
    }
    let rich = decode(&encode(&rich_chunk())).expect("decodes");
    assert_eq!(rich.sub_chunks[0].sub_chunks[0].ops, vec![Op::Nop]);
    assert_eq!(rich.sub_chunks[0].lines, vec![7]);
    match rich.ops[1] {
        Op::LoadFloat(f) => assert_eq!(f.to_bits(), 0xfff0_0000_0000_0001),
        other => panic!("{other:?}"),
    }
}

#[test]
fn encoding_is_deterministic_for_hashes() {
    // Hash iteration order is random per map; the file must not be.
    let build = || {
        let mut m = HashMap::new();
        for i in 0..50 {
            m.insert(format!("k{i}"), Value::Int(i));
        }
        let mut b = ChunkBuilder::new();
        b.add_constant(Value::hash(m));
        b.build()
    };
    assert_eq!(encode(&build()), encode(&build()));
}

/// The largest and smallest value each integer operand accepts, and special floats.
fn extreme_operands(opcode: u8) -> Vec<Vec<OperandValue>> {
    let info = &OP_INFO[opcode as usize];
    let candidates: [i128; 7] = [
        0,
        u8::MAX as i128,
        u16::MAX as i128,
        i32::MIN as i128,
        i32::MAX as i128,
        i64::MIN as i128,
        usize::MAX as i128,
    ];
    let mut variants = Vec::new();
    for pick in 0..candidates.len() {
        let values: Vec<OperandValue> = info
            .operands
            .iter()
            .enumerate()
            .map(|(i, &(_, kind))| {
                if kind == OperandKind::Float {
                    return OperandValue::Float([-0.0, f64::NAN, f64::NEG_INFINITY, 1e300][(pick + i) % 4]);
                }
                // The candidates this operand's type accepts (the others at 0), rotating
                // per operand so every bound shows up.
                let mut ok: Vec<i128> = candidates
                    .iter()
                    .copied()
                    .filter(|&v| {
                        let mut probe = vec![OperandValue::Int(0); info.operands.len()];
                        probe[i] = OperandValue::Int(v);
                        Op::from_operands(opcode, &probe).is_ok()
                    })
                    .collect();
                ok.sort_unstable();
                OperandValue::Int(ok[(pick + i) % ok.len()])
            })
            .collect();
        variants.push(values);
    }
    variants
}

#[test]
fn every_op_round_trips_at_the_extremes_of_its_operands() {
    let mut chunk = Chunk::new();
    for opcode in 0..OP_INFO.len() as u8 {
        for values in extreme_operands(opcode) {
            let op = Op::from_operands(opcode, &values).unwrap_or_else(|e| panic!("{e}"));
            chunk.ops.push(op);
            chunk.lines.push(chunk.ops.len() as u32);
        }
    }
    let bytes = encode(&chunk);
    // Indices point nowhere, so this chunk does not verify; the encoding still round-trips.
    assert!(matches!(decode(&bytes), Err(ChunkFileError::Verify { .. })));
    let back = decode_unverified(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.ops.len(), chunk.ops.len());
    for (a, b) in back.ops.iter().zip(&chunk.ops) {
        // Compare through the operand values so NaN payloads compare by bits.
        assert_eq!(a.opcode(), b.opcode());
        for (x, y) in a.operands().as_slice().iter().zip(b.operands().as_slice()) {
            match (x, y) {
                (OperandValue::Float(p), OperandValue::Float(q)) => assert_eq!(p.to_bits(), q.to_bits()),
                _ => assert_eq!(x, y, "{b:?}"),
            }
        }
    }
    assert_eq!(encode(&back), bytes);
}

#[test]
fn truncation_at_every_length_is_an_error() {
    let bytes = encode(&small_chunk());
    assert!(bytes.len() > 40, "a file long enough to cut in the payload");
    for len in 0..bytes.len() {
        match decode(&bytes[..len]) {
            Err(ChunkFileError::Truncated { expected, found }) => {
                assert_eq!(found, len as u64);
                assert!(expected > found, "len {len}: expected {expected}");
            }
            other => panic!("len {len}: {other:?}"),
        }
    }
    assert!(decode(&bytes).is_ok());
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut bytes = encode(&small_chunk());
    bytes.push(0);
    assert!(matches!(
        decode(&bytes),
        Err(ChunkFileError::TrailingBytes { expected, found }) if found == expected + 1
    ));
}

#[test]
fn every_single_bit_flip_is_caught_by_the_right_check() {
    let bytes = encode(&small_chunk());
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut bad = bytes.clone();
            bad[i] ^= 1 << bit;
            let err = decode(&bad).expect_err("a flipped bit must not load");
            let ok = match i {
                0..=7 => matches!(err, ChunkFileError::BadMagic { .. }),
                8..=11 => matches!(err, ChunkFileError::UnsupportedVersion { .. }),
                12..=15 => matches!(
                    err,
                    ChunkFileError::Truncated { .. } | ChunkFileError::TrailingBytes { .. }
                ),
                _ => matches!(err, ChunkFileError::ChecksumMismatch { .. }),
            };
            assert!(ok, "byte {i} bit {bit}: {err:?}");
        }
    }
}

#[test]
fn wrong_magic_and_version_are_reported_as_such() {
    let mut bytes = encode(&small_chunk());
    bytes[1] = b'X';
    let err = decode(&bytes).expect_err("bad magic");
    assert!(matches!(&err, ChunkFileError::BadMagic { found } if found[1] == b'X'));
    assert!(err.to_string().contains("not a fusevm chunk file"), "{err}");

    let other = file_with(FORMAT_VERSION + 1, &EMPTY_CHUNK);
    let err = decode(&other).expect_err("future version");
    assert_eq!(
        err,
        ChunkFileError::UnsupportedVersion {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION
        }
    );
    assert!(err.to_string().contains("version 2"), "{err}");

    assert!(matches!(
        decode(b""),
        Err(ChunkFileError::Truncated { found: 0, .. })
    ));
    assert!(matches!(decode(b"; text"), Err(ChunkFileError::BadMagic { .. })));
}

#[test]
fn bad_checksum_is_reported_with_both_values() {
    let mut bytes = encode(&small_chunk());
    bytes[16] ^= 0xff;
    let err = decode(&bytes).expect_err("bad checksum");
    let ChunkFileError::ChecksumMismatch { stored, computed } = err else {
        panic!("{err:?}");
    };
    assert_ne!(stored, computed);
    assert!(err.to_string().contains("corrupted"), "{err}");
}

/// Asserts a payload (with a valid header and checksum) is refused as malformed, with a
/// message containing `what`.
fn assert_malformed(payload: &[u8], what: &str) {
    match decode(&file_with_payload(payload)) {
        Err(e @ ChunkFileError::Malformed { .. }) => {
            let text = e.to_string();
            assert!(text.contains(what), "expected `{what}` in: {text}");
        }
        other => panic!("payload {payload:02x?}: expected Malformed ({what}), got {other:?}"),
    }
}

/// Unsigned LEB128, for building hostile payloads.
fn uvar(mut n: u128) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// A chunk payload whose constant pool holds the one encoded value `value`.
fn with_constant(value: &[u8]) -> Vec<u8> {
    let mut p = vec![0, 0, 1];
    p.extend_from_slice(value);
    p.extend_from_slice(&[0; 5]);
    p
}

#[test]
fn hostile_lengths_are_refused_before_allocating() {
    // Source length 2^60.
    let mut p = uvar(1 << 60);
    p.extend_from_slice(&EMPTY_CHUNK);
    assert_malformed(&p, "source name length");
    // 2^40 names, 65537 names.
    for (n, what) in [(1u128 << 40, "name count"), (65_537, "name count")] {
        let mut p = vec![0];
        p.extend(uvar(n));
        p.extend_from_slice(&[0; 6]);
        assert_malformed(&p, what);
    }
    // u64::MAX ops, lines and entries.
    for (at, what) in [(3, "op count"), (4, "line count"), (5, "function entry count")] {
        let mut p = EMPTY_CHUNK.to_vec();
        p.splice(at..at + 1, uvar(u64::MAX.into()));
        assert_malformed(&p, what);
    }
    // An array of 2^62 elements; a hash of 2^62 entries; a 2^50-byte string.
    for (tag, what) in [(5u8, "array length"), (6, "hash length"), (4, "a string length")] {
        let mut v = vec![tag];
        v.extend(uvar(1 << 62));
        assert_malformed(&with_constant(&v), what);
    }
    // 100 sub-chunks claimed, bytes for none.
    let mut p = EMPTY_CHUNK.to_vec();
    p[7] = 100;
    assert_malformed(&p, "sub-chunk count");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    // 100 000 nested arrays, then refs: far past the limit of 64.
    for tag in [5u8, 8] {
        let mut v = Vec::new();
        for _ in 0..100_000 {
            v.push(tag);
            if tag == 5 {
                v.push(1);
            }
        }
        v.push(0);
        assert_malformed(&with_constant(&v), "nested deeper than 64");
    }
    // 64 levels of arrays load; 65 do not.
    let nest = |depth: usize| {
        let mut v = Vec::new();
        for _ in 0..depth {
            v.extend_from_slice(&[5, 1]);
        }
        v.push(0);
        with_constant(&v)
    };
    assert!(decode(&file_with_payload(&nest(64))).is_ok());
    assert_malformed(&nest(65), "nested deeper than 64");
    // 10 000 nested sub-chunks.
    let mut p = Vec::new();
    for _ in 0..10_000 {
        p.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
    }
    p.extend_from_slice(&EMPTY_CHUNK);
    assert_malformed(&p, "sub-chunks nested deeper than 64");
}

#[test]
fn bad_encodings_are_refused() {
    // A varint running past 128 bits; a non-minimal varint.
    let mut p = vec![0x80; 20];
    p.push(0);
    p.extend_from_slice(&EMPTY_CHUNK);
    assert_malformed(&p, "overflows 128 bits");
    let mut p = vec![0x80, 0x00];
    p.extend_from_slice(&EMPTY_CHUNK[1..]);
    assert_malformed(&p, "not minimal");
    // Invalid UTF-8 in the source name.
    let mut p = vec![2, 0xc3, 0x28];
    p.extend_from_slice(&EMPTY_CHUNK[1..]);
    assert_malformed(&p, "not UTF-8");
    // Unknown opcode; `load_int` whose operand does not fit i64; a payload ending inside an op.
    let op = |bytes: &[u8]| {
        let mut p = vec![0, 0, 0, 1];
        p.extend_from_slice(bytes);
        p.extend_from_slice(&[1, 1, 0, 0, 0]);
        p
    };
    assert_malformed(&op(&[255]), "unknown opcode 255");
    let load_int = Op::LoadInt(0).opcode();
    let mut too_big = vec![load_int];
    too_big.extend(uvar(u64::MAX as u128 * 4));
    assert_malformed(&op(&too_big), "does not fit");
    let mut p = vec![0, 0, 0, 1, Op::LoadFloat(0.0).opcode(), 1, 2];
    p.truncate(7);
    assert_malformed(&p, "needs 8 bytes");
    // Unknown value tag; a bool that is neither 0 nor 1; an int past i64; a status past i32.
    assert_malformed(&with_constant(&[10]), "unknown value tag 10");
    assert_malformed(&with_constant(&[1, 2]), "neither 0 nor 1");
    let mut big = vec![2];
    big.extend(uvar(u64::MAX as u128 * 2));
    assert_malformed(&with_constant(&big), "out of range");
    let mut status = vec![7];
    status.extend(uvar(1 << 40));
    assert_malformed(&with_constant(&status), "out of range");
    // Hash keys out of order, or repeated.
    for keys in [[b'b', b'a'], [b'a', b'a']] {
        let v = vec![6, 2, 1, keys[0], 0, 1, keys[1], 0];
        assert_malformed(&with_constant(&v), "strictly increasing");
    }
    // Bytes after the root chunk.
    let mut p = EMPTY_CHUNK.to_vec();
    p.push(0);
    assert_malformed(&p, "left over");
}

#[test]
fn chunks_that_fail_verification_are_refused_with_the_place() {
    let bad = assemble("load_int 1\njump 99\n", "bad.fasm").expect("assembles");
    let bytes = encode(&bad);
    match decode(&bytes) {
        Err(ChunkFileError::Verify { sub_chunk, error }) => {
            assert!(sub_chunk.is_empty());
            assert_eq!(error.ip, Some(1));
            assert_eq!(error.line, Some(2));
        }
        other => panic!("{other:?}"),
    }
    assert!(decode_unverified(&bytes).is_ok());

    let nested = assemble(".sub\n.sub\nload_const 3\n.end\n.end\n", "n.fasm").expect("assembles");
    let err = decode(&encode(&nested)).expect_err("sub-chunk fails verification");
    assert!(matches!(&err, ChunkFileError::Verify { sub_chunk, .. } if sub_chunk == &[0, 0]));
    assert!(err.to_string().starts_with("in sub-chunk 0.0: "), "{err}");
    let source: &dyn std::error::Error = &err;
    assert!(source.source().is_some(), "the verifier error is the source");
}

/// A tiny deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn mutated_payloads_with_valid_checksums_never_panic() {
    let seeds = [encode(&small_chunk()), encode(&rich_chunk())];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut refused = 0;
    for round in 0..20_000 {
        let mut file = seeds[round % 2].clone();
        for _ in 0..1 + rng.below(4) {
            let payload_len = file.len() - 20;
            match rng.below(4) {
                0 => {
                    let i = 20 + rng.below(payload_len);
                    file[i] = rng.next() as u8;
                }
                1 => {
                    let i = 20 + rng.below(payload_len);
                    file[i] ^= 1 << rng.below(8);
                }
                2 => {
                    let i = 20 + rng.below(payload_len + 1);
                    file.insert(i, rng.next() as u8);
                }
                _ if payload_len > 1 => {
                    let i = 20 + rng.below(payload_len);
                    file.remove(i);
                }
                _ => {}
            }
        }
        let len = (file.len() - 20) as u32;
        file[12..16].copy_from_slice(&len.to_le_bytes());
        fix_checksum(&mut file);
        if let Ok(chunk) = decode(&file) {
            // Whatever loads is verified and encodes back to exactly the same bytes.
            assert!(chunk.verify().is_ok());
            assert_eq!(encode(&chunk), file, "round {round}");
        } else {
            refused += 1;
        }
    }
    assert!(refused > 1000, "mutations should mostly be refused ({refused})");
}

#[test]
fn errors_display_what_and_where() {
    let mut p = uvar(1 << 60);
    p.extend_from_slice(&EMPTY_CHUNK);
    let err = decode(&file_with_payload(&p)).expect_err("hostile");
    assert!(
        matches!(err, ChunkFileError::Malformed { offset: 20, .. }),
        "offset counts from the start of the file: {err:?}"
    );
    assert!(
        err.to_string().starts_with("malformed chunk file at byte 20: "),
        "{err}"
    );
    let err = decode(&encode(&small_chunk())[..30]).expect_err("truncated");
    assert!(
        err.to_string().contains("truncated chunk file: 30 bytes"),
        "{err}"
    );
}
