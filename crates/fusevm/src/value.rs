//! `Value`: the dynamic value every op works on, and its coercions.
//!
//! Upstream's ten variants in upstream's order (bincode writes the variant index). Unlike
//! upstream (56 bytes) a `Value` is 16 bytes: an 8-byte tag at offset 0 and an 8-byte
//! payload at offset 8 (`#[repr(C, u64)]`, a layout native code can read). Heavy payloads are
//! behind one pointer: `Str(Arc<String>)` as upstream, `Array(Box<Vec<Value>>)`,
//! `Hash(Box<ValueMap>)` (see `docs/compat.md` for the migration).
//!
//! Why the tag is a full word: with a one-byte tag, bytes 1..8 are padding, and the
//! compiler moves a value as its tag plus a 15-byte tail (an 8-byte copy at offset 1
//! overlapping one at offset 8). Such a load cannot be forwarded from the two stores that
//! just wrote the value, so nearly every push, pop and slot store stalled on the value
//! the previous op produced. With no padding a value moves as two words or one 16-byte
//! copy. Measured on the CLI, A/B, 11 alternating runs: fib(30) 1.21x and ack(3, 8) 1.27x
//! faster; loops, strings and hashes unchanged.
//!
//! The coercions (`to_int`, `to_float`, `as_str_cow`, `is_truthy`, `len`) are the only ones
//! the interpreter uses; their tables are in the spec (`api.md` § 3).

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

/// The map type inside `Value::Hash`: string keys, a fast hasher with a per-process
/// random seed (resists hash-flooding by user-chosen keys).
pub type ValueMap = HashMap<String, Value, foldhash::fast::RandomState>;

/// A dynamic value.
#[derive(Debug, PartialEq, Serialize, Deserialize, Default)]
#[repr(C, u64)]
pub enum Value {
    /// The undefined value (`""` as a string, 0 as a number, false).
    #[default]
    Undef,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A shared, immutable-unless-unique string.
    Str(Arc<String>),
    Array(Box<Vec<Value>>),
    Hash(Box<ValueMap>),
    /// A shell exit status; truthy iff 0.
    Status(i32),
    Ref(Box<Value>),
    /// A reference to a registered builtin.
    NativeFn(u16),
}

/// Inline for the plain variants (a copy); the heap variants take the out-of-line path.
/// The interpreter clones a value on every `GetSlot`, so this is on the hot path.
impl Clone for Value {
    #[inline(always)]
    fn clone(&self) -> Self {
        match self {
            Value::Undef => Value::Undef,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(n) => Value::Int(*n),
            Value::Float(f) => Value::Float(*f),
            Value::Status(c) => Value::Status(*c),
            Value::NativeFn(id) => Value::NativeFn(*id),
            heap => heap.clone_heap(),
        }
    }
}

impl Value {
    #[inline(never)]
    fn clone_heap(&self) -> Self {
        match self {
            Value::Str(s) => Value::Str(Arc::clone(s)),
            Value::Array(a) => Value::Array(a.clone()),
            Value::Hash(h) => Value::Hash(h.clone()),
            Value::Ref(r) => Value::Ref(r.clone()),
            // Never reached from `clone` (plain variants are copied there); no recursion.
            plain => plain.clone(),
        }
    }

    /// True for the variants that own no heap memory (nothing to drop).
    #[inline(always)]
    pub(crate) fn is_plain(&self) -> bool {
        !matches!(
            self,
            Value::Str(_) | Value::Array(_) | Value::Hash(_) | Value::Ref(_)
        )
    }

    /// Drops `self`, skipping the out-of-line drop glue when it owns nothing.
    #[inline(always)]
    pub(crate) fn discard(self) {
        if self.is_plain() {
            // Nothing to free: forgetting a plain value is exactly dropping it.
            std::mem::forget(self);
        } else {
            drop(self);
        }
    }

    /// Stores `v` into `dst`, discarding the old value without drop glue when plain.
    #[inline(always)]
    pub(crate) fn overwrite(dst: &mut Value, v: Value) {
        std::mem::replace(dst, v).discard();
    }

    /// Pushes `Int(n)` onto `values`. Not `values.push(Value::Int(n))`: that builds the
    /// value in a stack temporary before the push's growth call (the temporary must stay
    /// droppable should that call unwind), then copies it with one 16-byte load right
    /// after two 8-byte stores, a load the CPU cannot forward from its store buffer
    /// (about a dozen cycles lost per push). `resize_with` makes the value after growing.
    #[inline(always)]
    pub(crate) fn push_int(values: &mut Vec<Value>, n: i64) {
        values.resize_with(values.len() + 1, || Value::Int(n));
    }

    /// Pushes `v`, an Int by `push_int`: for a value made or moved just now, whose
    /// halves may still be on their way to or from memory.
    #[inline(always)]
    pub(crate) fn push_value(values: &mut Vec<Value>, v: Value) {
        match v {
            Value::Int(n) => {
                // An Int owns nothing: no drop glue call for it.
                std::mem::forget(v);
                Value::push_int(values, n)
            }
            v => values.push(v),
        }
    }

