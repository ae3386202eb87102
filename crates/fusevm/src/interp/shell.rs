//! Shell ops: routed to the installed `ShellHost`, or with no host to inert stand-ins that
//! equal `DefaultHost` (upstream's no-host path spawns processes and reads the file system;
//! ours never does: see docs/compat.md).
//!
//! `Exec` and `CallFunction` can also enter in-chunk functions by name, passing their
//! arguments as strings (upstream's calling convention for shell functions).

use super::VM;
use crate::error::Trap;
use crate::host::{DefaultHost, ShellHost};
use crate::{Chunk, Value};
use std::io::Write;

impl VM {
    /// Runs `f` on the host, or on the inert default host when none is installed.
    #[inline(never)]
    pub(super) fn with_host<R>(&mut self, f: impl FnOnce(&mut dyn ShellHost) -> R) -> R {
        match self.host.as_deref_mut() {
            Some(h) => f(h),
            None => f(&mut DefaultHost),
        }
    }

    /// Pops `argc` words; arrays contribute each element (one level), as upstream.
    fn pop_words(&mut self, argc: u8) -> Result<Vec<String>, Trap> {
        let at = self.stack.len().saturating_sub(argc as usize);
        let form_len = self.stack[at..]
            .iter()
            .fold(0usize, |sum, v| sum.saturating_add(v.str_form_len()));
        self.check_string_len(form_len)?;
        let mut words = Vec::new();
        for v in self.stack.drain(at..) {
            match v {
                Value::Array(items) => words.extend(items.iter().map(Value::to_str)),
                other => words.push(other.to_str()),
            }
        }
        Ok(words)
    }

