//! The interpreter: the `VM`, its public API, and the run loop's entry and exit.
//!
//! Execution model (DESIGN.md §3):
//! - Ops are executed from a verified private copy (`Prepared`): the chunk is checked once
//!   per VM and chunk, function entries are resolved to op indices (with the length of each
//!   function's argument prologue, which a call does itself: `prepare::argument_prologue`),
//!   and the op list is shared behind an `Arc` so the loop borrows it without borrowing
//!   `self`.
//! - One value stack shared by all frames. While a run is in progress the frames it opens
//!   are register windows (DESIGN.md §3): their slots live in the one vector `VM::slots`,
//!   frame after frame, the current frame's being `slots[base..]`, and each is a small
//!   `CallRecord` in `VM::calls`. A call pushes a record and opens an empty window at the
//!   end; a return truncates both. Nothing allocates and no vector changes hands.
//! - The frames below `calls[0]` stay in the public `frames` (upstream's `Vec<Frame>`,
//!   each with its own slot vector), which is authoritative for them; `calls[0]` itself is
//!   `frames.last()`, whose slot vector is lent to `VM::slots` while it runs (an empty
//!   placeholder is left). `sync_slots_out` moves the windows out into `frames` (handlers,
//!   and callers after a run, see exactly upstream's state) and `sync_slots_in` takes only
//!   the current frame's vector back, by a swap; a return into a frame still in `frames`
//!   takes that one's the same way (`control::return_to_public_frame`). So a handler call
//!   costs O(frames opened since the previous one), not O(depth): a loop calling handlers
//!   at any depth stays O(1).
//! - Errors are `Trap`s located by the loop (ip, op, line) into a `VmError`; the VM keeps
//!   it for `last_error` and reports its text through `VMResult::Error`.
//!
//! The interpreter is safe Rust: every index into a pool is checked, even after the
//! verifier, so a chunk changed behind the verifier's back can fail but never panic.

mod arith;
mod budget;
mod collections;
mod control;
mod dispatch;
mod fused;
mod io;
mod pool;
mod prepare;
mod shell;
mod strings;
mod superinsn;

pub use pool::VMPool;

use crate::error::{ErrorKind, Trap, VmError};
use crate::host::ShellHost;
use crate::limits::{InterruptHandle, Limits};
use crate::{Chunk, Value};
use prepare::Prepared;

/// A call frame or `PushFrame` scope.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Where `Return` continues (for a scope: the op after its `PushFrame`).
    pub return_ip: usize,
    /// Where this frame's region of the value stack begins.
    pub stack_base: usize,
    /// Local slots (`GetSlot` / `SetSlot`); grown on write, `Undef` when absent.
    pub slots: Vec<Value>,
}

/// Handler for `Op::Extended(id, arg)`.
pub type ExtensionHandler = Box<dyn FnMut(&mut VM, u16, u8) + Send>;
/// Handler for `Op::ExtendedWide(id, payload)`.
pub type ExtensionWideHandler = Box<dyn FnMut(&mut VM, u16, usize) + Send>;
/// Handler for `Op::CallBuiltin(id, argc)`: pops its own arguments, returns the result.
pub type BuiltinHandler = fn(&mut VM, u8) -> Value;

/// The outcome of `VM::run`.
#[derive(Debug)]
pub enum VMResult {
    /// The run ended with this value on top of the stack.
    Ok(Value),
    /// The run ended with an empty stack.
    Halted,
    /// The run failed; the text names the place. `VM::last_error` has the details.
    Error(String),
}

