//! The disassembler: a [`Chunk`] in, assembly text out, driven by the op table.
//!
//! Each op prints as its mnemonic and operands, formatted by [`OperandKind`]: jump targets
//! as labels `L<ip>` (targets past the end as plain integers), names as identifiers or
//! strings when that reproduces the same index, floats in a bit-exact form, everything
//! else as an integer. Pools and tables are written as directives in pool order.
//!
//! Invariant: `assemble(&disassemble(c), _)` rebuilds `c` exactly (ops, pools, lines,
//! function entries, block ranges, sub-chunks, source) whenever `c.lines` has one entry
//! per op, and disassembling that result gives the same text again.

use super::lexer::is_ident;
use super::value_lit::{format_float, format_value, quote};
use crate::isa::{OperandKind, OperandValue};
use crate::{Chunk, Op};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// Longest constant shown in an op's trailing comment before it is cut off.
const COMMENT_MAX_CHARS: usize = 48;

/// Renders `chunk` (and its sub-chunks, nested in `.sub` ... `.end`) as assembly text.
pub(crate) fn disassemble(chunk: &Chunk) -> String {
    let mut out = String::new();
    write_chunk(&mut out, chunk, 0);
    out
}

/// Whether every function entry can be written as `.func NAME` at its op position and
/// still rebuild the same `sub_entries` (same order, same name index).
fn entries_as_funcs(chunk: &Chunk, first: &HashMap<&str, usize>) -> bool {
    let in_order = chunk.sub_entries.windows(2).all(|w| w[0].1 <= w[1].1);
    in_order
        && chunk.sub_entries.iter().all(|&(name, ip)| {
            let name = name as usize;
            ip <= chunk.ops.len()
                && chunk
                    .names
                    .get(name)
                    .is_some_and(|n| first.get(n.as_str()) == Some(&name))
        })
}

fn write_chunk(out: &mut String, chunk: &Chunk, depth: usize) {
    let pad = "    ".repeat(depth);
    let op_pad = "    ".repeat(depth + 1);
    if depth == 0 || !chunk.source.is_empty() {
        let _ = writeln!(out, "{pad}.source {}", quote(&chunk.source));
    }
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, name) in chunk.names.iter().enumerate() {
        first.entry(name.as_str()).or_insert(i);
        let _ = writeln!(out, "{}; {i}", pad_to(format!("{pad}.name {}", quote(name)), 32));
    }
    for (i, c) in chunk.constants.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}; {i}",
            pad_to(format!("{pad}.const {}", format_value(c)), 32)
        );
    }
    let funcs = entries_as_funcs(chunk, &first);
    if !funcs {
        for &(name, ip) in &chunk.sub_entries {
            let _ = writeln!(out, "{pad}.entry {name}, {ip}");
        }
    }
    for &(start, end) in &chunk.block_ranges {
        let _ = writeln!(out, "{pad}.block_range {start}, {end}");
    }
    let len = chunk.ops.len();
    let targets: BTreeSet<usize> = chunk
        .ops
        .iter()
        .flat_map(jump_targets)
        .filter(|&t| t <= len)
        .collect();
    let mut entries = chunk.sub_entries.iter().peekable();
    let mut last_line = None;
    for ip in 0..=len {
        while funcs && entries.peek().is_some_and(|e| e.1 == ip) {
            if let Some(&(name, _)) = entries.next() {
                let name = chunk
                    .names
                    .get(name as usize)
                    .map_or(String::new(), |n| name_text(n));
                let _ = writeln!(out, "{pad}.func {name}");
            }
        }
        if targets.contains(&ip) {
            let _ = writeln!(out, "{pad}L{ip}:");
        }
        let Some(op) = chunk.ops.get(ip) else { break };
        if let Some(&line) = chunk.lines.get(ip) {
            if last_line != Some(line) {
                let _ = writeln!(out, "{pad}.line {line}");
                last_line = Some(line);
            }
        }
        write_op(out, &op_pad, op, chunk, &first);
    }
    for sub in &chunk.sub_chunks {
        let _ = writeln!(out, "{pad}.sub");
        write_chunk(out, sub, depth + 1);
        let _ = writeln!(out, "{pad}.end");
    }
}

/// The values of an op's `Target` operands.
fn jump_targets(op: &Op) -> impl Iterator<Item = usize> + '_ {
    let values = op.operands();
    let kinds = op.info().operands;
    let targets: Vec<usize> = kinds
        .iter()
        .zip(values.as_slice())
        .filter(|((_, kind), _)| *kind == OperandKind::Target)
        .filter_map(|(_, v)| usize::try_from(v.as_int()).ok())
        .collect();
    targets.into_iter()
}

/// One op line, with the constants it loads in a trailing comment.
fn write_op(out: &mut String, pad: &str, op: &Op, chunk: &Chunk, first: &HashMap<&str, usize>) {
    let mut text = format!("{pad}{}", op.mnemonic());
    let mut comment = Vec::new();
    let len = chunk.ops.len();
    for (i, ((_, kind), value)) in op
        .info()
        .operands
        .iter()
        .zip(op.operands().as_slice())
        .enumerate()
    {
        text.push_str(if i == 0 { " " } else { ", " });
        let n = value.as_int();
        match (kind, value) {
            (_, OperandValue::Float(f)) => text.push_str(&format_float(*f)),
            (OperandKind::Target, _) if n >= 0 && n as u128 <= len as u128 => {
                let _ = write!(text, "L{n}");
            }
            (OperandKind::Global | OperandKind::Func, _) => {
                let idx = usize::try_from(n).unwrap_or(usize::MAX);
                match chunk.names.get(idx) {
                    Some(name) if first.get(name.as_str()) == Some(&idx) => text.push_str(&name_text(name)),
                    _ => {
                        let _ = write!(text, "{n}");
                    }
                }
            }
            (OperandKind::Const, _) => {
                let _ = write!(text, "{n}");
                if let Some(c) = usize::try_from(n).ok().and_then(|i| chunk.constants.get(i)) {
                    comment.push(shorten(format_value(c)));
                }
            }
            _ => {
                let _ = write!(text, "{n}");
            }
        }
    }
    if comment.is_empty() {
        let _ = writeln!(out, "{text}");
    } else {
        let _ = writeln!(out, "{}; {}", pad_to(text, 40), comment.join(", "));
    }
}

/// A name as an operand: bare when it is an identifier, else a string literal.
fn name_text(name: &str) -> String {
    if is_ident(name) {
        name.to_string()
    } else {
        quote(name)
    }
}

/// Pads `text` with spaces to `width` characters (at least one space).
fn pad_to(mut text: String, width: usize) -> String {
    let n = text.chars().count();
    text.push_str(&" ".repeat(width.saturating_sub(n).max(1)));
    text
}

/// Cuts a comment to [`COMMENT_MAX_CHARS`] characters.
fn shorten(text: String) -> String {
    if text.chars().count() <= COMMENT_MAX_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(COMMENT_MAX_CHARS).collect();
    cut.push('…');
    cut
}
