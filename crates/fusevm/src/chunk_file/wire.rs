//! The payload encoding of a chunk file: a [`Chunk`] to bytes ([`write_chunk`]) and back
//! ([`Reader::chunk`]). The byte layout is documented in the parent module.
//!
//! Invariant: the reader never trusts a length. Every count is checked against the bytes
//! that remain (each element takes at least one byte) and against the pool limits before
//! anything is allocated, preallocation is capped, and nesting (values, sub-chunks) is
//! bounded, so a hostile payload costs at most a small multiple of its own size in memory
//! and a bounded native stack. Every failure is a [`WireError`] with its byte offset.
//!
//! The encoding is canonical: varints are minimal and hash keys strictly increasing, so a
//! payload the reader accepts is exactly what [`write_chunk`] writes for the chunk it reads.

use crate::isa::{OperandKind, OperandValue, OP_INFO};
use crate::value::ValueMap;
use crate::{Chunk, Op, Value};

/// Deepest nesting of `Array`, `Hash` and `Ref` in a constant (the assembler's limit too).
pub const MAX_VALUE_DEPTH: usize = 64;
/// Deepest nesting of sub-chunks (the assembler's limit too).
pub const MAX_SUB_CHUNK_DEPTH: usize = 64;
/// Entries a `u16`-indexed pool can address: constants, names, sub-chunks, block ranges.
pub const MAX_POOL_LEN: usize = 1 << 16;
/// Elements preallocated for a vector before any of them was read.
const MAX_PREALLOC: usize = 4096;

/// Value tags.
const TAG_UNDEF: u8 = 0;
const TAG_BOOL: u8 = 1;
const TAG_INT: u8 = 2;
const TAG_FLOAT: u8 = 3;
const TAG_STR: u8 = 4;
const TAG_ARRAY: u8 = 5;
const TAG_HASH: u8 = 6;
const TAG_STATUS: u8 = 7;
const TAG_REF: u8 = 8;
const TAG_NATIVE_FN: u8 = 9;

/// A malformed payload: where (byte offset from the start of the payload) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    pub offset: usize,
    pub message: String,
}

// ---------------------------------------------------------------------------------------
// Writing

/// Appends the payload encoding of `chunk` (and its sub-chunks) to `out`.
pub fn write_chunk(out: &mut Vec<u8>, chunk: &Chunk) {
    write_str(out, &chunk.source);
    write_uvar(out, chunk.names.len() as u128);
    for name in &chunk.names {
        write_str(out, name);
    }
    write_uvar(out, chunk.constants.len() as u128);
    for value in &chunk.constants {
        write_value(out, value);
    }
    write_uvar(out, chunk.ops.len() as u128);
    for op in &chunk.ops {
        write_op(out, op);
    }
    write_uvar(out, chunk.lines.len() as u128);
    for &line in &chunk.lines {
        write_uvar(out, line.into());
    }
    write_uvar(out, chunk.sub_entries.len() as u128);
    for &(name, ip) in &chunk.sub_entries {
        write_uvar(out, name.into());
        write_uvar(out, ip as u128);
    }
    write_uvar(out, chunk.block_ranges.len() as u128);
    for &(start, end) in &chunk.block_ranges {
        write_uvar(out, start as u128);
        write_uvar(out, end as u128);
    }
    write_uvar(out, chunk.sub_chunks.len() as u128);
    for sub in &chunk.sub_chunks {
        write_chunk(out, sub);
    }
}

/// Unsigned LEB128: 7 bits per byte, low groups first, high bit = more bytes follow.
fn write_uvar(out: &mut Vec<u8>, mut n: u128) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Signed integers as zigzag (0, -1, 1, -2, ... → 0, 1, 2, 3, ...) then LEB128.
fn write_svar(out: &mut Vec<u8>, n: i128) {
    write_uvar(out, ((n << 1) ^ (n >> 127)) as u128);
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    write_uvar(out, s.len() as u128);
    out.extend_from_slice(s.as_bytes());
}

fn write_op(out: &mut Vec<u8>, op: &Op) {
    out.push(op.opcode());
    for value in op.operands().as_slice() {
        match *value {
            OperandValue::Float(f) => out.extend_from_slice(&f.to_bits().to_le_bytes()),
            OperandValue::Int(n) => write_svar(out, n),
        }
    }
}

