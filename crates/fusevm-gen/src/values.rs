//! Value and literal generators, biased toward the edges where VMs break: `i64::MIN`,
//! `-1`, shift counts around 63, NaN with payloads, `-0.0`, numeric-looking strings that
//! `to_int` and `to_float` parse differently, and nested containers.

use arbitrary::{Result, Unstructured};
use fusevm::Value;
use std::collections::HashMap;

/// Integers that sit on arithmetic edges (overflow, sign, shifts, `u16`/`i32` bounds).
pub const EDGE_INTS: &[i64] = &[
    0,
    1,
    -1,
    2,
    -2,
    3,
    7,
    10,
    63,
    64,
    65,
    -63,
    -64,
    255,
    256,
    65_535,
    65_536,
    i32::MAX as i64,
    i32::MIN as i64,
    u32::MAX as i64,
    i64::MAX,
    i64::MIN,
    i64::MAX - 1,
    i64::MIN + 1,
    1 << 53,
    -(1 << 53),
    1_000_000,
    1_000_000_000_000,
];

/// Floats on the edges: signed zeros, infinities, NaNs (with a payload too), the integer
/// conversion boundaries, subnormals.
pub const EDGE_FLOATS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    1.5,
    -2.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    f64::EPSILON,
    9.223_372_036_854_776e18,
    -9.223_372_036_854_776e18,
    1e300,
    4.9e-324,
    1e21,
];

/// Strings that the coercions treat specially.
pub const EDGE_STRS: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "+5",
    "3.7",
    " 42",
    "42 ",
    "0.0",
    "1e3",
    "inf",
    "-inf",
    "NaN",
    "nan",
    "abc",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "1e400",
    "\u{1F600}",
    "a\nb",
    "true",
];

/// An integer: an edge value, a small one, or any `i64`.
pub fn int(u: &mut Unstructured) -> Result<i64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 | 1 => *u.choose(EDGE_INTS)?,
        2 => u.int_in_range(-16..=16)?,
        _ => u.arbitrary()?,
    })
}

/// A float: an edge value, an integral one, or any bit pattern (NaN payloads included).
pub fn float(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 | 1 => *u.choose(EDGE_FLOATS)?,
        2 => u.int_in_range(-16i32..=16)? as f64,
        _ => f64::from_bits(u.arbitrary()?),
    })
}

/// A string: an edge string, or arbitrary UTF-8 of at most `max_len` bytes.
pub fn string(u: &mut Unstructured, max_len: usize) -> Result<String> {
    if u.ratio(2u8, 3)? {
        return Ok((*u.choose(EDGE_STRS)?).to_string());
    }
    let s: String = u.arbitrary()?;
    let mut end = s.len().min(max_len);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Ok(s[..end].to_string())
}

/// Any `Value`; containers nest at most `depth` levels and hold at most 4 items.
pub fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let last = if depth == 0 { 5 } else { 9 };
    Ok(match u.int_in_range(0..=last)? {
        0 => Value::Undef,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Int(int(u)?),
        3 => Value::Float(float(u)?),
        4 => Value::str(string(u, 32)?),
        5 => Value::Status(*u.choose(&[0, 1, 2, 127, -1, i32::MIN, i32::MAX])?),
        6 => {
            let n = u.int_in_range(0..=4usize)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(value(u, depth - 1)?);
            }
            Value::array(items)
        }
        7 => {
            let n = u.int_in_range(0..=4usize)?;
            let mut map = HashMap::new();
            for _ in 0..n {
                map.insert(string(u, 8)?, value(u, depth - 1)?);
            }
            Value::hash(map)
        }
        8 => Value::Ref(Box::new(value(u, depth - 1)?)),
        _ => Value::NativeFn(u.arbitrary()?),
    })
}

/// A numeric value only (`Int` or `Float`): what the JIT tiers accept as constants.
pub fn number(u: &mut Unstructured) -> Result<Value> {
    Ok(if u.ratio(3u8, 4)? {
        Value::Int(int(u)?)
    } else {
        Value::Float(float(u)?)
    })
}
