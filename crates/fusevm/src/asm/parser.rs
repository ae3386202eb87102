//! The assembler proper: text lines in, a [`Chunk`] out.
//!
//! Every op is parsed the same way, from the op table: look the mnemonic up with
//! [`OpInfo::by_mnemonic`], read one operand per entry of `OpInfo::operands` according to
//! its [`OperandKind`], and build the op with [`Op::from_operands`] (which checks the
//! Rust operand types' ranges). There is no per-op code here.
//!
//! Nested `.sub` ... `.end` chunks are kept on an explicit stack (no recursion), each with
//! its own pools, labels and line state. Labels are resolved when their chunk closes.
//! Invariant: the first problem found is returned as an [`AsmError`]; nothing panics.

use super::lexer::{is_ident, lex_line, parse_float, parse_int, Tok};
use super::value_lit::{parse_value_at, Cursor, ParseError};
use super::{AsmError, Location, OpLocation, SourceMap};
use crate::isa::{OpInfo, OperandKind, OperandValue};
use crate::{Chunk, Op};
use std::collections::HashMap;

/// Deepest `.sub` nesting accepted (nested chunks are dropped and disassembled
/// recursively, so the depth must stay bounded).
const MAX_SUB_DEPTH: usize = 64;

/// A use of a label that is resolved when its chunk closes.
struct Fixup {
    ip: usize,
    operand: usize,
    label: String,
    line: u32,
    col: u32,
}

/// One chunk being assembled.
struct ChunkState {
    chunk: Chunk,
    /// First index of every name in the pool (what interning returns).
    name_index: HashMap<String, u16>,
    /// Label name -> (op index, text line of the definition).
    labels: HashMap<String, (usize, u32)>,
    fixups: Vec<Fixup>,
    /// The line set by the last `.line`, if any.
    line: Option<u32>,
    /// Where its `.sub` was (line, column); unused for the root.
    opened_at: (u32, u32),
    /// Where each op and function entry was written.
    map: SourceMap,
}

impl ChunkState {
    fn new(source: &str, opened_at: (u32, u32)) -> Self {
        let chunk = Chunk {
            source: source.to_string(),
            ..Chunk::default()
        };
        ChunkState {
            chunk,
            name_index: HashMap::new(),
            labels: HashMap::new(),
            fixups: Vec::new(),
            line: None,
            opened_at,
            map: SourceMap::default(),
        }
    }

    /// Appends a name unconditionally (`.name`), remembering its first index.
    fn push_name(&mut self, name: &str) {
        if let Ok(idx) = u16::try_from(self.chunk.names.len()) {
            self.name_index.entry(name.to_string()).or_insert(idx);
        }
        self.chunk.names.push(name.to_string());
    }

    /// Interns a name like `ChunkBuilder::add_name`: the first equal name's index, or a new one.
    fn intern(&mut self, name: &str) -> Result<u16, String> {
        if let Some(&idx) = self.name_index.get(name) {
            return Ok(idx);
        }
        let idx = u16::try_from(self.chunk.names.len())
            .map_err(|_| "the name pool is full (65536 names fit a u16 index)".to_string())?;
        self.push_name(name);
        Ok(idx)
    }
}

/// Assembles `source`; `file_name` is used in errors and as the default `Chunk::source`.
/// Also returns where each op and function entry was written.
pub(crate) fn assemble(source: &str, file_name: &str) -> Result<(Chunk, SourceMap), AsmError> {
    let mut asm = Assembler {
        file: file_name,
        stack: vec![ChunkState::new(file_name, (0, 0))],
    };
    for (i, text) in source.split('\n').enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let text = text.strip_suffix('\r').unwrap_or(text);
        asm.line(text, line)?;
    }
    if asm.stack.len() > 1 {
        let (line, col) = asm.top().opened_at;
        return Err(asm.error(line, col, "`.sub` has no matching `.end`".into()));
    }
    let root = asm
        .stack
        .pop()
        .ok_or_else(|| asm.error(1, 1, "internal: no chunk".into()))?;
    asm.finish(root)
}

