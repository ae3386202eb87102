//! The verifier: proves statically what the interpreter would otherwise have to distrust.
//!
//! Every chunk passes [`verify`] before a VM runs it (once; the VM caches the result). It
//! checks, driven by the op table's operand kinds:
//! - jump targets (`Target` operands) are within `0..=ops.len()` (exactly the end is a
//!   legal way to finish);
//! - constant, name (function) and sub-chunk indices point into their pools;
//! - function entries (`sub_entries`) point into the chunk and name real names.
//!
//! Deliberately *not* errors, because valid upstream programs rely on them: reading a slot
//! or global that was never written (`Undef`), globals beyond the name pool (they grow), a
//! `Call` to a function with no entry (an error only if executed), and stack underflow
//! (missing operands read as `Undef`, per upstream).
//!
//! It also computes, with the table's stack effects, the deepest static stack growth
//! ([`Verified::max_stack_growth`]), used to reserve stack space up front.

use crate::isa::{OperandKind, StackEffect};
use crate::{Chunk, Op};
use std::fmt;

/// A verification failure, located at the op (index and source line) that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyError {
    /// Index of the offending op, or `None` for chunk-level problems (function table).
    pub ip: Option<usize>,
    pub op: Option<Op>,
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.ip, &self.op) {
            (Some(ip), Some(op)) => {
                write!(f, "invalid chunk: ip {ip} `{op}`")?;
                if let Some(line) = self.line {
                    write!(f, " (line {line})")?;
                }
                write!(f, ": {}", self.message)
            }
            _ => write!(f, "invalid chunk: {}", self.message),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Facts the verifier proved, kept by the VM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// Largest stack growth along any path from entry, stopping at ops whose effect is
    /// dynamic (calls, handlers); an estimate used to reserve capacity.
    pub max_stack_growth: usize,
}

/// Checks `chunk`; returns the first problem found.
pub fn verify(chunk: &Chunk) -> Result<(), VerifyError> {
    verify_all(chunk, 1)
        .map(|_| ())
        .map_err(|mut errs| errs.remove(0))
}

/// Checks `chunk` and reports up to `max_errors` problems (at least one on failure).
pub fn verify_all(chunk: &Chunk, max_errors: usize) -> Result<Verified, Vec<VerifyError>> {
    let mut errors = Vec::new();
    let len = chunk.ops.len();
    for (ip, op) in chunk.ops.iter().enumerate() {
        if errors.len() >= max_errors.max(1) {
            break;
        }
        let info = op.info();
        for ((name, kind), value) in info.operands.iter().zip(op.operands().as_slice()) {
            let v = value.as_int();
            let problem = match kind {
                OperandKind::Target if v as usize > len => Some(format!(
                    "jump target {v} is past the end of the chunk ({len} ops)"
                )),
                OperandKind::Const if v as usize >= chunk.constants.len() => Some(format!(
                    "constant index {v} out of range (the pool has {} constants)",
                    chunk.constants.len()
                )),
                OperandKind::Func if v as usize >= chunk.names.len() => Some(format!(
                    "function name index {v} out of range (the pool has {} names)",
                    chunk.names.len()
                )),
                OperandKind::SubChunk if v as usize >= chunk.sub_chunks.len() => Some(format!(
                    "sub-chunk index {v} out of range (the chunk has {} sub-chunks)",
                    chunk.sub_chunks.len()
                )),
                _ => None,
            };
            if let Some(message) = problem {
                errors.push(VerifyError {
                    ip: Some(ip),
                    op: Some(*op),
                    line: chunk.lines.get(ip).copied(),
                    message: format!("operand `{name}`: {message}"),
                });
            }
        }
    }
    for &(name, entry) in &chunk.sub_entries {
        if errors.len() >= max_errors.max(1) {
            break;
        }
        let message = match chunk.names.get(name as usize) {
            None => format!(
                "function entry names index {name}, but the name pool has {} names",
                chunk.names.len()
            ),
            Some(fname) if entry > len => {
                format!("function `{fname}` enters at {entry}, past the end of the chunk ({len} ops)")
            }
            Some(_) => continue,
        };
        errors.push(VerifyError {
            ip: None,
            op: None,
            line: None,
            message,
        });
    }
    if errors.is_empty() {
        Ok(Verified {
            max_stack_growth: max_stack_growth(&chunk.ops),
        })
    } else {
        Err(errors)
    }
}

/// Forward dataflow over static stack heights (relative to entry), using the table's
/// stack effects. A path stops at an op with a dynamic effect.
fn max_stack_growth(ops: &[Op]) -> usize {
    let mut height: Vec<Option<i64>> = vec![None; ops.len() + 1];
    let mut work = vec![0usize];
    if let Some(h) = height.first_mut() {
        *h = Some(0);
    }
    let mut max = 0i64;
    while let Some(ip) = work.pop() {
        let (Some(op), Some(h)) = (ops.get(ip), height[ip]) else {
            continue;
        };
        let StackEffect::Fixed { pops, pushes } = op.stack_effect() else {
            continue;
        };
        let after = (h - pops as i64).max(0) + pushes as i64;
        max = max.max(after);
        let mut visit = |next: usize, height: &mut Vec<Option<i64>>| {
            if next < height.len() && height[next].is_none() {
                height[next] = Some(after);
                work.push(next);
            }
        };
        if let Some(t) = op.branch_target() {
            visit(t, &mut height);
        }
        if !matches!(op, Op::Jump(_)) {
            visit(ip + 1, &mut height);
        }
    }
    max as usize
}