/// A virtual machine: runs one chunk.
pub struct VM {
    /// The value stack, shared by all frames.
    pub stack: Vec<Value>,
    /// Frames; `frames[0]` is the top-level frame.
    pub frames: Vec<Frame>,
    /// Globals, indexed like the chunk's name pool.
    pub globals: Vec<Value>,
    /// Index of the next op.
    pub ip: usize,
    /// The program.
    pub chunk: Chunk,
    /// `$?`: the last command status.
    pub last_status: i32,
    /// The shell host; `None` behaves like the inert `DefaultHost`.
    pub host: Option<Box<dyn ShellHost>>,
    /// While running: every frame's slots, frame after frame (see the module doc).
    slots: Vec<Value>,
    /// While running: where the current frame's window starts in `slots`.
    base: usize,
    /// While running: `calls[0]` mirrors `frames.last()`, then one record per frame opened
    /// since (never empty; the last is the current frame; `calls[0]`'s window starts at 0).
    calls: Vec<CallRecord>,
    /// Whether `slots` and `calls` hold frames (between the two syncs).
    in_run: bool,
    /// Slots held by the frames in `frames` below `calls[0]` while running (the stack limit
    /// counts them).
    public_slots: usize,
    /// Set when a slot write grew the frames' slots past `max_stack`: the values the run
    /// held then. Kept after that window is dropped, so the next frame open or check point
    /// reports it even when the frame has returned by then (`budget`).
    slots_overshoot: Option<usize>,
    /// Empty slot vectors kept for `sync_slots_out` (bounded).
    spare: Vec<Vec<Value>>,
    ext_handler: Option<ExtensionHandler>,
    ext_wide_handler: Option<ExtensionWideHandler>,
    builtins: Vec<Option<BuiltinHandler>>,
    halted: bool,
    limits: Limits,
    fuel_left: Option<u64>,
    /// Ticks in the current budget slice (`budget`).
    slice: u64,
    /// Most values one forward pass over the running chunk can push (`budget`).
    pass_growth: u64,
    interrupt: InterruptHandle,
    prepared: Option<Prepared>,
    last_error: Option<VmError>,
    fusion: bool,
    /// The profile being filled by `run_profiled`.
    profiler: Option<Box<crate::profile::Profile>>,
    #[cfg(feature = "jit")]
    tracing_jit: bool,
}

/// A frame while a run is in progress: what `Frame` holds, with its slots as a window.
#[derive(Debug, Clone, Copy)]
struct CallRecord {
    /// `Frame::return_ip`.
    return_ip: usize,
    /// `Frame::stack_base`.
    stack_base: usize,
    /// Where the frame's window starts in `VM::slots` (it ends where the next one starts).
    slot_base: usize,
}

impl VM {
    /// A fresh VM for `chunk`: one top-level frame, one `Undef` global per name.
    pub fn new(chunk: Chunk) -> Self {
        let globals = vec![Value::Undef; chunk.names.len()];
        let mut frames = Vec::with_capacity(32);
        frames.push(Frame {
            return_ip: 0,
            stack_base: 0,
            slots: Vec::with_capacity(16),
        });
        VM {
            stack: Vec::with_capacity(256),
            frames,
            globals,
            ip: 0,
            chunk,
            last_status: 0,
            host: None,
            slots: Vec::new(),
            base: 0,
            calls: Vec::with_capacity(32),
            in_run: false,
            public_slots: 0,
            slots_overshoot: None,
            spare: Vec::new(),
            ext_handler: None,
            ext_wide_handler: None,
            builtins: Vec::new(),
            halted: false,
            limits: Limits::DEFAULT,
            fuel_left: None,
            slice: 0,
            pass_growth: 0,
            interrupt: InterruptHandle::default(),
            prepared: None,
            last_error: None,
            fusion: true,
            profiler: None,
            #[cfg(feature = "jit")]
            tracing_jit: false,
        }
    }

    /// Reuses this VM for `chunk`: clears stack, frames, globals, `ip`, `last_status`, the
    /// halted state and the last error; keeps the host, handlers, builtins and limits.
    pub fn reset(&mut self, chunk: Chunk) {
        self.stack.clear();
        self.frames.truncate(1);
        match self.frames.first_mut() {
            Some(f) => {
                f.return_ip = 0;
                f.stack_base = 0;
                f.slots.clear();
            }
            None => self.frames.push(Frame {
                return_ip: 0,
                stack_base: 0,
                slots: Vec::new(),
            }),
        }
        self.slots.clear();
        self.calls.clear();
        self.base = 0;
        self.in_run = false;
        self.public_slots = 0;
        self.globals.clear();
        self.globals.resize(chunk.names.len(), Value::Undef);
        self.chunk = chunk;
        self.ip = 0;
        self.last_status = 0;
        self.halted = false;
        self.prepared = None;
        self.last_error = None;
    }

    /// Installs the shell host used by shell ops.
    pub fn set_shell_host(&mut self, host: Box<dyn ShellHost>) {
        self.host = Some(host);
    }

