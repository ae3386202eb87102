//! Text assembler and disassembler for chunks, both driven entirely by the op table
//! ([`crate::isa::OP_INFO`]): a new op is assembled and disassembled without touching
//! this module.
//!
//! [`assemble`] turns text into a [`Chunk`]; [`disassemble`] turns a chunk back into text
//! that assembles to an identical chunk. [`parse_value`] / [`format_value`] convert
//! [`Value`](crate::Value)s to and from their literal form. No input text makes any of them panic;
//! errors are an [`AsmError`] located at `file:line:col`.
//!
//! # The text format
//!
//! The format is line oriented. `;` starts a comment that runs to the end of the line.
//! Each line holds at most one op or directive, optionally preceded by labels.
//!
//! ```text
//! ; sum 0..10 into slot 0
//! .source "sum.fasm"
//!         load_int 0
//!         set_slot 0
//!         load_int 0
//!         set_slot 1
//! top:    get_slot 1
//!         load_int 10
//!         num_lt
//!         jump_if_false done
//!         add_assign_slot_void 0, 1
//!         pre_inc_slot_void 1
//!         jump top
//! done:   get_slot 0
//! ```
//!
//! ## Ops
//!
//! `mnemonic operand, operand, ...` — the mnemonic is the op's snake-case name from the op
//! table (`LoadInt` is `load_int`, `SlotIncLtIntJumpBack` is `slot_inc_lt_int_jump_back`).
//! Commas between operands are optional. Each operand is read according to its kind:
//!
//! | Kind | Syntax |
//! |---|---|
//! | integer kinds (`Int`, `Slot`, `Count`, `Limit`, `Fd`, `SubChunk`, `Builtin`, ...) | a decimal integer with optional sign, or `0x` hex; checked against the operand's Rust type |
//! | `Float` | a float literal: `1.5`, `-0.0`, `1e21`, `NaN`, `inf`, `-inf`; an exactly representable integer; or `bits(0x7ff8000000000001)` for exact bits |
//! | `Const` | a constant-pool index, **or** a value literal (see below) that appends a new constant; a bare integer is always an index |
//! | `Global`, `Func` | a name-pool index, or an identifier / `"string"` that is interned into the name pool (the first equal name's index, else appended) |
//! | `Target` | a label, or an absolute op index |
//!
//! ## Labels
//!
//! `name:` binds `name` (an identifier `[A-Za-z_][A-Za-z0-9_]*`) to the index of the next
//! op; it may stand on its own line or before an op or directive. A label at the end of the
//! text names the position just past the last op. Labels are local to their chunk (each
//! `.sub` has its own); defining one twice is an error, and so is using one that is never
//! defined.
//!
//! ## Directives
//!
//! | Directive | Effect |
//! |---|---|
//! | `.source "file.ext"` | sets `Chunk::source` (default: the `file_name` passed to [`assemble`] for the outer chunk, `""` for a `.sub`) |
//! | `.name NAME` | appends `NAME` (identifier or string) to the name pool, even if an equal name exists; operands that name it use the first equal entry |
//! | `.const VALUE` | appends a constant |
//! | `.func NAME` | registers a function entry (`sub_entries` row) for the interned `NAME` at the next op's index |
//! | `.entry NAME_INDEX, IP` | appends a raw `sub_entries` row (what the disassembler writes when `.func` would not reproduce the table exactly) |
//! | `.block_range START, END` | appends a `block_ranges` row |
//! | `.line N` | the ops that follow get source line `N`, until the next `.line`. Without any `.line`, an op's line is its line number in the text |
//! | `.sub` ... `.end` | a nested chunk with the same syntax (and its own pools, labels and lines), appended to `sub_chunks`; nesting is allowed (up to 64 deep) |
//!
//! ## Value literals
//!
//! Used by `.const`, inline `Const` operands and test expectations:
//! `undef`, `true`, `false`; integers (→ `Int`, must fit `i64`); float literals (→ `Float`,
//! including `NaN`, `inf`, `-inf`, `-0.0`, `1e21`, and `bits(0x..)` for exact bits);
//! `"strings"` with escapes `\n \t \r \0 \\ \" \u{1F600}`; `status(N)`; `native(N)`;
//! `[v, v, ...]` (→ `Array`); `{"key": v, ...}` (→ `Hash`; keys are strings, duplicates
//! are an error); `ref(v)`. Trailing commas are allowed inside `[..]` and `{..}`.
//!
//! ## What the disassembler writes
//!
//! `.source`, every `.name` and `.const` in pool order (the index in a comment), the
//! function table (as `.func NAME` at each entry when that rebuilds it exactly, else as
//! `.entry` rows), `.block_range` rows, then the ops: a `.line` whenever the source line
//! changes, a label `L<ip>:` before every op that is a jump target (targets past the end are
//! written as integers), and sub-chunks as indented `.sub` ... `.end` blocks. Names are
//! written as identifiers or strings when that reproduces the same index, floats in Rust's
//! shortest round-trip form. A chunk whose line table does not have exactly one line per op
//! is written with the lines it has, so it does not round-trip exactly.

mod disasm;
mod lexer;
mod parser;
mod value_lit;

#[cfg(test)]
mod tests;

pub use value_lit::{format_value, parse_value};

use crate::Chunk;
use std::fmt;

/// An assembly error, located in the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsmError {
    /// The `file_name` given to [`assemble`].
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for AsmError {
    /// `file:line:col: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.col, self.message)
    }
}

impl std::error::Error for AsmError {}

/// Assembles `source` into a chunk; `file_name` names the text in errors and is the default
/// `Chunk::source`.
pub fn assemble(source: &str, file_name: &str) -> Result<Chunk, AsmError> {
    parser::assemble(source, file_name).map(|(chunk, _)| chunk)
}

/// Like [`assemble`], and also returns where in the text each op and function entry was
/// written, so tools can point problems found later (by the verifier, at run time) at
/// `file:line:col` even when `.line` directives give the ops other line numbers.
pub fn assemble_with_map(source: &str, file_name: &str) -> Result<(Chunk, SourceMap), AsmError> {
    parser::assemble(source, file_name)
}

/// A position in the assembly text: 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: u32,
    pub col: u32,
}

/// Where one op was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpLocation {
    /// The mnemonic.
    pub at: Location,
    /// The column of each operand, in declaration order (same line as the mnemonic).
    pub operands: Vec<u32>,
}

/// Where the parts of an assembled chunk were written (see [`assemble_with_map`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// Parallel to `Chunk::ops`.
    pub ops: Vec<OpLocation>,
    /// Parallel to `Chunk::sub_entries`: the `.func` or `.entry` directive.
    pub entries: Vec<Location>,
    /// Parallel to `Chunk::sub_chunks`.
    pub sub_chunks: Vec<SourceMap>,
}

/// Writes `chunk` as assembly text that [`assemble`] turns back into the same chunk.
pub fn disassemble(chunk: &Chunk) -> String {
    disasm::disassemble(chunk)
}