    /// Truncates `values` to `len`, without drop glue for the plain values.
    #[inline]
    pub(crate) fn truncate_vec(values: &mut Vec<Value>, len: usize) {
        if len < values.len() {
            // One length update for the lot (`pop` stores the length once per value).
            for v in values.drain(len..) {
                v.discard();
            }
        }
    }

    /// `Int(n)`.
    pub fn int(n: i64) -> Self {
        Value::Int(n)
    }

    /// `Float(f)`.
    pub fn float(f: f64) -> Self {
        Value::Float(f)
    }

    /// `Str` from anything string-like.
    pub fn str(s: impl Into<String>) -> Self {
        Value::Str(Arc::new(s.into()))
    }

    /// `Bool(b)`.
    pub fn bool(b: bool) -> Self {
        Value::Bool(b)
    }

    /// `Array` from a vector.
    pub fn array(v: Vec<Value>) -> Self {
        Value::Array(Box::new(v))
    }

    /// `Hash` from any string-keyed map (upstream takes a std `HashMap`).
    pub fn hash<S>(m: HashMap<String, Value, S>) -> Self {
        Value::Hash(Box::new(m.into_iter().collect()))
    }

    /// `Status(code)`.
    pub fn status(code: i32) -> Self {
        Value::Status(code)
    }

    /// Truthiness: `Undef`, `false`, `0`, `0.0`, `""`, `"0"`, empty containers and a
    /// non-zero `Status` are false; everything else (including NaN and `Status(0)`) is true.
    #[inline]
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Undef => false,
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !(s.is_empty() || s.as_str() == "0"),
            Value::Array(a) => !a.is_empty(),
            Value::Hash(h) => !h.is_empty(),
            Value::Status(c) => *c == 0,
            Value::Ref(_) | Value::NativeFn(_) => true,
        }
    }

    /// Integer view: floats truncate (saturating, NaN is 0), strings must be a whole
    /// integer (`"+5"` yes, `" 42"`/`"3.7"` no → 0), arrays give their length.
    #[inline]
    pub fn to_int(&self) -> i64 {
        match self {
            Value::Int(n) => *n,
            Value::Float(f) => *f as i64,
            Value::Bool(b) => *b as i64,
            Value::Str(s) => s.parse::<i64>().unwrap_or(0),
            Value::Status(c) => *c as i64,
            Value::Array(a) => a.len() as i64,
            Value::Undef | Value::Hash(_) | Value::Ref(_) | Value::NativeFn(_) => 0,
        }
    }

    /// Float view: strings parse as Rust `f64` (`"1e3"`, `"inf"`, `"NaN"`), else 0.0;
    /// containers give 0.0.
    #[inline]
    pub fn to_float(&self) -> f64 {
        match self {
            Value::Float(f) => *f,
            Value::Int(n) => *n as f64,
            Value::Bool(b) => *b as i64 as f64,
            Value::Str(s) => s.parse::<f64>().unwrap_or(0.0),
            Value::Status(c) => *c as f64,
            Value::Undef | Value::Array(_) | Value::Hash(_) | Value::Ref(_) | Value::NativeFn(_) => 0.0,
        }
    }

    /// The string form, owned.
    pub fn to_str(&self) -> String {
        self.as_str_cow().into_owned()
    }

    /// The string form, borrowed where possible (`Str`, `Bool`, `Undef`, `Hash`, `Ref`).
    #[inline]
    pub fn as_str_cow(&self) -> Cow<'_, str> {
        // A string is the common case (hash keys, concatenations): no call for it.
        match self {
            Value::Str(s) => Cow::Borrowed(s.as_str()),
            other => other.as_str_cow_built(),
        }
    }

    /// `as_str_cow` of anything but a string.
    #[inline(never)]
    fn as_str_cow_built(&self) -> Cow<'_, str> {
        match self {
            Value::Str(s) => Cow::Borrowed(s.as_str()),
            Value::Int(n) => {
                let mut out = String::with_capacity(20);
                push_int(&mut out, *n);
                Cow::Owned(out)
            }
            Value::Float(f) => Cow::Owned(f.to_string()),
            Value::Bool(true) => Cow::Borrowed("1"),
            Value::Bool(false) | Value::Undef => Cow::Borrowed(""),
            Value::Status(c) => Cow::Owned(c.to_string()),
            Value::Array(a) => {
                let mut out = String::new();
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    v.write_str_to(&mut out);
                }
                Cow::Owned(out)
            }
            Value::Hash(_) => Cow::Borrowed("(hash)"),
            Value::Ref(_) => Cow::Borrowed("(ref)"),
            Value::NativeFn(id) => Cow::Owned(format!("(builtin:{id})")),
        }
    }

    /// Appends the string form to `out` without an intermediate allocation.
    pub fn write_str_to(&self, out: &mut String) {
        use std::fmt::Write;
        match self {
            Value::Int(n) => push_int(out, *n),
            Value::Float(f) => {
                let _ = write!(out, "{f}");
            }
            Value::Status(c) => {
                let _ = write!(out, "{c}");
            }
            other => out.push_str(&other.as_str_cow()),
        }
    }

    /// Byte length of the string form (`as_str_cow().len()`), computed without building
    /// it: an array of many references to one long string has a small footprint but a huge
    /// string form, which ops must refuse before they build it. Cost: one step per element.
    pub(crate) fn str_form_len(&self) -> usize {
        match self {
            Value::Str(s) => s.len(),
            Value::Int(n) => {
                let digits = n.unsigned_abs().checked_ilog10().map_or(1, |d| d as usize + 1);
                digits + usize::from(*n < 0)
            }
            Value::Array(a) => a.iter().fold(a.len().saturating_sub(1), |sum, v| {
                sum.saturating_add(v.str_form_len())
            }),
            other => other.as_str_cow().len(),
        }
    }

    /// Byte length of a string, element count of an array or hash, else the byte length
    /// of the string form (`Int(12345)` → 5).
    pub fn len(&self) -> usize {
        match self {
            Value::Str(s) => s.len(),
            Value::Array(a) => a.len(),
            Value::Hash(h) => h.len(),
            Value::Undef | Value::Bool(false) => 0,
            Value::Bool(true) => 1,
            other => other.as_str_cow().len(),
        }
    }

    /// `len() == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The upstream variant name (`"Int"`, `"Str"`, ...), for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undef => "Undef",
            Value::Bool(_) => "Bool",
            Value::Int(_) => "Int",
            Value::Float(_) => "Float",
            Value::Str(_) => "Str",
            Value::Array(_) => "Array",
            Value::Hash(_) => "Hash",
            Value::Status(_) => "Status",
            Value::Ref(_) => "Ref",
            Value::NativeFn(_) => "NativeFn",
        }
    }
}

