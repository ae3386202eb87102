//! Calls, returns and scopes.
//!
//! Calling convention (upstream's): arguments stay on the value stack; the callee frame's
//! `stack_base` is where they begin, so returning truncates them away; the callee starts
//! with empty slots. Deliberate fixes of upstream quirks:
//! - a `Return`/`ReturnValue` with only the top-level frame left halts the run (upstream
//!   pops the base frame and re-runs the chunk from ip 0: quirk B1);
//! - `Return` inside `PushFrame` scopes closes those scopes, then returns from the function
//!   (upstream jumps back into the scope and loops: B3);
//! - `PopFrame` of the top-level frame is a `BadFrame` error (upstream pops it: B2);
//! - `Call` with more arguments than the stack holds is a `StackUnderflow` error (B4);
//! - call depth is bounded by `Limits::max_call_depth` (B11).

use super::{CallRecord, VM};
use crate::error::{ErrorKind, Trap};
use crate::fusion::Insn;
use crate::Value;

impl VM {
    /// Opens a frame: a record and an empty slot window at the end of `slots` (module doc
    /// of `interp`). Nothing allocates once `calls` has grown to the depth reached.
    #[inline(always)]
    pub(super) fn push_frame(&mut self, return_ip: usize, stack_base: usize) -> Result<(), Trap> {
        if self.depth() >= self.limits.max_call_depth {
            return Err(self.call_depth_error());
        }
        // The frames' slots count against the stack limit (`budget`).
        self.check_stack_limit()?;
        let slot_base = self.slots.len();
        self.calls.push(CallRecord {
            return_ip,
            stack_base,
            slot_base,
        });
        self.base = slot_base;
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn call_depth_error(&self) -> Trap {
        Trap::new(
            ErrorKind::CallDepth,
            format!(
                "call depth exceeds the limit of {} frames",
                self.limits.max_call_depth
            ),
        )
    }

    /// Pops the current frame (never the top-level one): drops its slot window and makes
    /// the caller's current; returns its `(return_ip, stack_base)`.
    #[inline(always)]
    fn pop_frame_record(&mut self) -> Option<(usize, usize)> {
        if self.calls.len() <= 1 {
            return self.return_to_public_frame();
        }
        let popped = self.calls.pop()?;
        Value::truncate_vec(&mut self.slots, popped.slot_base);
        self.base = self.calls.last().map_or(0, |c| c.slot_base);
        Some((popped.return_ip, popped.stack_base))
    }

    /// `pop_frame_record` when the caller is in the public `frames` (a handler ran since it
    /// called): the caller's vector becomes the window vector, by a swap (module doc of
    /// `interp`). `None` at top level.
    #[cold]
    #[inline(never)]
    fn return_to_public_frame(&mut self) -> Option<(usize, usize)> {
        if self.frames.len() < 2 {
            return None;
        }
        let popped = *self.calls.first()?;
        // The current frame's public entry holds only a placeholder vector.
        if let Some(placeholder) = self.frames.pop() {
            self.keep_spare(placeholder.slots);
        }
        // The emptied window vector becomes the caller's placeholder.
        Value::truncate_vec(&mut self.slots, 0);
        self.lend_last_frame();
        Some((popped.return_ip, popped.stack_base))
    }

    /// `Call(f, argc)`: returns the op index to continue at. When the callee has an
    /// argument prologue (fused code only, see `prepare::argument_prologue`), the call does
    /// it, by moving the arguments into the new window, and enters behind it.
    #[inline(always)]
    pub(super) fn exec_call(&mut self, f: u16, argc: u8, ip: usize) -> Result<usize, Trap> {
        let Some((entry, params)) = self.call_target(f) else {
            let name = self.chunk.names.get(f as usize).map_or("?", String::as_str);
            return Err(Trap::new(
                ErrorKind::UndefinedFunction,
                format!("undefined function: {name}"),
            ));
        };
        let argc = argc as usize;
        let Some(base) = self.stack.len().checked_sub(argc) else {
            return Err(Trap::new(
                ErrorKind::StackUnderflow,
                format!(
                    "call with {argc} arguments, but the stack holds {}",
                    self.stack.len()
                ),
            ));
        };
        self.push_frame(ip, base)?;
        if params != 0 && params <= argc {
            self.move_arguments(params);
            return Ok(entry + params);
        }
        Ok(entry)
    }

    /// `push v; call f, argc` (`SlotIntSubCall`): `v` goes straight into the new window
    /// when `open_window_for` allows, else exactly the ops.
    #[inline(always)]
    pub(super) fn exec_call_with_arg(
        &mut self,
        f: u16,
        argc: u8,
        ip: usize,
        v: Value,
    ) -> Result<usize, Trap> {
        if let Some(entry) = self.open_window_for(f, argc, ip, 1) {
            self.slots.push(v);
            return Ok(entry);
        }
        self.stack.push(v);
        self.exec_call(f, argc, ip)
    }

    /// `push x; push v; call f, argc` (`SlotSlotIntSubCall`), like `exec_call_with_arg`
    /// (one function taking `Option<Value>` for `x` measured 15 instructions more per call).
    #[inline(always)]
    pub(super) fn exec_call_with_args(
        &mut self,
        f: u16,
        argc: u8,
        ip: usize,
        x: Value,
        v: Value,
    ) -> Result<usize, Trap> {
        if let Some(entry) = self.open_window_for(f, argc, ip, 2) {
            self.slots.push(x);
            self.slots.push(v);
            return Ok(entry);
        }
        self.stack.push(x);
        self.stack.push(v);
        self.exec_call(f, argc, ip)
    }

    /// The call of `f` whose last `n` arguments a superinstruction computed but did not
    /// push, when it is sure to succeed and the callee's prologue takes them: opens the
    /// frame, moves the other prologue arguments from the stack into the new window and
    /// returns the op behind the prologue; the caller then appends its `n` values to the
    /// window. They never touch the stack: a push and a pop each saved, and the stack
    /// length each would read and write in memory (those store-to-load chains, more than
    /// instruction counts, bound the time per call). `None` (nothing changed): run the ops.
    #[inline(always)]
    fn open_window_for(&mut self, f: u16, argc: u8, ip: usize, n: usize) -> Option<usize> {
        let argc = usize::from(argc);
        let (entry, params) = self.call_target(f)?;
        let len = self.stack.len();
        // What `push_frame` checks, with the `n` values counted as on the stack.
        let fits = self.depth() < self.limits.max_call_depth && self.has_room_for(n);
        if !(n <= params && params <= argc && argc <= len + n && fits) {
            return None;
        }
        let slot_base = self.slots.len();
        self.calls.push(CallRecord {
            return_ip: ip,
            stack_base: len + n - argc,
            slot_base,
        });
        self.base = slot_base;
        if params > n {
            self.move_arguments(params - n);
        }
        Some(entry + params)
    }

    /// Moves the top `k` stack values (at least `k` are there) into the current window,
    /// which is empty: `set_slot k-1; ...; set_slot 0` without growing it `k` times.
    #[inline(never)]
    fn move_arguments(&mut self, k: usize) {
        // Int arguments may have been pushed just now, by halves (`Value::push_int`): they
        // are read by halves too (`Vec::pop` would load each whole, in a store-forwarding
        // stall) and their stack entries forgotten (no loads: nothing to drop).
        match (k, self.stack.as_slice()) {
            (1, [.., Value::Int(a)]) => {
                let a = *a;
                self.forget_plain_top(1);
                Value::push_int(&mut self.slots, a);
            }
            (2, [.., Value::Int(a), Value::Int(b)]) => {
                let (a, b) = (*a, *b);
                self.forget_plain_top(2);
                Value::push_int(&mut self.slots, a);
                Value::push_int(&mut self.slots, b);
            }
            _ => {
                let from = self.stack.len().saturating_sub(k);
                self.slots.extend(self.stack.drain(from..));
            }
        }
    }

    /// Pops the top `k` stack values, which own nothing (forgetting them is dropping them).
    /// Not `Value::truncate_vec`: its drain reads each value whole, and in `move_arguments`
    /// that measured 0.91x on ackermann (bench/ab, 2026-12-06).
    #[inline(always)]
    fn forget_plain_top(&mut self, k: usize) {
        for _ in 0..k {
            if let Some(v) = self.stack.pop() {
                debug_assert!(v.is_plain());
                std::mem::forget(v);
            }
        }
    }

    /// Enters the in-chunk function at `entry` with string arguments (the shell ops'
    /// calling convention): pushes them, then the frame.
    pub(super) fn enter_with_str_args(
        &mut self,
        entry: usize,
        args: &[String],
        ip: usize,
    ) -> Result<usize, Trap> {
        let base = self.stack.len();
        self.stack.extend(args.iter().map(|a| Value::str(a.as_str())));
        self.push_frame(ip, base)?;
        Ok(entry)
    }

    /// True when the current frame was opened by `PushFrame` (its return ip follows one).
    fn in_scope_frame(&self, code: &[Insn]) -> bool {
        self.depth() > 1
            && self.calls.last().is_some_and(|f| {
                matches!(
                    f.return_ip.checked_sub(1).and_then(|i| code.get(i)),
                    Some(Insn::PushFrame)
                )
            })
    }

    /// The common `Return`: the current frame is a call frame (not a `PushFrame` scope) and
    /// not the top-level one. Pops it like `exec_return` would; `None` when the case is not
    /// this one (the caller then takes `exec_return`). Inlined into the dispatch loop: a
    /// return is half of every call.
    #[inline(always)]
    pub(super) fn return_fast(&mut self, code: &[Insn]) -> Option<usize> {
        let n = self.calls.len();
        if n < 2 {
            return None;
        }
        let top = *self.calls.get(n - 1)?;
        if matches!(code.get(top.return_ip.wrapping_sub(1)), Some(Insn::PushFrame)) {
            return None;
        }
        // `pop_frame_record`'s work, written out: reading both records before the one
        // length update. Calling it instead measured 1.05x slower on ackermann.
        let caller_base = self.calls.get(n - 2)?.slot_base;
        self.calls.truncate(n - 1);
        Value::truncate_vec(&mut self.slots, top.slot_base);
        self.base = caller_base;
        Value::truncate_vec(&mut self.stack, top.stack_base);
        Some(top.return_ip)
    }

    /// `Return`: closes open `PushFrame` scopes, then pops the call frame. `Some(return
    /// ip)`, or `None` to halt at top level.
    pub(super) fn exec_return(&mut self, code: &[Insn]) -> Result<Option<usize>, Trap> {
        while self.in_scope_frame(code) {
            if let Some((_, base)) = self.pop_frame_record() {
                Value::truncate_vec(&mut self.stack, base);
            }
        }
        match self.pop_frame_record() {
            Some((return_ip, base)) => {
                Value::truncate_vec(&mut self.stack, base);
                Ok(Some(return_ip))
            }
            None => Ok(None),
        }
    }

    pub(super) fn exec_pop_frame(&mut self) -> Result<(), Trap> {
        match self.pop_frame_record() {
            Some((_, base)) => {
                Value::truncate_vec(&mut self.stack, base);
                Ok(())
            }
            None => Err(Trap::new(
                ErrorKind::BadFrame,
                "PopFrame with no open frame (the top-level frame stays)",
            )),
        }
    }
}
