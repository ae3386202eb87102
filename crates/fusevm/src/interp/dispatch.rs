//! The dispatch loop: one exhaustive `match` over `Op`, one line per op, calling handlers
//! grouped by category in the sibling modules (`exec_<mnemonic>` style names).
//!
//! Hot state lives in locals: `ip` and `ticks` (back-edges and calls left before the next
//! check point, where fuel, interrupts and the stack limit are checked). No `_ =>` arm:
//! a new op in the table fails this match until it is handled here.

#![deny(clippy::wildcard_enum_match_arm)]

use super::VM;
use crate::error::{ErrorKind, Trap};
use crate::{Op, Value};

/// How the loop ended (errors are `Err((trap, ip))`).
pub(super) enum Exit {
    /// The chunk ran off its end, a top-level `Return`, or a halt request.
    End,
    /// A top-level `ReturnValue`: the run's result.
    ReturnValue(Value),
    /// A handler replaced or grew `vm.chunk`: prepare it again and continue at `vm.ip`.
    Reload,
}

/// Back-edges and calls between two check points (interrupt latency is at most this many).
const CHECK_INTERVAL: u64 = 1024;

/// Evaluates a handler; on a trap, leaves the loop with the faulting op's index.
macro_rules! tri {
    ($e:expr, $ip:expr) => {
        if let Err(trap) = $e {
            return Err((trap, $ip - 1));
        }
    };
}