struct Assembler<'f> {
    file: &'f str,
    /// The root chunk, then each open `.sub`.
    stack: Vec<ChunkState>,
}

impl Assembler<'_> {
    fn error(&self, line: u32, col: u32, message: String) -> AsmError {
        AsmError {
            file: self.file.to_string(),
            line,
            col,
            message,
        }
    }

    fn top(&mut self) -> &mut ChunkState {
        // The root is pushed first and only `.end` pops, never the root.
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// Assembles one line of text.
    fn line(&mut self, text: &str, line: u32) -> Result<(), AsmError> {
        let toks = lex_line(text).map_err(|e| self.error(line, e.col, e.message))?;
        let end_col = u32::try_from(text.chars().count()).unwrap_or(u32::MAX - 1) + 1;
        let mut cur = Cursor::new(&toks, end_col);
        match self
            .statement(&mut cur, line)
            .map_err(|e| self.error(line, e.col, e.message))?
        {
            Action::Done => Ok(()),
            Action::EndSub => {
                let Some(done) = self.stack.pop() else {
                    return Ok(());
                };
                let (chunk, map) = self.finish(done)?;
                let parent = self.top();
                parent.chunk.sub_chunks.push(chunk);
                parent.map.sub_chunks.push(map);
                Ok(())
            }
        }
    }

    fn statement(&mut self, cur: &mut Cursor<'_, '_>, line: u32) -> Result<Action, ParseError> {
        // Leading labels: `name:`.
        while let (Some(tok), Some(next)) = (cur.peek(), cur.peek_at(1)) {
            let (Tok::Word(word), Tok::Colon) = (&tok.tok, &next.tok) else {
                break;
            };
            if !is_ident(word) {
                return Err(cur.expected("a label name (an identifier)"));
            }
            let col = tok.col;
            let state = self.top();
            let ip = state.chunk.ops.len();
            if let Some(&(_, first)) = state.labels.get(*word) {
                return Err(ParseError {
                    col,
                    message: format!("duplicate label `{word}` (first defined on line {first})"),
                });
            }
            state.labels.insert(word.to_string(), (ip, line));
            cur.next();
            cur.next();
        }
        let Some(tok) = cur.peek() else {
            return Ok(Action::Done);
        };
        match &tok.tok {
            Tok::Word(w) if w.starts_with('.') => self.directive(cur, line),
            Tok::Word(w) => {
                let Some((opcode, info)) = OpInfo::by_mnemonic(w) else {
                    return Err(ParseError {
                        col: tok.col,
                        message: format!("unknown mnemonic `{w}`"),
                    });
                };
                let at = Location { line, col: tok.col };
                cur.next();
                self.op(cur, at, opcode, info).map(|()| Action::Done)
            }
            _ => Err(cur.expected("a mnemonic, a directive or a label")),
        }
    }

    /// Parses the operands of one op and appends it.
    fn op(
        &mut self,
        cur: &mut Cursor<'_, '_>,
        at: Location,
        opcode: u8,
        info: &OpInfo,
    ) -> Result<(), ParseError> {
        let line = at.line;
        let mut values = Vec::with_capacity(info.operands.len());
        let mut cols = Vec::with_capacity(info.operands.len());
        let mut texts = Vec::with_capacity(info.operands.len());
        let mut labels = Vec::new();
        for (i, &(name, kind)) in info.operands.iter().enumerate() {
            if i > 0 {
                cur.eat(&Tok::Comma);
            }
            if cur.at_end() {
                return Err(cur.expected(&format!("operand `{name}` of `{}`", info.mnemonic)));
            }
            cols.push(cur.col());
            texts.push(cur.peek().map_or("", |t| t.text));
            match self.operand(cur, kind)? {
                Operand::Value(v) => values.push(v),
                Operand::Label(label, col) => {
                    labels.push((i, label, col));
                    values.push(OperandValue::Int(0));
                }
            }
        }
        if !cur.at_end() {
            // Point at the surplus operand rather than at the comma before it.
            if cur.peek().is_some_and(|t| t.tok == Tok::Comma) && cur.peek_at(1).is_some() {
                cur.next();
            }
            let n = info.operands.len();
            return Err(cur.expected(&format!(
                "end of line after the {n} operand(s) of `{}`",
                info.mnemonic
            )));
        }
        let op = Op::from_operands(opcode, &values)
            .map_err(|_| operand_error(opcode, info, &values, &cols, &texts))?;
        let state = self.top();
        let ip = state.chunk.ops.len();
        for (operand, label, col) in labels {
            state.fixups.push(Fixup {
                ip,
                operand,
                label,
                line,
                col,
            });
        }
        let op_line = state.line.unwrap_or(line);
        state.chunk.ops.push(op);
        state.chunk.lines.push(op_line);
        state.map.ops.push(OpLocation { at, operands: cols });
        Ok(())
    }

    /// Parses one operand of the given kind.
    fn operand(&mut self, cur: &mut Cursor<'_, '_>, kind: OperandKind) -> Result<Operand, ParseError> {
        let tok = cur.peek().ok_or_else(|| cur.expected("an operand"))?;
        let col = tok.col;
        let word = match &tok.tok {
            Tok::Word(w) => Some(*w),
            _ => None,
        };
        let int = word.and_then(parse_int);
        let value = match kind {
            OperandKind::Target => match (int, word) {
                (Some(n), _) => OperandValue::Int(n),
                (None, Some(w)) if is_ident(w) => {
                    cur.next();
                    return Ok(Operand::Label(w.to_string(), col));
                }
                _ => return Err(cur.expected("a jump target (label or op index)")),
            },
            OperandKind::Float => {
                if let Some(n) = int {
                    OperandValue::Int(n)
                } else if word == Some("bits") {
                    return match parse_value_at(cur, 0)? {
                        crate::Value::Float(f) => Ok(Operand::Value(OperandValue::Float(f))),
                        _ => Err(ParseError {
                            col,
                            message: "expected a float".into(),
                        }),
                    };
                } else if let Some(f) = word.and_then(parse_float) {
                    OperandValue::Float(f)
                } else {
                    return Err(cur.expected("a float literal (1.5, -0.0, 1e21, NaN, inf, -inf)"));
                }
            }
            OperandKind::Const => {
                if let Some(n) = int {
                    OperandValue::Int(n)
                } else {
                    let value = parse_value_at(cur, 0)?;
                    let state = self.top();
                    let idx = u16::try_from(state.chunk.constants.len()).map_err(|_| ParseError {
                        col,
                        message: "the constant pool is full (65536 constants fit a u16 index)".into(),
                    })?;
                    state.chunk.constants.push(value);
                    return Ok(Operand::Value(OperandValue::Int(idx.into())));
                }
            }
            OperandKind::Global | OperandKind::Func => match (&tok.tok, int) {
                (_, Some(n)) => OperandValue::Int(n),
                (Tok::Word(w), None) if is_ident(w) => self.intern_at(w, col)?,
                (Tok::Str(s), None) => self.intern_at(s, col)?,
                _ => return Err(cur.expected("a name (identifier, \"string\" or name index)")),
            },
            other => match int {
                Some(n) => OperandValue::Int(n),
                None => return Err(cur.expected(&format!("an integer ({})", kind_what(other)))),
            },
        };
        cur.next();
        Ok(Operand::Value(value))
    }

    fn intern_at(&mut self, name: &str, col: u32) -> Result<OperandValue, ParseError> {
        let idx = self
            .top()
            .intern(name)
            .map_err(|message| ParseError { col, message })?;
        Ok(OperandValue::Int(idx.into()))
    }

    /// Parses a directive line (the cursor is at the directive word).
    fn directive(&mut self, cur: &mut Cursor<'_, '_>, line: u32) -> Result<Action, ParseError> {
        let Some(tok) = cur.next() else {
            return Ok(Action::Done);
        };
        let (col, Tok::Word(name)) = (tok.col, &tok.tok) else {
            return Ok(Action::Done);
        };
        let mut action = Action::Done;
        match *name {
            ".source" => {
                let s = name_arg(cur, "a file name (\"string\" or identifier)")?;
                self.top().chunk.source = s;
            }
            ".name" => {
                let s = name_arg(cur, "a name (\"string\" or identifier)")?;
                self.top().push_name(&s);
            }
            ".const" => {
                let value = parse_value_at(cur, 0)?;
                self.top().chunk.constants.push(value);
            }
            ".func" => {
                let name_col = cur.col();
                let s = name_arg(cur, "a function name (\"string\" or identifier)")?;
                let state = self.top();
                let idx = state.intern(&s).map_err(|message| ParseError {
                    col: name_col,
                    message,
                })?;
                let ip = state.chunk.ops.len();
                state.chunk.sub_entries.push((idx, ip));
                state.map.entries.push(Location { line, col });
            }
            ".entry" => {
                let name = int_arg::<u16>(cur, "a name index (u16)")?;
                cur.eat(&Tok::Comma);
                let ip = int_arg::<usize>(cur, "an entry op index")?;
                let state = self.top();
                state.chunk.sub_entries.push((name, ip));
                state.map.entries.push(Location { line, col });
            }
            ".block_range" => {
                let start = int_arg::<usize>(cur, "a start op index")?;
                cur.eat(&Tok::Comma);
                let end = int_arg::<usize>(cur, "an end op index")?;
                self.top().chunk.block_ranges.push((start, end));
            }
            ".line" => {
                let n = int_arg::<u32>(cur, "a line number (u32)")?;
                self.top().line = Some(n);
            }
            ".sub" => {
                if self.stack.len() > MAX_SUB_DEPTH {
                    return Err(ParseError {
                        col,
                        message: format!("`.sub` nested too deeply (limit {MAX_SUB_DEPTH})"),
                    });
                }
                self.stack.push(ChunkState::new("", (line, col)));
            }
            ".end" => {
                if self.stack.len() < 2 {
                    return Err(ParseError {
                        col,
                        message: "`.end` without a matching `.sub`".into(),
                    });
                }
                action = Action::EndSub;
            }
            other => {
                return Err(ParseError {
                    col,
                    message: format!("unknown directive `{other}`"),
                })
            }
        }
        if !cur.at_end() {
            return Err(cur.expected(&format!("end of line after `{name}`")));
        }
        Ok(action)
    }

    /// Resolves a closed chunk's labels (errors point at the label's use) and seals it.
    fn finish(&self, mut state: ChunkState) -> Result<(Chunk, SourceMap), AsmError> {
        for fix in &state.fixups {
            let Some(&(target, _)) = state.labels.get(&fix.label) else {
                return Err(self.error(fix.line, fix.col, format!("undefined label `{}`", fix.label)));
            };
            let Some(op) = state.chunk.ops.get_mut(fix.ip) else {
                continue;
            };
            let mut values: Vec<OperandValue> = op.operands().as_slice().to_vec();
            if let Some(v) = values.get_mut(fix.operand) {
                *v = OperandValue::Int(target as i128);
            }
            *op = Op::from_operands(op.opcode(), &values)
                .map_err(|e| self.error(fix.line, fix.col, e.to_string()))?;
        }
        state.chunk.op_hash = state.chunk.compute_op_hash();
        Ok((state.chunk, state.map))
    }
}

