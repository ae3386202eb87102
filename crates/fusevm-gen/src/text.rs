//! Assembly-like text for the assembler: lines built from real mnemonics, directives,
//! labels and literals, broken in small ways (a missing operand, a stray quote, a huge
//! number), so most inputs get past the lexer and reach the parser's deeper checks.

use crate::values;
use arbitrary::{Result, Unstructured};
use fusevm::isa::OP_INFO;

const DIRECTIVES: &[&str] = &[
    ".source",
    ".name",
    ".const",
    ".func",
    ".entry",
    ".block_range",
    ".line",
    ".sub",
    ".end",
    ".bogus",
];

const PIECES: &[&str] = &[
    "top",
    "end",
    "L0",
    "x",
    "\"str\"",
    "\"a\\n\\u{1F600}\"",
    "\"unterminated",
    "[1, 2.5, \"x\"]",
    "{\"k\": 1}",
    "ref(undef)",
    "status(3)",
    "native(7)",
    "bits(0x7ff8000000000001)",
    "NaN",
    "-inf",
    "-0.0",
    "1e21",
    "0x10",
    "99999999999999999999999",
    "-9223372036854775808",
    "true",
    "undef",
    ",",
    ":",
    ";",
    "[",
    "{",
];

/// A token that may appear as an operand.
fn token(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=4u8)? {
        0 => values::int(u)?.to_string(),
        1 => format!("{:?}", values::float(u)?),
        2 => format!("{:?}", values::string(u, 8)?),
        _ => (*u.choose(PIECES)?).to_string(),
    })
}

/// One line: an op with (roughly) its operands, a directive, a label, or noise.
fn line(u: &mut Unstructured) -> Result<String> {
    let mut out = String::new();
    if u.ratio(1u8, 5)? {
        out.push_str(u.choose(&["top:", "end:", "L0:", "a: b:", "9:"])?);
        out.push(' ');
    }
    match u.int_in_range(0..=5u8)? {
        0..=2 => {
            let info = u.choose(&OP_INFO)?;
            out.push_str(info.mnemonic);
            // Usually the right operand count; sometimes one too few or too many.
            let n = info.operands.len() as i64
                + i64::from(u.int_in_range(-1i8..=1)?) * i64::from(u.ratio(1u8, 6)?);
            for i in 0..n.max(0) {
                out.push_str(if i == 0 { " " } else { ", " });
                out.push_str(&token(u)?);
            }
        }
        3 => {
            out.push_str(u.choose(DIRECTIVES)?);
            for _ in 0..u.int_in_range(0..=2u8)? {
                out.push(' ');
                out.push_str(&token(u)?);
            }
        }
        4 => out.push_str(&format!("; {}", token(u)?)),
        _ => {
            for _ in 0..u.int_in_range(1..=3u8)? {
                out.push_str(&token(u)?);
                out.push(' ');
            }
        }
    }
    Ok(out)
}

/// Up to `max_lines` lines of assembly-like text.
pub fn asm_text(u: &mut Unstructured, max_lines: usize) -> Result<String> {
    let mut text = String::new();
    for _ in 0..u.int_in_range(0..=max_lines)? {
        text.push_str(&line(u)?);
        text.push('\n');
    }
    Ok(text)
}