impl VM {
    pub(super) fn execute(&mut self, ops: &[Op]) -> Result<Exit, (Trap, usize)> {
        let mut ip = self.ip;
        let mut ticks = self.ticks_until_check();
        // Charges one unit at a back-edge or call; every CHECK_INTERVAL units, the checks.
        macro_rules! tick {
            () => {
                ticks -= 1;
                if ticks == 0 {
                    self.ip = ip;
                    ticks = match self.checkpoint() {
                        Ok(t) => t,
                        Err(trap) => return Err((trap, ip.saturating_sub(1))),
                    };
                }
            };
        }
        // Jumps to `t`, charging a tick when the jump goes backwards.
        macro_rules! goto {
            ($t:expr) => {{
                let t = $t;
                if t < ip {
                    tick!();
                }
                ip = t;
            }};
        }
        // Runs a handler that may see `&mut VM` (extensions, builtins): the public view of
        // ip and slots is made exact first, and a replaced chunk is reloaded after.
        macro_rules! with_public_state {
            ($call:expr) => {{
                self.ip = ip;
                self.sync_slots_out();
                $call;
                self.sync_slots_in();
                ip = self.ip;
                if self.halted {
                    break;
                }
                if self.chunk_changed() {
                    self.charge_ticks(ticks);
                    return Ok(Exit::Reload);
                }
            }};
        }

        while let Some(&op) = ops.get(ip) {
            ip += 1;
            match op {
                // ---- constants & stack
                Op::Nop => {}
                Op::LoadInt(n) => self.stack.push(Value::Int(n)),
                Op::LoadFloat(f) => self.stack.push(Value::Float(f)),
                Op::LoadConst(c) => tri!(self.exec_load_const(c), ip),
                Op::LoadTrue => self.stack.push(Value::Bool(true)),
                Op::LoadFalse => self.stack.push(Value::Bool(false)),
                Op::LoadUndef => self.stack.push(Value::Undef),
                Op::Pop => self.pop().discard(),
                Op::Dup => self.exec_dup(),
                Op::Dup2 => self.exec_dup2(),
                Op::Swap => self.exec_swap(),
                Op::Rot => self.exec_rot(),
                // ---- variables
                Op::GetVar(g) | Op::GetArray(g) | Op::GetHash(g) => self.stack.push(self.global(g).clone()),
                Op::SetVar(g) | Op::DeclareVar(g) | Op::SetArray(g) | Op::SetHash(g) => {
                    let v = self.pop();
                    self.set_global(g, v)
                }
                Op::GetSlot(s) => self.exec_get_slot(s),
                Op::SetSlot(s) => {
                    let v = self.pop();
                    self.set_slot(s, v)
                }
                Op::SlotArrayGet(s) => self.exec_slot_array_get(s),
                Op::SlotArraySet(s) => tri!(self.exec_slot_array_set(s), ip),
                // ---- arrays & hashes
                Op::DeclareArray(g) => self.set_global(g, Value::array(Vec::new())),
                Op::ArrayGet(g) => self.exec_array_get(g),
                Op::ArraySet(g) => tri!(self.exec_array_set(g), ip),
                Op::ArrayPush(g) => tri!(self.exec_array_push(g), ip),
                Op::ArrayPop(g) => self.exec_array_pop(g),
                Op::ArrayShift(g) => self.exec_array_shift(g),
                Op::ArrayLen(g) => self.exec_array_len(g),
                Op::MakeArray(n) => tri!(self.exec_make_array(n), ip),
                Op::DeclareHash(g) => self.set_global(g, Value::Hash(Box::default())),
                Op::HashGet(g) => self.exec_hash_get(g),
                Op::HashSet(g) => tri!(self.exec_hash_set(g), ip),
                Op::HashDelete(g) => self.exec_hash_delete(g),
                Op::HashExists(g) => self.exec_hash_exists(g),
                Op::HashKeys(g) => self.exec_hash_keys(g),
                Op::HashValues(g) => self.exec_hash_values(g),
                Op::MakeHash(n) => tri!(self.exec_make_hash(n), ip),
                // ---- arithmetic
                Op::Add => self.exec_add(),
                Op::Sub => self.exec_sub(),
                Op::Mul => self.exec_mul(),
                Op::Div => self.exec_div(),
                Op::Mod => self.exec_mod(),
                Op::Pow => self.exec_pow(),
                Op::Negate => self.exec_negate(),
                Op::Inc => self.exec_inc(),
                Op::Dec => self.exec_dec(),
                // ---- strings
                Op::Concat => tri!(self.exec_concat(ops.get(ip).copied()), ip),
                Op::StringRepeat => tri!(self.exec_string_repeat(), ip),
                Op::StringLen => self.exec_string_len(),
                // ---- comparison
                Op::NumEq => self.exec_num_eq(),
                Op::NumNe => self.exec_num_ne(),
                Op::NumLt => self.exec_num_lt(),
                Op::NumGt => self.exec_num_gt(),
                Op::NumLe => self.exec_num_le(),
                Op::NumGe => self.exec_num_ge(),
                Op::Spaceship => self.exec_spaceship(),
                Op::StrEq => self.exec_str_cmp_op(|o| o.is_eq()),
                Op::StrNe => self.exec_str_cmp_op(|o| o.is_ne()),
                Op::StrLt => self.exec_str_cmp_op(|o| o.is_lt()),
                Op::StrGt => self.exec_str_cmp_op(|o| o.is_gt()),
                Op::StrLe => self.exec_str_cmp_op(|o| o.is_le()),
                Op::StrGe => self.exec_str_cmp_op(|o| o.is_ge()),
                Op::StrCmp => self.exec_str_cmp(),
                // ---- logical / bitwise
                Op::LogNot => self.exec_log_not(),
                Op::LogAnd => self.exec_log_and(),
                Op::LogOr => self.exec_log_or(),
                Op::BitAnd => self.exec_int_binary(|a, b| a & b),
                Op::BitOr => self.exec_int_binary(|a, b| a | b),
                Op::BitXor => self.exec_int_binary(|a, b| a ^ b),
                Op::BitNot => self.exec_bit_not(),
                Op::Shl => self.exec_int_binary(|a, b| a.wrapping_shl((b as u32) & 63)),
                Op::Shr => self.exec_int_binary(|a, b| a.wrapping_shr((b as u32) & 63)),
                // ---- control flow
                Op::Jump(t) => goto!(t),
                Op::JumpIfTrue(t) => {
                    if self.pop_truthy() {
                        goto!(t)
                    }
                }
                Op::JumpIfFalse(t) => {
                    if !self.pop_truthy() {
                        goto!(t)
                    }
                }
                Op::JumpIfTrueKeep(t) => {
                    if self.peek().is_truthy() {
                        goto!(t)
                    }
                }
                Op::JumpIfFalseKeep(t) => {
                    if !self.peek().is_truthy() {
                        goto!(t)
                    }
                }
                // ---- functions & scope
                Op::Call(f, argc) => {
                    tick!();
                    match self.exec_call(f, argc, ip) {
                        Ok(entry) => ip = entry,
                        Err(trap) => return Err((trap, ip - 1)),
                    }
                }
                Op::Return => match self.exec_return(ops) {
                    Ok(Some(ret)) => ip = ret,
                    Ok(None) => break,
                    Err(trap) => return Err((trap, ip - 1)),
                },
                Op::ReturnValue => {
                    let v = self.pop();
                    match self.exec_return(ops) {
                        Ok(Some(ret)) => {
                            ip = ret;
                            self.stack.push(v)
                        }
                        Ok(None) => {
                            self.ip = ip;
                            self.charge_ticks(ticks);
                            return Ok(Exit::ReturnValue(v));
                        }
                        Err(trap) => return Err((trap, ip - 1)),
                    }
                }
                Op::PushFrame => tri!(self.push_frame(ip, self.stack.len(), Vec::new()), ip),
                Op::PopFrame => tri!(self.exec_pop_frame(), ip),
                // ---- I/O
                Op::Print(n) => self.exec_print(n, false),
                Op::PrintLn(n) => self.exec_print(n, true),
                Op::ReadLine => self.exec_read_line(),
                // ---- ranges
                Op::Range => tri!(self.exec_range(), ip),
                Op::RangeStep => tri!(self.exec_range_step(), ip),
                // ---- reserved higher-order blocks: no-ops, as upstream
                Op::MapBlock(_)
                | Op::GrepBlock(_)
                | Op::SortBlock(_)
                | Op::SortDefault
                | Op::ForEachBlock(_) => {}
                // ---- fused
                Op::PreIncSlot(s) => self.exec_pre_inc_slot(s),
                Op::PreIncSlotVoid(s) => self.exec_pre_inc_slot_void(s),
                Op::SlotLtIntJumpIfFalse(s, limit, t) => {
                    if self.slot(s).to_int() >= limit as i64 {
                        goto!(t)
                    }
                }
                Op::SlotIncLtIntJumpBack(s, limit, t) => {
                    if self.exec_slot_inc_lt_int(s, limit) {
                        goto!(t)
                    }
                }
                Op::AccumSumLoop(sum, i, limit) => {
                    tri!(self.exec_accum_sum_loop(sum, i, limit, &mut ticks), ip)
                }
                Op::ConcatConstLoop(c, s, i, limit) => {
                    tri!(self.exec_concat_const_loop(c, s, i, limit, &mut ticks), ip)
                }
                Op::PushIntRangeLoop(g, i, limit) => {
                    tri!(self.exec_push_int_range_loop(g, i, limit, &mut ticks), ip)
                }
                Op::AddAssignSlotVoid(a, b) => self.exec_add_assign_slot_void(a, b),
                // ---- builtins & extensions
                Op::CallBuiltin(id, argc) => {
                    if let Some(f) = self.builtins.get(id as usize).copied().flatten() {
                        with_public_state!({
                            let v = f(self, argc);
                            self.stack.push(v);
                        });
                    }
                }
                Op::Extended(id, arg) => {
                    if let Some(mut h) = self.ext_handler.take() {
                        with_public_state!({
                            h(self, id, arg);
                            // A handler installed during the call wins over the old one.
                            if self.ext_handler.is_none() {
                                self.ext_handler = Some(h);
                            }
                        });
                    }
                }
                Op::ExtendedWide(id, payload) => {
                    if let Some(mut h) = self.ext_wide_handler.take() {
                        with_public_state!({
                            h(self, id, payload);
                            if self.ext_wide_handler.is_none() {
                                self.ext_wide_handler = Some(h);
                            }
                        });
                    }
                }
                // ---- shell
                Op::Exec(argc) => match self.exec_exec(argc, ip) {
                    Ok(next) => ip = next,
                    Err(trap) => return Err((trap, ip - 1)),
                },
                Op::ExecBg(argc) => self.exec_exec_bg(argc),
                Op::PipelineBegin(n) => self.with_host(|h| h.pipeline_begin(n)),
                Op::PipelineStage => self.with_host(|h| h.pipeline_stage()),
                Op::PipelineEnd => self.exec_pipeline_end(),
                Op::Redirect(fd, kind) => self.exec_redirect(fd, kind),
                Op::HereDoc(c) => self.exec_here_doc(c),
                Op::HereString => self.exec_here_string(),
                Op::CmdSubst(sub) => self.exec_sub_chunk_text(sub, |h, c| h.cmd_subst(c)),
                Op::SubshellBegin => self.with_host(|h| h.subshell_begin()),
                Op::SubshellEnd => self.exec_subshell_end(),
                Op::ProcessSubIn(sub) => self.exec_sub_chunk_text(sub, |h, c| h.process_sub_in(c)),
                Op::ProcessSubOut(sub) => self.exec_sub_chunk_text(sub, |h, c| h.process_sub_out(c)),
                Op::Glob => self.exec_host_words(|h, s| h.glob(s, false)),
                Op::GlobRecursive => self.exec_host_words(|h, s| h.glob(s, true)),
                Op::TestFile(t) => self.exec_test_file(t),
                Op::SetStatus => self.last_status = self.pop().to_int() as i32,
                Op::GetStatus => self.stack.push(Value::Status(self.last_status)),
                Op::TrapSet(sub) => self.exec_trap_set(sub),
                Op::TrapCheck => self.with_host(|h| h.trap_check()),
                Op::ExpandParam(m) => self.exec_expand_param(m),
                Op::WordSplit => self.exec_host_words(|h, s| h.word_split(s)),
                Op::BraceExpand => self.exec_host_words(|h, s| h.brace_expand(s)),
                Op::TildeExpand => self.exec_tilde_expand(),
                Op::CallFunction(f, argc) => match self.exec_call_function(f, argc, ip) {
                    Ok(next) => ip = next,
                    Err(trap) => return Err((trap, ip - 1)),
                },
                Op::StrMatch => self.exec_str_match(),
                Op::RegexMatch => self.exec_regex_match(),
                Op::WithRedirectsBegin(n) => self.with_host(|h| h.with_redirects_begin(n)),
                Op::WithRedirectsEnd => self.with_host(|h| h.with_redirects_end()),
            }
        }
        self.ip = ip;
        self.charge_ticks(ticks);
        Ok(Exit::End)
    }

