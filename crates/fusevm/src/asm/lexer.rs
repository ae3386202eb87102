//! The assembler's lexer: one source line in, a list of located tokens out.
//!
//! Lexing is line by line because the format is line oriented (one op or directive per line,
//! `;` comments to the end of the line, strings never span lines). A token is a *word*
//! (a maximal run of characters that are not white space, `"` or one of `,:;()[]{}`),
//! a string literal (escapes already decoded), or a punctuation character. Words are
//! classified later by the parser, because the same word means different things in
//! different places (`inf` is a float in a value literal but a name as a global operand).
//!
//! Invariant: columns are 1-based character (not byte) positions; every error names one.

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok<'a> {
    /// A bare word: mnemonic, directive (`.name`), identifier, number.
    Word(&'a str),
    /// A string literal, escapes decoded.
    Str(String),
    Comma,
    Colon,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
}

/// A token with where it starts and the source text it was made from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    /// 1-based character column of the token's first character.
    pub col: u32,
    /// The token exactly as written (for "found `...`" in messages).
    pub text: &'a str,
}

/// A lexing failure: the column and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexError {
    pub col: u32,
    pub message: String,
}

fn is_punct(c: char) -> bool {
    matches!(c, ',' | ':' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '"')
}

/// Splits `line` into tokens, stopping at a `;` comment. Columns count characters from 1.
pub(crate) fn lex_line(line: &str) -> Result<Vec<Token<'_>>, LexError> {
    let mut tokens = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut col: u32 = 0;
    while let Some((start, c)) = chars.next() {
        col = col.saturating_add(1);
        let tok_col = col;
        let punct = match c {
            ';' => break,
            ',' => Some(Tok::Comma),
            ':' => Some(Tok::Colon),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            '{' => Some(Tok::LBrace),
            '}' => Some(Tok::RBrace),
            _ => None,
        };
        if let Some(tok) = punct {
            tokens.push(Token {
                tok,
                col: tok_col,
                text: &line[start..start + 1],
            });
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if c == '"' {
            let (value, end, width) = lex_string(line, start, tok_col)?;
            col = col.saturating_add(width.saturating_sub(1));
            while chars.peek().is_some_and(|&(i, _)| i < end) {
                chars.next();
            }
            tokens.push(Token {
                tok: Tok::Str(value),
                col: tok_col,
                text: &line[start..end],
            });
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, d)) = chars.peek() {
            if d.is_whitespace() || is_punct(d) {
                break;
            }
            end = i + d.len_utf8();
            col = col.saturating_add(1);
            chars.next();
        }
        tokens.push(Token {
            tok: Tok::Word(&line[start..end]),
            col: tok_col,
            text: &line[start..end],
        });
    }
    Ok(tokens)
}

/// Lexes the string literal whose opening quote is at byte `start`. Returns the decoded
/// text, the byte index just past the closing quote and the literal's width in characters.
fn lex_string(line: &str, start: usize, start_col: u32) -> Result<(String, usize, u32), LexError> {
    let mut out = String::new();
    let mut it = line[start + 1..].char_indices();
    let mut col = start_col;
    let err = |col: u32, message: String| LexError { col, message };
    while let Some((i, c)) = it.next() {
        col = col.saturating_add(1);
        match c {
            '"' => return Ok((out, start + 1 + i + 1, col - start_col + 1)),
            '\\' => {
                let esc_col = col;
                let Some((_, e)) = it.next() else {
                    return Err(err(
                        start_col,
                        "unterminated string literal (no closing `\"`)".into(),
                    ));
                };
                col = col.saturating_add(1);
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    'u' => {
                        let (ch, used) = lex_unicode_escape(&line[start + 1 + i + 2..]).ok_or_else(|| {
                            err(
                                esc_col,
                                "expected a unicode escape `\\u{HEX}` naming a valid character".into(),
                            )
                        })?;
                        out.push(ch);
                        for _ in 0..used {
                            it.next();
                            col = col.saturating_add(1);
                        }
                    }
                    other => {
                        return Err(err(
                            esc_col,
                            format!(
                                "expected an escape (\\n \\t \\r \\0 \\\\ \\\" \\u{{..}}), found `\\{other}`"
                            ),
                        ))
                    }
                }
            }
            c => out.push(c),
        }
    }
    Err(err(
        start_col,
        "unterminated string literal (no closing `\"`)".into(),
    ))
}

/// Parses `{HEX}` at the start of `rest` (the text after `\u`); returns the character and
/// how many characters the braces and digits used.
fn lex_unicode_escape(rest: &str) -> Option<(char, usize)> {
    let body = rest.strip_prefix('{')?;
    let close = body.find('}')?;
    let hex = &body[..close];
    if hex.is_empty() || hex.len() > 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((ch, hex.len() + 2))
}

/// Parses an integer word: optional sign, then decimal digits or `0x` hex digits.
pub(crate) fn parse_int(word: &str) -> Option<i128> {
    let (neg, digits) = match word.as_bytes().first()? {
        b'-' => (true, &word[1..]),
        b'+' => (false, &word[1..]),
        _ => (false, word),
    };
    let magnitude = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u128::from_str_radix(hex, 16).ok()?
    } else {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<u128>().ok()?
    };
    if neg {
        0i128.checked_sub_unsigned(magnitude)
    } else {
        i128::try_from(magnitude).ok()
    }
}

/// Parses a float word: anything Rust's `f64` parser accepts (`1.5`, `-0.0`, `1e21`,
/// `NaN`, `inf`, `-inf`), integers included.
pub(crate) fn parse_float(word: &str) -> Option<f64> {
    word.parse::<f64>().ok()
}

/// Whether `word` is an identifier: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_ident(word: &str) -> bool {
    let mut bytes = word.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
