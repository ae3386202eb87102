//! Value literals: the text form of a [`Value`], shared by `.const`, inline constant
//! operands and test expectations (`; run: VALUE` in `.fasm` files).
//!
//! Grammar (see the module doc of [`crate::asm`]): `undef`, `true`, `false`, integers
//! (→ `Int`), float literals (→ `Float`; `bits(0x..)` gives exact bits), `"strings"`,
//! `status(N)`, `native(N)`, `[v, ...]`, `{"key": v, ...}`, `ref(v)`.
//!
//! Invariant: `parse_value(&format_value(v))` rebuilds `v` exactly (floats bit for bit),
//! and `format_value` is deterministic (hash keys sorted).

use super::lexer::{lex_line, parse_float, parse_int, Tok, Token};
use crate::value::ValueMap;
use crate::Value;

/// Deepest nesting of `[`, `{` and `ref(` a literal may have: parsing is recursive and
/// must not overflow the native stack on hostile input.
pub(crate) const MAX_DEPTH: usize = 64;

/// A located parse failure inside one line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseError {
    pub col: u32,
    pub message: String,
}

/// A cursor over one line's tokens.
pub(crate) struct Cursor<'t, 'a> {
    toks: &'t [Token<'a>],
    pos: usize,
    /// Column just past the last token (where "end of line" errors point).
    end_col: u32,
}

impl<'t, 'a> Cursor<'t, 'a> {
    pub fn new(toks: &'t [Token<'a>], end_col: u32) -> Self {
        Cursor {
            toks,
            pos: 0,
            end_col,
        }
    }

    pub fn peek(&self) -> Option<&'t Token<'a>> {
        self.toks.get(self.pos)
    }

    /// The token `n` places after the next one.
    pub fn peek_at(&self, n: usize) -> Option<&'t Token<'a>> {
        self.toks.get(self.pos + n)
    }

    pub fn next(&mut self) -> Option<&'t Token<'a>> {
        let t = self.toks.get(self.pos);
        self.pos += usize::from(t.is_some());
        t
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Column of the next token, or of the end of the line.
    pub fn col(&self) -> u32 {
        self.peek().map_or(self.end_col, |t| t.col)
    }

    /// Consumes the next token if it is `tok`.
    pub fn eat(&mut self, tok: &Tok<'_>) -> bool {
        let hit = self.peek().is_some_and(|t| &t.tok == tok);
        self.pos += usize::from(hit);
        hit
    }

    /// An error at the next token: "expected WHAT, found `TOKEN`".
    pub fn expected(&self, what: &str) -> ParseError {
        ParseError {
            col: self.col(),
            message: format!("expected {what}, found {}", self.found()),
        }
    }

    /// How the next token reads in a message.
    pub fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "end of line".to_string(), |t| format!("`{}`", t.text))
    }

    /// Requires `tok` next.
    pub fn expect(&mut self, tok: &Tok<'_>, what: &str) -> Result<(), ParseError> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }
}

const VALUE_WHAT: &str =
    "a value (undef, true, false, a number, \"string\", [..], {..}, status(N), native(N), ref(v))";

/// Parses one value literal from the whole of `text`.
pub fn parse_value(text: &str) -> Result<Value, String> {
    let located = |e: ParseError| format!("column {}: {}", e.col, e.message);
    let toks = lex_line(text).map_err(|e| {
        located(ParseError {
            col: e.col,
            message: e.message,
        })
    })?;
    let end_col = text.chars().count() as u32 + 1;
    let mut cur = Cursor::new(&toks, end_col);
    let value = parse_value_at(&mut cur, 0).map_err(located)?;
    if !cur.at_end() {
        return Err(located(cur.expected("the end of the value")));
    }
    Ok(value)
}

/// Parses a value literal at the cursor.
pub(crate) fn parse_value_at(cur: &mut Cursor<'_, '_>, depth: usize) -> Result<Value, ParseError> {
    if depth >= MAX_DEPTH {
        return Err(ParseError {
            col: cur.col(),
            message: format!("value literal nested too deeply (limit {MAX_DEPTH})"),
        });
    }
    let Some(tok) = cur.peek() else {
        return Err(cur.expected(VALUE_WHAT));
    };
    match &tok.tok {
        Tok::Str(s) => {
            cur.next();
            Ok(Value::str(s.as_str()))
        }
        Tok::LBracket => {
            cur.next();
            let mut items = Vec::new();
            while !cur.eat(&Tok::RBracket) {
                items.push(parse_value_at(cur, depth + 1)?);
                if !cur.eat(&Tok::Comma) {
                    cur.expect(&Tok::RBracket, "`,` or `]`")?;
                    break;
                }
            }
            Ok(Value::array(items))
        }
        Tok::LBrace => {
            cur.next();
            parse_hash_body(cur, depth)
        }
        Tok::Word(w) => parse_word_value(cur, w, depth),
        _ => Err(cur.expected(VALUE_WHAT)),
    }
}