    /// `GetSlot`: the Int case first (a compare instead of the clone's variant table).
    #[inline(always)]
    fn exec_get_slot(&mut self, s: u16) {
        let v = match self.slots.get(s as usize) {
            Some(Value::Int(n)) => Value::Int(*n),
            Some(v) => v.clone(),
            None => Value::Undef,
        };
        self.stack.push(v);
    }

    /// Pops the top and tests it (an empty stack reads as `Undef`: false).
    #[inline(always)]
    fn pop_truthy(&mut self) -> bool {
        match self.stack.pop() {
            Some(Value::Bool(b)) => b,
            Some(v) => {
                let t = v.is_truthy();
                v.discard();
                t
            }
            None => false,
        }
    }

    /// Ticks in the current slice. Invariant: `fuel_left` is the fuel at the start of the
    /// slice, and a slice never exceeds it (a spent budget gets a slice of 1 whose tick fails).
    fn ticks_until_check(&self) -> u64 {
        match self.fuel_left {
            Some(f) => f.clamp(1, CHECK_INTERVAL),
            None => CHECK_INTERVAL,
        }
    }

    /// Settles the fuel used so far in the current slice (`left` of its ticks remain).
    pub(super) fn charge_ticks(&mut self, left: u64) {
        let used = self.ticks_until_check().saturating_sub(left);
        if let Some(f) = &mut self.fuel_left {
            *f = f.saturating_sub(used);
        }
    }