/// A parsed operand: a value, or a label resolved later.
enum Operand {
    Value(OperandValue),
    Label(String, u32),
}

/// What a line asks of the chunk stack once it parsed.
enum Action {
    Done,
    /// `.end`: close the innermost `.sub`.
    EndSub,
}

/// A string or identifier argument of a directive.
fn name_arg(cur: &mut Cursor<'_, '_>, what: &str) -> Result<String, ParseError> {
    let s = match cur.peek().map(|t| &t.tok) {
        Some(Tok::Str(s)) => s.clone(),
        Some(Tok::Word(w)) if is_ident(w) => w.to_string(),
        _ => return Err(cur.expected(what)),
    };
    cur.next();
    Ok(s)
}

/// An integer argument of a directive, range-checked for `T`.
fn int_arg<T: TryFrom<i128>>(cur: &mut Cursor<'_, '_>, what: &str) -> Result<T, ParseError> {
    let n = cur.peek().and_then(|t| match t.tok {
        Tok::Word(w) => parse_int(w).and_then(|n| T::try_from(n).ok()),
        _ => None,
    });
    let n = n.ok_or_else(|| cur.expected(what))?;
    cur.next();
    Ok(n)
}

/// What an integer operand kind means, for messages.
fn kind_what(kind: OperandKind) -> &'static str {
    match kind {
        OperandKind::Int => "an integer literal",
        OperandKind::Float => "a float",
        OperandKind::Const => "a constant index",
        OperandKind::Slot => "a slot index",
        OperandKind::Global | OperandKind::Func => "a name index",
        OperandKind::Target => "an op index",
        OperandKind::Limit => "a loop limit",
        OperandKind::Count => "a count",
        OperandKind::SubChunk => "a sub-chunk index",
        OperandKind::Block => "a block-range index",
        OperandKind::Builtin => "a builtin id",
        OperandKind::ExtId => "an extension id",
        OperandKind::Imm8 => "an 8-bit argument",
        OperandKind::Payload => "a payload",
        OperandKind::Fd => "a file descriptor",
        OperandKind::RedirectOp => "a redirection kind",
        OperandKind::FileTest => "a file test kind",
        OperandKind::ParamMod => "a parameter modifier",
    }
}