/// The entries of a `{..}` literal after its `{`.
fn parse_hash_body(cur: &mut Cursor<'_, '_>, depth: usize) -> Result<Value, ParseError> {
    let mut map = ValueMap::default();
    while !cur.eat(&Tok::RBrace) {
        let key_col = cur.col();
        let key = match cur.peek().map(|t| &t.tok) {
            Some(Tok::Str(s)) => s.clone(),
            _ => return Err(cur.expected("a hash key (a \"string\")")),
        };
        cur.next();
        cur.expect(&Tok::Colon, "`:` after the hash key")?;
        let value = parse_value_at(cur, depth + 1)?;
        if map.insert(key.clone(), value).is_some() {
            return Err(ParseError {
                col: key_col,
                message: format!("duplicate hash key {}", quote(&key)),
            });
        }
        if !cur.eat(&Tok::Comma) {
            cur.expect(&Tok::RBrace, "`,` or `}`")?;
            break;
        }
    }
    Ok(Value::Hash(Box::new(map)))
}

/// A value that starts with a word: keyword, number or `name(..)` form.
fn parse_word_value(cur: &mut Cursor<'_, '_>, word: &str, depth: usize) -> Result<Value, ParseError> {
    let col = cur.col();
    match word {
        "undef" | "true" | "false" => {
            cur.next();
            return Ok(match word {
                "undef" => Value::Undef,
                w => Value::Bool(w == "true"),
            });
        }
        "status" | "native" | "bits" | "ref" => {
            cur.next();
            cur.expect(&Tok::LParen, &format!("`(` after `{word}`"))?;
            let value = if word == "ref" {
                Value::Ref(Box::new(parse_value_at(cur, depth + 1)?))
            } else {
                let n_col = cur.col();
                let n = cur.next().and_then(|t| match t.tok {
                    Tok::Word(w) => parse_int(w),
                    _ => None,
                });
                let bad = |ty: &str| ParseError {
                    col: n_col,
                    message: format!("expected {ty} inside `{word}(..)`"),
                };
                match word {
                    "status" => Value::Status(
                        n.and_then(|n| i32::try_from(n).ok())
                            .ok_or_else(|| bad("an i32"))?,
                    ),
                    "native" => Value::NativeFn(
                        n.and_then(|n| u16::try_from(n).ok())
                            .ok_or_else(|| bad("a u16"))?,
                    ),
                    _ => Value::Float(f64::from_bits(
                        n.and_then(|n| u64::try_from(n).ok())
                            .ok_or_else(|| bad("a u64 bit pattern"))?,
                    )),
                }
            };
            cur.expect(&Tok::RParen, "`)`")?;
            return Ok(value);
        }
        _ => {}
    }
    if let Some(n) = parse_int(word) {
        cur.next();
        return i64::try_from(n).map(Value::Int).map_err(|_| ParseError {
            col,
            message: format!("integer literal `{word}` does not fit in i64"),
        });
    }
    if let Some(f) = parse_float(word) {
        cur.next();
        return Ok(Value::Float(f));
    }
    Err(cur.expected(VALUE_WHAT))
}

/// The text form of `value`; `parse_value` reads it back exactly.
pub fn format_value(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Undef => out.push_str("undef"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Float(f) => out.push_str(&format_float(*f)),
        Value::Str(s) => out.push_str(&quote(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, v);
            }
            out.push(']');
        }
        Value::Hash(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote(k));
                out.push_str(": ");
                write_value(out, v);
            }
            out.push('}');
        }
        Value::Status(c) => out.push_str(&format!("status({c})")),
        Value::Ref(inner) => {
            out.push_str("ref(");
            write_value(out, inner);
            out.push(')');
        }
        Value::NativeFn(id) => out.push_str(&format!("native({id})")),
    }
}

/// A float in a form that parses back to the same bits: Rust's shortest round-trip `Debug`
/// form (`1.0`, `-0.0`, `1e21`, `inf`, `NaN`), or `bits(0x..)` for a NaN other than the
/// one `"NaN"` parses to.
pub(crate) fn format_float(f: f64) -> String {
    if f.is_nan() && f.to_bits() != f64::NAN.to_bits() {
        format!("bits(0x{:016x})", f.to_bits())
    } else {
        format!("{f:?}")
    }
}

/// A string literal with escapes: `\\`, `\"`, `\n`, `\t`, `\r`, `\0`, and `\u{..}` for
/// other control characters.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