    /// The check point, reached when a slice's ticks are used up: charges the slice, then
    /// checks fuel, interrupts and the stack limit. Returns the next slice.
    #[cold]
    #[inline(never)]
    fn checkpoint(&mut self) -> Result<u64, Trap> {
        if let Some(f) = self.fuel_left {
            if f == 0 {
                return Err(self.out_of_fuel());
            }
            self.fuel_left = Some(f - self.ticks_until_check());
        }
        if self.interrupt.take() {
            return Err(Trap::new(
                ErrorKind::Interrupted,
                "interrupted by InterruptHandle::interrupt",
            ));
        }
        if self.stack.len() > self.limits.max_stack {
            return Err(Trap::new(
                ErrorKind::StackOverflow,
                format!(
                    "value stack of {} values exceeds the limit of {}",
                    self.stack.len(),
                    self.limits.max_stack
                ),
            ));
        }
        Ok(self.ticks_until_check())
    }

    #[cold]
    fn out_of_fuel(&self) -> Trap {
        Trap::new(
            ErrorKind::OutOfFuel,
            format!(
                "out of fuel: the budget of {} units is spent",
                self.limits.fuel.unwrap_or(0)
            ),
        )
    }

    /// Charges `n` units at once: a fused loop op stands for `n` back-edges.
    pub(super) fn charge_bulk(&mut self, n: u64, ticks: &mut u64) -> Result<(), Trap> {
        if self.fuel_left.is_none() {
            return Ok(());
        }
        self.charge_ticks(*ticks);
        let f = self.fuel_left.unwrap_or(0);
        if n > f {
            self.fuel_left = Some(0);
            *ticks = 1;
            return Err(self.out_of_fuel());
        }
        self.fuel_left = Some(f - n);
        *ticks = self.ticks_until_check();
        Ok(())
    }
}
