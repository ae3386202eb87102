//! The shell host: how shell ops reach the outside world.
//!
//! Shell ops (`Exec`, `Glob`, `Redirect`, `CmdSubst`, ...) call the [`ShellHost`] installed
//! with `VM::set_shell_host`. Every method has a default, so a frontend overrides only what
//! it supports. The defaults — and the VM's behaviour with no host at all — are **inert**:
//! they never spawn a process, never read or write the file system, and never block
//! (a documented deviation from upstream, whose defaults spawn processes and glob the real
//! file system). An embedder that wants those effects installs [`SystemHost`] or its own.

use crate::{Chunk, Value};

mod system;
pub use system::SystemHost;

/// Shell operations a frontend provides to the VM. Object-safe; `Send` so a VM can move
/// between threads.
pub trait ShellHost: Send {
    /// Expands a glob pattern (`Glob`: `recursive == false`, `GlobRecursive`: true).
    /// Default: no matches.
    fn glob(&mut self, pattern: &str, recursive: bool) -> Vec<String> {
        let _ = (pattern, recursive);
        Vec::new()
    }

    /// Tilde expansion (`TildeExpand`). Default: unchanged.
    fn tilde_expand(&mut self, s: &str) -> String {
        s.to_string()
    }

    /// Brace expansion (`BraceExpand`). Default: `[s]`.
    fn brace_expand(&mut self, s: &str) -> Vec<String> {
        vec![s.to_string()]
    }

    /// Word splitting (`WordSplit`). Default: split on Unicode whitespace, drop empties.
    fn word_split(&mut self, s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// Parameter expansion (`ExpandParam`); `modifier` is an `op::param_mod` code.
    /// Default: `Str("")`.
    fn expand_param(&mut self, name: &str, modifier: u8, args: &[Value]) -> Value {
        let _ = (name, modifier, args);
        Value::str("")
    }

    /// Indexed parameter lookup. Never called by the VM (upstream's neither). Default: `Undef`.
    fn array_index(&mut self, name: &str, index: &Value) -> Value {
        let _ = (name, index);
        Value::Undef
    }

    /// Output of a command substitution `$(..)` (`CmdSubst`). Default: `""`.
    fn cmd_subst(&mut self, sub: &Chunk) -> String {
        let _ = sub;
        String::new()
    }

    /// Path for an input process substitution `<(..)` (`ProcessSubIn`). Default: `""`.
    fn process_sub_in(&mut self, sub: &Chunk) -> String {
        let _ = sub;
        String::new()
    }

    /// Path for an output process substitution `>(..)` (`ProcessSubOut`). Default: `""`.
    fn process_sub_out(&mut self, sub: &Chunk) -> String {
        let _ = sub;
        String::new()
    }

    /// Redirects `fd` (`Redirect`); `op` is an `op::redirect_op` code. Default: nothing.
    fn redirect(&mut self, fd: u8, op: u8, target: &str) {
        let _ = (fd, op, target);
    }

    /// A here-document's text (`HereDoc`). Default: nothing.
    fn heredoc(&mut self, content: &str) {
        let _ = content;
    }

    /// A here-string (`HereString`). Default: nothing.
    fn herestring(&mut self, content: &str) {
        let _ = content;
    }

    /// A pipeline of `n` stages begins (`PipelineBegin`). Default: nothing.
    fn pipeline_begin(&mut self, n: u8) {
        let _ = n;
    }

    /// The next pipeline stage begins (`PipelineStage`). Default: nothing.
    fn pipeline_stage(&mut self) {}

    /// The pipeline ends; returns its status (`PipelineEnd`). Default: 0.
    fn pipeline_end(&mut self) -> i32 {
        0
    }

    /// A subshell begins (`SubshellBegin`). Default: nothing.
    fn subshell_begin(&mut self) {}

    /// The subshell ends (`SubshellEnd`); `Some(status)` becomes `$?`. Default: `None`.
    fn subshell_end(&mut self) -> Option<i32> {
        None
    }

    /// Installs a trap handler (`TrapSet`). Default: nothing.
    fn trap_set(&mut self, sig: &str, handler: &Chunk) {
        let _ = (sig, handler);
    }

    /// Runs pending traps (`TrapCheck`). Default: nothing.
    fn trap_check(&mut self) {}

    /// `count` redirections for a compound command begin (`WithRedirectsBegin`).
    /// Default: nothing.
    fn with_redirects_begin(&mut self, count: u8) {
        let _ = count;
    }

    /// The redirected compound command ends (`WithRedirectsEnd`). Default: nothing.
    fn with_redirects_end(&mut self) {}

    /// Calls a shell function (`CallFunction`); `None` means "not a function", and the VM
    /// falls back to [`ShellHost::exec`]. Default: `None`.
    fn call_function(&mut self, name: &str, args: Vec<String>) -> Option<i32> {
        let _ = (name, args);
        None
    }

    /// Runs a command and returns its exit status (`Exec`). Default: 0 for an empty
    /// command, else 127 ("command not found"): the default host runs nothing.
    fn exec(&mut self, args: Vec<String>) -> i32 {
        if args.is_empty() {
            0
        } else {
            127
        }
    }

    /// Starts a background command (`ExecBg`); the VM ignores the result. Default: 0,
    /// nothing started.
    fn exec_bg(&mut self, args: Vec<String>) -> i32 {
        let _ = args;
        0
    }

    /// Shell pattern match (`StrMatch`). Default: exact equality.
    fn str_match(&mut self, s: &str, pat: &str) -> bool {
        s == pat
    }

    /// Regex match (`RegexMatch`). Default: false.
    fn regex_match(&mut self, s: &str, regex: &str) -> bool {
        let _ = (s, regex);
        false
    }

    /// File test (`TestFile`); `test` is an `op::file_test` code. Not in upstream's trait
    /// (upstream always tests the real file system); added with an inert default: false.
    fn test_file(&mut self, path: &str, test: u8) -> bool {
        let _ = (path, test);
        false
    }
}

/// The inert host: every [`ShellHost`] default. The VM behaves the same with no host.
pub struct DefaultHost;

impl ShellHost for DefaultHost {}
