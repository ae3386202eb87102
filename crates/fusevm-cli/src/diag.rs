//! Turning verifier and runtime errors into messages that point at the program text.
//!
//! For assembly text, a problem at op `ip` is located with the assembler's [`SourceMap`]
//! at `file:line:col` (the column of the offending operand when the verifier names one,
//! else of the mnemonic). For chunk files, which carry no columns, the message names the
//! instruction index and the op's source line from the chunk's line table.

use crate::load::Loaded;
use fusevm::asm::SourceMap;
use fusevm::verify::{verify_all, VerifyError};
use fusevm::{Chunk, VmError};

/// Every verifier problem of the loaded chunk and its sub-chunks, one message each
/// (empty when the chunk verifies).
pub fn verify_diagnostics(loaded: &Loaded) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(loaded, &loaded.chunk, loaded.map.as_ref(), &mut path, &mut out);
    out
}

/// Verifies `chunk` and its sub-chunks depth first. Recursion depth is bounded by the
/// assembler's and the chunk-file decoder's sub-chunk nesting limits (64).
fn walk(
    loaded: &Loaded,
    chunk: &Chunk,
    map: Option<&SourceMap>,
    path: &mut Vec<usize>,
    out: &mut Vec<String>,
) {
    if let Err(errors) = verify_all(chunk, usize::MAX) {
        let bad_entries = invalid_entries(chunk);
        let mut next_entry = bad_entries.iter();
        for e in &errors {
            let entry = if e.ip.is_none() {
                next_entry.next().copied()
            } else {
                None
            };
            out.push(verify_message(loaded, map, path, e, entry));
        }
    }
    for (i, sub) in chunk.sub_chunks.iter().enumerate() {
        path.push(i);
        let sub_map = map.and_then(|m| m.sub_chunks.get(i));
        walk(loaded, sub, sub_map, path, out);
        path.pop();
    }
}

/// Indices of the function entries the verifier refuses, in table order: the chunk-level
/// errors of `verify_all` come one per such entry, in the same order.
fn invalid_entries(chunk: &Chunk) -> Vec<usize> {
    chunk
        .sub_entries
        .iter()
        .enumerate()
        .filter(|(_, &(name, ip))| chunk.names.get(name as usize).is_none() || ip > chunk.ops.len())
        .map(|(i, _)| i)
        .collect()
}

fn sub_chunk_prefix(path: &[usize]) -> String {
    if path.is_empty() {
        return String::new();
    }
    let p: Vec<String> = path.iter().map(|i| i.to_string()).collect();
    format!("in sub-chunk {}: ", p.join("."))
}

/// One located verifier message.
fn verify_message(
    loaded: &Loaded,
    map: Option<&SourceMap>,
    path: &[usize],
    e: &VerifyError,
    entry: Option<usize>,
) -> String {
    let within = sub_chunk_prefix(path);
    let Some(map) = map else {
        // A chunk file: no columns; the error's Display names ip, op and line.
        return format!("{}: error: {within}{e}", loaded.path);
    };
    let place = match (e.ip, &e.op) {
        (Some(ip), Some(op)) => map.ops.get(ip).map(|loc| {
            let col = operand_named(&e.message)
                .and_then(|name| op.info().operands.iter().position(|(n, _)| *n == name))
                .and_then(|i| loc.operands.get(i).copied())
                .unwrap_or(loc.at.col);
            (loc.at.line, col, format!(" (ip {ip} `{op}`)"))
        }),
        _ => entry
            .and_then(|i| map.entries.get(i))
            .map(|loc| (loc.line, loc.col, String::new())),
    };
    match place {
        Some((line, col, what)) => {
            format!("{}:{line}:{col}: error: {within}{}{what}", loaded.path, e.message)
        }
        None => format!("{}: error: {within}{}", loaded.path, e.message),
    }
}

/// The operand a verifier message is about: its messages start with ``operand `NAME`:``.
fn operand_named(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("operand `")?;
    rest.split('`').next()
}

/// A runtime error, located: `file:line:col` of the failing op for text files, the
/// chunk's source name and line for chunk files.
pub fn runtime_message(loaded: &Loaded, err: &VmError) -> String {
    let kind = err.kind.name();
    let place = match (err.ip, &loaded.map) {
        (Some(ip), Some(map)) => map
            .ops
            .get(ip)
            .map(|loc| format!("{}:{}:{}", loaded.path, loc.at.line, loc.at.col)),
        (Some(_), None) => err.line.map(|line| {
            let source = if loaded.chunk.source.is_empty() {
                loaded.path.as_str()
            } else {
                loaded.chunk.source.as_str()
            };
            format!("{source}:{line}")
        }),
        (None, _) => None,
    };
    let place = place.unwrap_or_else(|| loaded.path.clone());
    format!("{place}: runtime error [{kind}]: {err}")
}
