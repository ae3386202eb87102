//! `Print`, `PrintLn` and `ReadLine`: the process's stdout and stdin. Write and read errors
//! are ignored, as upstream.

use super::VM;
use crate::error::Trap;
use crate::Value;
use std::io::{BufRead, Write};

impl VM {
    /// Pops the top `n` values and writes them deepest first, with no separator.
    #[inline(never)]
    pub(super) fn exec_print(&mut self, n: u8, newline: bool) -> Result<(), Trap> {
        let at = self.stack.len().saturating_sub(n as usize);
        let form_len = self.stack[at..]
            .iter()
            .fold(0usize, |sum, v| sum.saturating_add(v.str_form_len()));
        self.check_string_len(form_len)?;
        let mut text = String::new();
        for v in self.stack.drain(at..) {
            v.write_str_to(&mut text);
        }
        if newline {
            text.push('\n');
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
        Ok(())
    }

    /// One line of stdin without its trailing `\n`s (`\r` kept); `""` at end of input.
    #[inline(never)]
    pub(super) fn exec_read_line(&mut self) {
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        while line.ends_with('\n') {
            line.pop();
        }
        self.stack.push(Value::str(line));
    }
}