    /// Installs the handler for `Op::Extended`.
    pub fn set_extension_handler(&mut self, handler: ExtensionHandler) {
        self.ext_handler = Some(handler);
    }

    /// Installs the handler for `Op::ExtendedWide`.
    pub fn set_extension_wide_handler(&mut self, handler: ExtensionWideHandler) {
        self.ext_wide_handler = Some(handler);
    }

    /// Registers the handler `Op::CallBuiltin(id, _)` calls (re-registering overwrites).
    pub fn register_builtin(&mut self, id: u16, handler: BuiltinHandler) {
        let i = id as usize;
        if self.builtins.len() <= i {
            self.builtins.resize(i + 1, None);
        }
        self.builtins[i] = Some(handler);
    }

    /// Stops the run after the current op; later runs do nothing until `reset`.
    pub fn request_halt(&mut self) {
        self.halted = true;
    }

    /// Pushes a value.
    pub fn push(&mut self, val: Value) {
        self.stack.push(val);
    }

    /// Pops a value; `Undef` if the stack is empty.
    #[inline]
    pub fn pop(&mut self) -> Value {
        self.stack.pop().unwrap_or_default()
    }

    /// The top value; `Undef` if the stack is empty.
    pub fn peek(&self) -> &Value {
        static UNDEF: Value = Value::Undef;
        self.stack.last().unwrap_or(&UNDEF)
    }