    /// `Exec(argc)`: in-chunk function by name, then the shortcuts `true`, `false`,
    /// `echo`, `test`/`[`, then the host. Returns the function's entry when it entered one
    /// (the caller charges the call's unit of fuel). `$?` is not set.
    #[inline(never)]
    pub(super) fn exec_exec(&mut self, argc: u8, ip: usize) -> Result<Option<usize>, Trap> {
        let args = self.pop_words(argc)?;
        let Some(cmd) = args.first() else {
            self.stack.push(Value::Status(0));
            return Ok(None);
        };
        let function = self
            .chunk
            .names
            .iter()
            .position(|n| n == cmd)
            .and_then(|k| self.entry_of(k as u16));
        if let Some(entry) = function {
            return self.enter_with_str_args(entry, &args[1..], ip).map(Some);
        }
        let status = match cmd.as_str() {
            "true" | "test" | "[" => 0,
            "false" => 1,
            "echo" => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", args[1..].join(" "));
                let _ = out.flush();
                0
            }
            _ => self.with_host(|h| h.exec(args)),
        };
        self.stack.push(Value::Status(status));
        Ok(None)
    }

    #[inline(never)]
    pub(super) fn exec_exec_bg(&mut self, argc: u8) -> Result<(), Trap> {
        let args = self.pop_words(argc)?;
        if !args.is_empty() {
            self.with_host(|h| h.exec_bg(args));
        }
        self.stack.push(Value::Status(0));
        Ok(())
    }

    /// `PipelineEnd`: the host's status (with no host: `$?` unchanged), pushed and kept.
    #[inline(never)]
    pub(super) fn exec_pipeline_end(&mut self) {
        let status = match self.host.as_deref_mut() {
            Some(h) => h.pipeline_end(),
            None => self.last_status,
        };
        self.last_status = status;
        self.stack.push(Value::Status(status));
    }

    #[inline(never)]
    pub(super) fn exec_redirect(&mut self, fd: u8, kind: u8) -> Result<(), Trap> {
        let target = self.pop_text()?;
        self.with_host(|h| h.redirect(fd, kind, &target));
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_here_doc(&mut self, c: u16) {
        let text = self
            .chunk
            .constants
            .get(c as usize)
            .map(Value::to_str)
            .unwrap_or_default();
        self.with_host(|h| h.heredoc(&text));
    }

    #[inline(never)]
    pub(super) fn exec_here_string(&mut self) -> Result<(), Trap> {
        let word = self.pop_text()?;
        self.with_host(|h| h.herestring(&word));
        Ok(())
    }

    /// `CmdSubst` / `ProcessSubIn` / `ProcessSubOut`: the host's text for a sub-chunk.
    #[inline(never)]
    pub(super) fn exec_sub_chunk_text(&mut self, sub: u16, f: fn(&mut dyn ShellHost, &Chunk) -> String) {
        let text = match (self.host.as_deref_mut(), self.chunk.sub_chunks.get(sub as usize)) {
            (Some(h), Some(c)) => f(h, c),
            _ => String::new(),
        };
        self.stack.push(Value::str(text));
    }

    #[inline(never)]
    pub(super) fn exec_subshell_end(&mut self) {
        if let Some(status) = self.with_host(|h| h.subshell_end()) {
            self.last_status = status;
        }
    }

    /// `Glob`, `GlobRecursive`, `WordSplit`, `BraceExpand`: pops a string, pushes the
    /// host's words as an array of strings.
    #[inline(never)]
    pub(super) fn exec_host_words(
        &mut self,
        f: impl FnOnce(&mut dyn ShellHost, &str) -> Vec<String>,
    ) -> Result<(), Trap> {
        let s = self.pop_text()?;
        let words = self.with_host(|h| f(h, &s));
        self.stack
            .push(Value::array(words.into_iter().map(Value::str).collect()));
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_test_file(&mut self, test: u8) -> Result<(), Trap> {
        let path = self.pop_text()?;
        let ok = self.with_host(|h| h.test_file(&path, test));
        self.stack.push(Value::Bool(ok));
        Ok(())
    }

    /// `TrapSet`: always pops the signal name; hands the handler chunk to the host.
    #[inline(never)]
    pub(super) fn exec_trap_set(&mut self, sub: u16) -> Result<(), Trap> {
        let sig = self.pop_text()?;
        if let (Some(h), Some(c)) = (self.host.as_deref_mut(), self.chunk.sub_chunks.get(sub as usize)) {
            h.trap_set(&sig, c);
        }
        Ok(())
    }

    /// `ExpandParam(m)`: pops the modifier's operands (push order), then the name.
    #[inline(never)]
    pub(super) fn exec_expand_param(&mut self, modifier: u8) -> Result<(), Trap> {
        use crate::op::param_mod::*;
        let nargs = match modifier {
            DEFAULT | ASSIGN | ERROR | ALTERNATE | STRIP_SHORT | STRIP_LONG | RSTRIP_SHORT | RSTRIP_LONG => 1,
            SUBST_FIRST | SUBST_ALL | SLICE => 2,
            _ => 0,
        };
        let at = self.stack.len().saturating_sub(nargs);
        let args: Vec<Value> = self.stack.split_off(at);
        let name = self.pop_text()?;
        let v = self.with_host(|h| h.expand_param(&name, modifier, &args));
        self.stack.push(v);
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_tilde_expand(&mut self) -> Result<(), Trap> {
        let s = self.pop_text()?;
        let out = self.with_host(|h| h.tilde_expand(&s));
        self.stack.push(Value::str(out));
        Ok(())
    }

    /// `CallFunction(f, argc)`: with a host, its function or command (`$?` set, status
    /// pushed); with none, the in-chunk function, else "command not found" (127). Returns
    /// the function's entry when it entered one, like `exec_exec`.
    #[inline(never)]
    pub(super) fn exec_call_function(&mut self, f: u16, argc: u8, ip: usize) -> Result<Option<usize>, Trap> {
        let name = self.chunk.names.get(f as usize).cloned().unwrap_or_default();
        let args = self.pop_words(argc)?;
        let status = match self.host.as_deref_mut() {
            Some(h) => match h.call_function(&name, args.clone()) {
                Some(s) => s,
                None => h.exec(std::iter::once(name).chain(args).collect()),
            },
            None => {
                if let Some(entry) = self.entry_of(f) {
                    return self.enter_with_str_args(entry, &args, ip).map(Some);
                }
                DefaultHost.exec(std::iter::once(name).chain(args).collect())
            }
        };
        self.last_status = status;
        self.stack.push(Value::Status(status));
        Ok(None)
    }

    #[inline(never)]
    pub(super) fn exec_str_match(&mut self) -> Result<(), Trap> {
        let pat = self.pop_text()?;
        let s = self.pop_text()?;
        let ok = self.with_host(|h| h.str_match(&s, &pat));
        self.stack.push(Value::Bool(ok));
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_regex_match(&mut self) -> Result<(), Trap> {
        let re = self.pop_text()?;
        let s = self.pop_text()?;
        let ok = self.with_host(|h| h.regex_match(&s, &re));
        self.stack.push(Value::Bool(ok));
        Ok(())
    }
}