/// Values nest through boxes; the recursion depth is the value's own nesting depth, which
/// the reader bounds by [`MAX_VALUE_DEPTH`].
fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Undef => out.push(TAG_UNDEF),
        Value::Bool(b) => out.extend_from_slice(&[TAG_BOOL, u8::from(*b)]),
        Value::Int(n) => {
            out.push(TAG_INT);
            write_svar(out, (*n).into());
        }
        Value::Float(f) => {
            out.push(TAG_FLOAT);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Str(s) => {
            out.push(TAG_STR);
            write_str(out, s);
        }
        Value::Array(items) => {
            out.push(TAG_ARRAY);
            write_uvar(out, items.len() as u128);
            for item in items.iter() {
                write_value(out, item);
            }
        }
        Value::Hash(map) => {
            out.push(TAG_HASH);
            write_uvar(out, map.len() as u128);
            // Sorted keys: the same hash always encodes to the same bytes.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, item) in entries {
                write_str(out, key);
                write_value(out, item);
            }
        }
        Value::Status(code) => {
            out.push(TAG_STATUS);
            write_svar(out, (*code).into());
        }
        Value::Ref(inner) => {
            out.push(TAG_REF);
            write_value(out, inner);
        }
        Value::NativeFn(id) => {
            out.push(TAG_NATIVE_FN);
            write_uvar(out, (*id).into());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reading

/// A bounded cursor over a payload.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Current offset from the start of the payload.
    pub fn offset(&self) -> usize {
        self.pos
    }

    #[cold]
    fn error_at(&self, offset: usize, message: impl Into<String>) -> WireError {
        WireError {
            offset,
            message: message.into(),
        }
    }

    fn byte(&mut self, what: &str) -> Result<u8, WireError> {
        let b = self
            .bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.error_at(self.pos, format!("payload ends inside {what}")))?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], WireError> {
        if n > self.remaining() {
            return Err(self.error_at(
                self.pos,
                format!("{what} needs {n} bytes, only {} remain", self.remaining()),
            ));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// A minimal unsigned LEB128 of at most 128 bits.
    fn uvar(&mut self, what: &str) -> Result<u128, WireError> {
        let start = self.pos;
        let mut n: u128 = 0;
        for shift in (0..128).step_by(7) {
            let b = self.byte(what)?;
            let group = u128::from(b & 0x7f);
            if shift == 126 && group > 0b11 {
                return Err(self.error_at(start, format!("{what}: varint overflows 128 bits")));
            }
            n |= group << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(self.error_at(start, format!("{what}: varint is not minimal")));
                }
                return Ok(n);
            }
        }
        Err(self.error_at(start, format!("{what}: varint overflows 128 bits")))
    }

    fn svar(&mut self, what: &str) -> Result<i128, WireError> {
        let z = self.uvar(what)?;
        Ok((z >> 1) as i128 ^ -((z & 1) as i128))
    }

    /// An unsigned varint that must fit `T`.
    fn uint<T: TryFrom<u128>>(&mut self, what: &str) -> Result<T, WireError> {
        let start = self.pos;
        let n = self.uvar(what)?;
        T::try_from(n).map_err(|_| self.error_at(start, format!("{what} {n} is out of range")))
    }

    /// A signed varint that must fit `T`.
    fn sint<T: TryFrom<i128>>(&mut self, what: &str) -> Result<T, WireError> {
        let start = self.pos;
        let n = self.svar(what)?;
        T::try_from(n).map_err(|_| self.error_at(start, format!("{what} {n} is out of range")))
    }

    /// An element count: at most `max`, and at most the bytes left (each element takes at
    /// least `min_size` bytes), so no count makes us allocate more than the input justifies.
    fn count(&mut self, what: &str, max: usize, min_size: usize) -> Result<usize, WireError> {
        let start = self.pos;
        let n = self.uvar(what)?;
        if n > max as u128 {
            return Err(self.error_at(start, format!("{what} {n} exceeds the limit of {max}")));
        }
        let n = n as usize;
        if n.saturating_mul(min_size) > self.remaining() {
            return Err(self.error_at(
                start,
                format!(
                    "{what} {n} is more than the {} bytes left can hold",
                    self.remaining()
                ),
            ));
        }
        Ok(n)
    }

    fn f64(&mut self, what: &str) -> Result<f64, WireError> {
        let b = self.take(8, what)?;
        let mut bits = [0u8; 8];
        bits.copy_from_slice(b);
        Ok(f64::from_bits(u64::from_le_bytes(bits)))
    }

    fn string(&mut self, what: &str) -> Result<String, WireError> {
        let len = self.count(&format!("{what} length"), usize::MAX, 1)?;
        let start = self.pos;
        let b = self.take(len, what)?;
        String::from_utf8(b.to_vec()).map_err(|e| self.error_at(start, format!("{what} is not UTF-8: {e}")))
    }

    /// Reads one chunk; `depth` is its sub-chunk nesting (0 for the root).
    pub fn chunk(&mut self, depth: usize) -> Result<Chunk, WireError> {
        let mut chunk = Chunk {
            source: self.string("source name")?,
            ..Chunk::default()
        };
        let n = self.count("name count", MAX_POOL_LEN, 1)?;
        chunk.names = Vec::with_capacity(n.min(MAX_PREALLOC));
        for _ in 0..n {
            chunk.names.push(self.string("name")?);
        }
        let n = self.count("constant count", MAX_POOL_LEN, 1)?;
        chunk.constants = Vec::with_capacity(n.min(MAX_PREALLOC));
        for _ in 0..n {
            chunk.constants.push(self.value(0)?);
        }
        let n = self.count("op count", usize::MAX, 1)?;
        chunk.ops = Vec::with_capacity(n.min(MAX_PREALLOC));
        for _ in 0..n {
            chunk.ops.push(self.op()?);
        }
        let n = self.count("line count", usize::MAX, 1)?;
        chunk.lines = Vec::with_capacity(n.min(MAX_PREALLOC));
        for _ in 0..n {
            chunk.lines.push(self.uint("line number")?);
        }
        let n = self.count("function entry count", usize::MAX, 2)?;
        chunk.sub_entries = Vec::with_capacity(n.min(MAX_PREALLOC));
        for _ in 0..n {
            let name = self.uint("function entry name index")?;
            let ip = self.uint("function entry op index")?;
            chunk.sub_entries.push((name, ip));
        }
        let n = self.count("block range count", MAX_POOL_LEN, 2)?;
        chunk.block_ranges = Vec::with_capacity(n.min(MAX_PREALLOC));
        for _ in 0..n {
            let start = self.uint("block range start")?;
            let end = self.uint("block range end")?;
            chunk.block_ranges.push((start, end));
        }
        let at = self.pos;
        // A sub-chunk takes at least 8 bytes: the empty source and seven empty counts.
        let n = self.count("sub-chunk count", MAX_POOL_LEN, 8)?;
        if n > 0 && depth >= MAX_SUB_CHUNK_DEPTH {
            return Err(self.error_at(at, format!("sub-chunks nested deeper than {MAX_SUB_CHUNK_DEPTH}")));
        }
        chunk.sub_chunks = Vec::with_capacity(n.min(MAX_PREALLOC));
        for _ in 0..n {
            chunk.sub_chunks.push(self.chunk(depth + 1)?);
        }
        chunk.op_hash = chunk.compute_op_hash();
        Ok(chunk)
    }

    /// One op: its opcode, then each operand by kind (floats as 8 bytes, the rest as
    /// signed varints), rebuilt and range-checked by [`Op::from_operands`].
    fn op(&mut self) -> Result<Op, WireError> {
        let start = self.pos;
        let opcode = self.byte("an op")?;
        let info = OP_INFO
            .get(opcode as usize)
            .ok_or_else(|| self.error_at(start, format!("unknown opcode {opcode}")))?;
        let mut values = [OperandValue::Int(0); 4];
        let n = info.operands.len().min(values.len());
        for (slot, &(name, kind)) in values.iter_mut().zip(info.operands) {
            let what = format!("operand `{name}` of `{}`", info.mnemonic);
            *slot = match kind {
                OperandKind::Float => OperandValue::Float(self.f64(&what)?),
                _ => OperandValue::Int(self.svar(&what)?),
            };
        }
        Op::from_operands(opcode, &values[..n])
            .map_err(|e| self.error_at(start, format!("bad `{}` op: {e}", info.mnemonic)))
    }

    /// One value; `depth` counts the enclosing arrays, hashes and refs.
    fn value(&mut self, depth: usize) -> Result<Value, WireError> {
        let start = self.pos;
        let tag = self.byte("a value")?;
        let nested = matches!(tag, TAG_ARRAY | TAG_HASH | TAG_REF);
        if nested && depth >= MAX_VALUE_DEPTH {
            return Err(self.error_at(start, format!("value nested deeper than {MAX_VALUE_DEPTH}")));
        }
        Ok(match tag {
            TAG_UNDEF => Value::Undef,
            TAG_BOOL => match self.byte("a bool")? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                b => return Err(self.error_at(start + 1, format!("bool byte {b} is neither 0 nor 1"))),
            },
            TAG_INT => Value::Int(self.sint("an int")?),
            TAG_FLOAT => Value::Float(self.f64("a float")?),
            TAG_STR => Value::str(self.string("a string")?),
            TAG_ARRAY => {
                let n = self.count("array length", usize::MAX, 1)?;
                let mut items = Vec::with_capacity(n.min(MAX_PREALLOC));
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::array(items)
            }
            TAG_HASH => {
                let n = self.count("hash length", usize::MAX, 2)?;
                let mut map = ValueMap::default();
                map.reserve(n.min(MAX_PREALLOC));
                let mut last: Option<String> = None;
                for _ in 0..n {
                    let at = self.pos;
                    let key = self.string("a hash key")?;
                    if last.as_ref().is_some_and(|k| *k >= key) {
                        return Err(self.error_at(at, "hash keys are not in strictly increasing order"));
                    }
                    let item = self.value(depth + 1)?;
                    map.insert(key.clone(), item);
                    last = Some(key);
                }
                Value::Hash(Box::new(map))
            }
            TAG_STATUS => Value::Status(self.sint("a status")?),
            TAG_REF => Value::Ref(Box::new(self.value(depth + 1)?)),
            TAG_NATIVE_FN => Value::NativeFn(self.uint("a native function id")?),
            other => return Err(self.error_at(start, format!("unknown value tag {other}"))),
        })
    }
}
