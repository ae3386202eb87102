//! Runtime and verification errors: one small structured type with a kind, a message and
//! the place (instruction index, op, source line).
//!
//! `VMResult::Error(String)` (upstream's shape) carries this error's `Display` text, and
//! `VM::last_error` hands out the structured value. Constructors are `#[cold]`: errors are
//! off the hot path.

use crate::Op;
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The chunk failed verification before it ran.
    Verify,
    /// `Call` / `CallFunction` named a function with no entry.
    UndefinedFunction,
    /// `Call` with more arguments than the stack holds.
    StackUnderflow,
    /// The value stack grew past `Limits::max_stack`.
    StackOverflow,
    /// Call depth exceeded `Limits::max_call_depth`.
    CallDepth,
    /// The instruction budget (`Limits::fuel`) ran out.
    OutOfFuel,
    /// Another thread asked the run to stop (`InterruptHandle::interrupt`).
    Interrupted,
    /// A string would exceed `Limits::max_string_len`.
    StringTooLong,
    /// An array or hash would exceed `Limits::max_collection_len`.
    CollectionTooLarge,
    /// A negative or otherwise unusable array index on a store.
    BadIndex,
    /// `PopFrame` with no open frame (the top-level frame cannot be popped).
    BadFrame,
}

impl ErrorKind {
    /// A short stable name, e.g. `"out-of-fuel"`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Verify => "verify",
            ErrorKind::UndefinedFunction => "undefined-function",
            ErrorKind::StackUnderflow => "stack-underflow",
            ErrorKind::StackOverflow => "stack-overflow",
            ErrorKind::CallDepth => "call-depth",
            ErrorKind::OutOfFuel => "out-of-fuel",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::StringTooLong => "string-too-long",
            ErrorKind::CollectionTooLarge => "collection-too-large",
            ErrorKind::BadIndex => "bad-index",
            ErrorKind::BadFrame => "bad-frame",
        }
    }
}

/// A failure inside an op, before the interpreter attaches the place.
#[derive(Debug, Clone, PartialEq)]
pub struct Trap {
    pub kind: ErrorKind,
    pub message: String,
}

impl Trap {
    #[cold]
    #[inline(never)]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Trap {
            kind,
            message: message.into(),
        }
    }
}

/// A located error: what, where (instruction index, op, source line).
#[derive(Debug, Clone, PartialEq)]
pub struct VmError {
    pub kind: ErrorKind,
    pub message: String,
    /// Index of the op that failed (`None` for chunk-level problems).
    pub ip: Option<usize>,
    /// The op that failed.
    pub op: Option<Op>,
    /// Its source line from `Chunk::lines` (`None` when the chunk has no line for it).
    pub line: Option<u32>,
}

impl VmError {
    #[cold]
    #[inline(never)]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        VmError {
            kind,
            message: message.into(),
            ip: None,
            op: None,
            line: None,
        }
    }

    /// Attaches the place from a chunk's op list and line table.
    #[cold]
    pub fn at(mut self, ip: usize, ops: &[Op], lines: &[u32]) -> Self {
        self.ip = Some(ip);
        self.op = ops.get(ip).copied();
        self.line = lines.get(ip).copied();
        self
    }
}

impl From<Trap> for VmError {
    #[cold]
    fn from(t: Trap) -> Self {
        VmError::new(t.kind, t.message)
    }
}

impl fmt::Display for VmError {
    /// `message (at ip 12 `add`, line 3)`; upstream's messages (e.g. `undefined function:
    /// NAME`) stay a prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(ip) = self.ip {
            write!(f, " (at ip {ip}")?;
            if let Some(op) = &self.op {
                write!(f, " `{op}`")?;
            }
            if let Some(line) = self.line {
                write!(f, ", line {line}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for VmError {}