/// The error for operand values that do not make an op: the first operand that fails on
/// its own (found by building the op with every other operand at 0, a value every operand
/// type holds), described by the range its Rust type accepts.
fn operand_error(
    opcode: u8,
    info: &OpInfo,
    values: &[OperandValue],
    cols: &[u32],
    texts: &[&str],
) -> ParseError {
    let zeros = vec![OperandValue::Int(0); values.len()];
    let alone = |i: usize, v: OperandValue| {
        let mut probe = zeros.clone();
        probe[i] = v;
        Op::from_operands(opcode, &probe).is_ok()
    };
    let Some(i) = (0..values.len()).find(|&i| !alone(i, values[i])) else {
        return ParseError {
            col: cols.first().copied().unwrap_or(1),
            message: "invalid operands".into(),
        };
    };
    let (name, kind) = info.operands[i];
    let found = texts.get(i).copied().unwrap_or("");
    let message = if kind == OperandKind::Float {
        format!("expected a float for operand `{name}`, found `{found}` (not exactly representable as f64)")
    } else {
        let (min, max) = int_range(|v| alone(i, OperandValue::Int(v)));
        format!("expected an integer in {min}..={max} for operand `{name}`, found `{found}`")
    };
    ParseError {
        col: cols.get(i).copied().unwrap_or(1),
        message,
    }
}

/// The range of an integer operand type, probed with `accepts` at the bounds of the Rust
/// integer types operands use (`u8`, `u16`, `i32`, `i64`, `usize`).
fn int_range(accepts: impl Fn(i128) -> bool) -> (i128, i128) {
    let maxima = [
        u8::MAX as i128,
        u16::MAX as i128,
        i32::MAX as i128,
        i64::MAX as i128,
        usize::MAX as i128,
    ];
    let minima = [0, i32::MIN as i128, i64::MIN as i128];
    let max = maxima.iter().copied().filter(|&m| accepts(m)).max().unwrap_or(0);
    let min = minima.iter().copied().filter(|&m| accepts(m)).min().unwrap_or(0);
    (min, max)
}