    /// Sets the resource limits (fuel, call depth, stack, string and collection sizes).
    /// The fuel budget starts afresh with each call.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
        self.fuel_left = limits.fuel;
    }

    /// The resource limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Fuel left of the budget set by `set_limits` (`None`: unlimited).
    pub fn fuel_left(&self) -> Option<u64> {
        self.fuel_left
    }

    /// Replaces the fuel left (the JIT settles what native code used).
    #[cfg(feature = "jit")]
    pub(crate) fn set_fuel_left(&mut self, fuel: Option<u64>) {
        self.fuel_left = fuel;
    }

    /// A handle another thread can use to stop a run of this VM.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.interrupt.clone()
    }

    /// Turns automatic fusion on (the default) or off for later runs. Results are the same
    /// either way; off, every op the frontend emitted is dispatched on its own (see
    /// [`crate::fusion`]).
    pub fn set_fusion(&mut self, on: bool) {
        self.fusion = on;
    }

    /// Whether automatic fusion is on.
    pub fn fusion(&self) -> bool {
        self.fusion
    }

    /// The error of the last failed run, with its kind and place.
    pub fn last_error(&self) -> Option<&VmError> {
        self.last_error.as_ref()
    }

    /// Turns on JIT use for this VM: a run that starts at op 0 in the top-level frame runs
    /// natively once its chunk is hot (the block tier, see `fusevm::jit`). Results, side
    /// effects and errors are identical either way.
    #[cfg(feature = "jit")]
    pub fn enable_tracing_jit(&mut self) {
        self.tracing_jit = true;
    }

    /// Turns JIT use off for this VM.
    #[cfg(feature = "jit")]
    pub fn disable_tracing_jit(&mut self) {
        self.tracing_jit = false;
    }

    /// Runs from `ip` until the chunk ends, a top-level return, a halt request or an error.
    /// The result is the value on top of the stack (`Halted` if it is empty).
    pub fn run(&mut self) -> VMResult {
        self.run_loop::<false>()
    }

    /// Like [`run`](Self::run), counting every dispatched op into `profile` (per
    /// instruction, per opcode, dynamic pairs and triples, calls per function; see
    /// [`crate::profile`]). Automatic fusion is off for this run so the counts are those
    /// of the ops the frontend emitted; results are the same as `run`'s.
    pub fn run_profiled(&mut self, profile: &mut crate::profile::Profile) -> VMResult {
        let fusion = std::mem::replace(&mut self.fusion, false);
        let started = std::time::Instant::now();
        self.profiler = Some(Box::new(std::mem::take(profile)));
        let result = self.run_loop::<true>();
        if let Some(p) = self.profiler.take() {
            *profile = *p;
        }
        profile.elapsed += started.elapsed();
        profile.count_calls(&self.chunk);
        self.fusion = fusion;
        result
    }

    /// The run loop; `PROFILE` selects the counting instantiation of the dispatch loop.
    fn run_loop<const PROFILE: bool>(&mut self) -> VMResult {
        self.slots_overshoot = None;
        loop {
            if self.halted {
                return self.finish();
            }
            let (code, ops) = match self.prepare() {
                Ok(prepared) => prepared,
                Err(e) => return self.fail(e),
            };
            // The block JIT (jit.md § 3): may run the verified chunk natively and leave the
            // VM at the op where the interpreter continues. Not in profiled runs.
            #[cfg(feature = "jit")]
            if self.tracing_jit && !PROFILE {
                crate::jit::enter_block_tier(self);
            }
            self.sync_slots_in();
            self.recount_public_slots();
            let outcome = self.execute::<PROFILE>(&code);
            self.sync_slots_out();
            match outcome {
                Ok(dispatch::Exit::End) => return self.finish(),
                Ok(dispatch::Exit::ReturnValue(v)) => {
                    self.halted = true;
                    return VMResult::Ok(v);
                }
                Ok(dispatch::Exit::Reload) => continue,
                Err((trap, ip)) => {
                    let err = VmError::from(trap).at(ip, &ops, &self.chunk.lines);
                    return self.fail(err);
                }
            }
        }
    }

    /// Ends a run: pops the result.
    fn finish(&mut self) -> VMResult {
        match self.stack.pop() {
            Some(v) => VMResult::Ok(v),
            None => VMResult::Halted,
        }
    }

    /// Ends a run with an error; the VM halts (later runs return the stack top).
    #[cold]
    fn fail(&mut self, err: VmError) -> VMResult {
        self.halted = true;
        let text = err.to_string();
        self.last_error = Some(err);
        VMResult::Error(text)
    }

    /// Lends the current (last) public frame's slots to the run's first window (module doc).
    fn sync_slots_in(&mut self) {
        if self.frames.is_empty() {
            // Someone emptied `frames` (it is public): give top-level code a frame again.
            self.frames.push(Frame {
                return_ip: 0,
                stack_base: 0,
                slots: Vec::new(),
            });
        }
        self.lend_last_frame();
        self.in_run = true;
    }

    /// Makes `frames.last()` the run's only window: its slot vector is swapped into
    /// `slots` (empty here, it becomes the frame's placeholder) and its record is `calls[0]`.
    fn lend_last_frame(&mut self) {
        let Some(f) = self.frames.last_mut() else {
            return;
        };
        self.public_slots = self.public_slots.saturating_sub(f.slots.len());
        std::mem::swap(&mut self.slots, &mut f.slots);
        let record = CallRecord {
            return_ip: f.return_ip,
            stack_base: f.stack_base,
            slot_base: 0,
        };
        self.calls.clear();
        self.calls.push(record);
        self.base = 0;
    }

    /// Moves every window out into the public `frames`: the first back into `frames.last()`,
    /// the others into frames pushed after it.
    fn sync_slots_out(&mut self) {
        if !self.in_run {
            return;
        }
        self.in_run = false;
        let Some(first) = self.frames.len().checked_sub(1) else {
            return;
        };
        for c in self.calls.iter().skip(1) {
            self.frames.push(Frame {
                return_ip: c.return_ip,
                stack_base: c.stack_base,
                slots: Vec::new(),
            });
        }
        // From the top down, each window is the tail of `slots`; the first is the rest.
        for (j, c) in self.calls.iter().enumerate().skip(1).rev() {
            let mut v = self.spare.pop().unwrap_or_default();
            let start = c.slot_base.min(self.slots.len());
            v.extend(self.slots.drain(start..));
            self.public_slots += v.len();
            self.frames[first + j].slots = v;
        }
        self.public_slots += self.slots.len();
        if let (Some(f), Some(c)) = (self.frames.get_mut(first), self.calls.first()) {
            f.return_ip = c.return_ip;
            f.stack_base = c.stack_base;
            std::mem::swap(&mut f.slots, &mut self.slots);
        }
        self.calls.clear();
        self.base = 0;
    }

    /// Keeps an emptied slot vector for the next `sync_slots_out` (a few at most).
    fn keep_spare(&mut self, mut v: Vec<Value>) {
        if self.spare.len() < 16 && v.capacity() > 0 {
            Value::truncate_vec(&mut v, 0);
            self.spare.push(v);
        }
    }

    /// Frames open while running: those in `frames` and those opened since (`calls[0]` is
    /// `frames.last()`).
    #[inline(always)]
    fn depth(&self) -> usize {
        self.frames.len() + self.calls.len() - 1
    }

    /// Writes slot `s` of the current frame, growing the slots with `Undef`.
    #[inline(always)]
    fn set_slot(&mut self, s: u16, v: Value) {
        let i = self.base + s as usize;
        if let Some(slot) = self.slots.get_mut(i) {
            Value::overwrite(slot, v);
        } else {
            self.grow_window(i, v);
        }
    }

    /// `set_slot` past the end of the current window (the last one, so growing `slots`
    /// grows it). Out of line: hot code writes slots that exist. A window grown past the
    /// stack limit is recorded for the next check (`budget`): a loop that opens a scope,
    /// writes a high slot and closes it again would otherwise build and drop up to 64 Ki
    /// values per iteration without a check point ever seeing them.
    // Not `#[cold]`: that made loop_sum 0.87x as fast (bench/ab, 2026-12-05).
    #[inline(never)]
    fn grow_window(&mut self, i: usize, v: Value) {
        // Not `resize`: it drops its fill value through the out-of-line drop glue.
        while self.slots.len() < i {
            self.slots.push(Value::Undef);
        }
        self.slots.push(v);
        let used = self.used_values();
        if used > self.limits.max_stack {
            self.slots_overshoot = Some(used);
        }
    }

    /// Reads slot `s` of the current frame (`Undef` when absent).
    #[inline]
    fn slot(&self, s: u16) -> &Value {
        static UNDEF: Value = Value::Undef;
        self.slot_ref(s).unwrap_or(&UNDEF)
    }

    /// Slot `s` of the current frame, if it exists.
    #[inline(always)]
    fn slot_ref(&self, s: u16) -> Option<&Value> {
        self.slots.get(self.base + s as usize)
    }

    /// Slot `s` of the current frame for writing, if it exists.
    #[inline(always)]
    fn slot_mut(&mut self, s: u16) -> Option<&mut Value> {
        let i = self.base + s as usize;
        self.slots.get_mut(i)
    }

    /// Writes global `g`, growing the globals with `Undef`.
    fn set_global(&mut self, g: u16, v: Value) {
        *self.global_mut(g) = v;
    }

    /// Global `g` for writing, grown into existence.
    fn global_mut(&mut self, g: u16) -> &mut Value {
        let g = g as usize;
        if g >= self.globals.len() {
            self.globals.resize(g + 1, Value::Undef);
        }
        &mut self.globals[g]
    }

    /// Reads global `g` (`Undef` when absent).
    #[inline]
    fn global(&self, g: u16) -> &Value {
        static UNDEF: Value = Value::Undef;
        self.globals.get(g as usize).unwrap_or(&UNDEF)
    }

    fn check_string_len(&self, len: usize) -> Result<(), Trap> {
        if len > self.limits.max_string_len {
            return Err(Trap::new(
                ErrorKind::StringTooLong,
                format!(
                    "string of {len} bytes exceeds the limit of {} bytes",
                    self.limits.max_string_len
                ),
            ));
        }
        Ok(())
    }

    /// `StringTooLong` when building `v`'s string form would pass the string limit. Only an
    /// array's form can: it repeats shared strings (`docs/security.md`), while any other
    /// value's form is no larger than the value itself. Ops check before they build.
    #[inline]
    fn check_str_form(&self, v: &Value) -> Result<(), Trap> {
        match v {
            Value::Array(_) => self.check_string_len(v.str_form_len()),
            _ => Ok(()),
        }
    }

    /// Pops the top value's string form, within the string limit.
    fn pop_text(&mut self) -> Result<String, Trap> {
        let v = self.pop();
        self.check_str_form(&v)?;
        Ok(v.to_str())
    }

    fn check_collection_len(&self, len: u128) -> Result<(), Trap> {
        if len > self.limits.max_collection_len as u128 {
            return Err(Trap::new(
                ErrorKind::CollectionTooLarge,
                format!(
                    "collection of {len} elements exceeds the limit of {} elements",
                    self.limits.max_collection_len
                ),
            ));
        }
        Ok(())
    }
}