/// Hashes the variant, then the payload. Unlike upstream this is consistent with `==`:
/// `0.0` and `-0.0` hash alike, and a `Hash` hashes its entries independently of order.
impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Undef => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(n) => n.hash(state),
            Value::Float(f) => (if *f == 0.0 { 0.0f64 } else { *f }).to_bits().hash(state),
            Value::Str(s) => s.hash(state),
            Value::Array(a) => a.hash(state),
            Value::Hash(h) => {
                // Order-independent: combine per-entry hashes with a commutative sum.
                let hasher = foldhash::fast::FixedState::with_seed(0x5eed);
                let sum = h
                    .iter()
                    .map(|(k, v)| hasher.hash_one((k, v)))
                    .fold(0u64, u64::wrapping_add);
                h.len().hash(state);
                sum.hash(state);
            }
            Value::Status(c) => c.hash(state),
            Value::Ref(r) => r.hash(state),
            Value::NativeFn(id) => id.hash(state),
        }
    }
}

/// The string form (`to_str`), so values print with `{}`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str_cow())
    }
}

/// Appends the decimal form of `n` (what `n.to_string()` gives, without the formatting
/// machinery: keys like `str(i % 1000)` are built on hot paths).
pub(crate) fn push_int(out: &mut String, n: i64) {
    out.push_str(itoa::Buffer::new().format(n));
}

#[cfg(test)]
mod tests {
    use super::{push_int, Value};

    #[test]
    fn push_int_matches_to_string_at_every_edge() {
        let mut cases = vec![
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            100,
            12345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        cases.extend((0..64).map(|b| 1i64 << b));
        cases.extend((0..64).map(|b| (1i64 << b).wrapping_neg()));
        for n in cases {
            let mut out = String::from("x");
            push_int(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn str_form_len_is_the_length_of_the_built_string_form() {
        let mut values: Vec<Value> = vec![
            Value::Undef,
            Value::Bool(true),
            Value::Bool(false),
            Value::Float(0.1),
            Value::Float(-1e300),
            Value::Float(f64::NAN),
            Value::Status(-3),
            Value::str("héllo"),
            Value::NativeFn(7),
            Value::Hash(Box::default()),
            Value::Ref(Box::new(Value::Int(1))),
            Value::array(Vec::new()),
        ];
        for b in 0..64 {
            values.push(Value::Int(1i64 << b));
            values.push(Value::Int((1i64 << b).wrapping_neg()));
            values.push(Value::Int((1i64 << b).wrapping_sub(1)));
        }
        values.extend([
            Value::Int(0),
            Value::Int(9),
            Value::Int(-10),
            Value::Int(i64::MIN),
        ]);
        let flat = Value::array(values.clone());
        values.push(Value::array(vec![flat.clone(), Value::str(""), flat]));
        for v in &values {
            assert_eq!(v.str_form_len(), v.as_str_cow().len(), "{v:?}");
        }
    }

    #[test]
    fn push_int_grows_a_full_vector_and_keeps_what_it_held() {
        let mut values = Vec::with_capacity(1);
        values.push(Value::str("kept"));
        assert_eq!(values.len(), values.capacity(), "the first push must grow");
        for n in [i64::MIN, -1, 0, i64::MAX] {
            Value::push_int(&mut values, n);
            assert_eq!(values.last(), Some(&Value::Int(n)));
        }
        assert_eq!(values.len(), 5);
        assert_eq!(values[0], Value::str("kept"));
    }
}
