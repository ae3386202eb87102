//! The dispatch loop: one exhaustive `match` over `Op`, one line per op, calling handlers
//! grouped by category in the sibling modules (`exec_<mnemonic>` style names).
//!
//! Hot state lives in locals: `ip` and `ticks` (back-edges and calls left before the next
//! check point, where fuel, interrupts and the stack limit are checked). No `_ =>` arm:
//! a new op in the table fails this match until it is handled here.

#![deny(clippy::wildcard_enum_match_arm)]

use super::superinsn::{Arith, Cmp};
use super::VM;
use crate::error::Trap;
use crate::fusion::{covers, Insn};
use crate::Value;

/// How the loop ended (errors are `Err((trap, ip))`).
pub(super) enum Exit {
    /// The chunk ran off its end, a top-level `Return`, or a halt request.
    End,
    /// A top-level `ReturnValue`: the run's result.
    ReturnValue(Value),
    /// A handler replaced or grew `vm.chunk`: prepare it again and continue at `vm.ip`.
    Reload,
}

/// Evaluates a handler; on a trap, leaves the loop with the faulting op's index.
macro_rules! tri {
    ($e:expr, $ip:expr) => {
        if let Err(trap) = $e {
            return Err((trap, $ip - 1));
        }
    };
}

/// Evaluates a superinstruction's handler whose error comes with the offset, from the
/// superinstruction's first op at `$head`, of the covered op that reports it.
macro_rules! tri_covered {
    ($e:expr, $head:expr) => {
        if let Err((trap, offset)) = $e {
            return Err((trap, $head + offset));
        }
    };
}

impl VM {
    pub(super) fn execute<const PROFILE: bool>(&mut self, code: &[Insn]) -> Result<Exit, (Trap, usize)> {
        let mut ip = self.ip;
        let mut ticks = self.start_slice(code.len());
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
        // `Jump(t)` with jump threading: a loop's back-edge lands on its fused head test;
        // run that here, saving its dispatch. Exactly what dispatching `code[t]` does.
        macro_rules! jump_threaded {
            ($t:expr) => {{
                goto!($t);
                match code.get(ip) {
                    Some(&Insn::SlotIntLtJumpIfFalse(s, k, exit)) => {
                        ip += covers::SlotIntLtJumpIfFalse;
                        if !self.slot_int_test(s, k, Cmp::Lt) {
                            goto!(exit as usize)
                        }
                    }
                    Some(&Insn::SlotSlotLtJumpIfFalse(a, b, exit)) => {
                        ip += covers::SlotSlotLtJumpIfFalse;
                        if !self.slot_slot_test(a, b, Cmp::Lt) {
                            goto!(exit as usize)
                        }
                    }
                    _ => {}
                }
            }};
        }
        // Moves past the rest of the ops a superinstruction covers (the loop head already
        // moved past the first), so a jump inside it is judged from where its jump op was.
        macro_rules! skip {
            ($name:ident) => {
                ip += covers::$name - 1
            };
        }
        // The guard of a recursive base case (`if n < 2 return n`): `get_slot s; load_int
        // k; num_<cmp>; jump_if_false t` then the rest of `$name`, which returns. Goes to
        // `t` when the test fails (judged from behind the jump op, like the op), else moves
        // behind the whole site, where the return's errors are reported.
        macro_rules! guard_or_goto {
            ($name:ident, $s:expr, $k:expr, $cmp:expr, $t:expr) => {{
                // The guard's four ops, whatever its comparison.
                const GUARD: usize = covers::SlotIntLtJumpIfFalse;
                ip += GUARD - 1;
                if !self.slot_int_test($s, $k, $cmp) {
                    goto!($t as usize);
                    continue;
                }
                ip += covers::$name - GUARD;
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

        // `call f, argc` after the covered ops computed the call's last arguments without
        // pushing them: `self.$with(f, argc, ip, args..)` passes them when no checkpoint
        // is due; else they are pushed and the call's tick runs the checks, which see them.
        macro_rules! call_with_args {
            ($with:ident, $f:expr, $argc:expr, $($arg:ident),+) => {{
                let called = if ticks > 1 {
                    ticks -= 1;
                    self.$with($f, $argc, ip, $($arg),+)
                } else {
                    $(self.stack.push($arg);)+
                    tick!();
                    self.exec_call($f, $argc, ip)
                };
                match called {
                    Ok(entry) => ip = entry,
                    Err(trap) => return Err((trap, ip - 1)),
                }
            }};
        }

        // `Exec` or `CallFunction`, which may enter an in-chunk function by name: that is a
        // call, charged a unit of fuel as `Call` is (once the frame is open, so a check
        // point sees it).
        macro_rules! enter_by_name {
            ($e:expr) => {
                match $e {
                    Ok(Some(entry)) => {
                        tick!();
                        ip = entry
                    }
                    Ok(None) => {}
                    Err(trap) => return Err((trap, ip - 1)),
                }
            };
        }

        // `ReturnValue` of `v` (already popped), `ip` just past the return op.
        macro_rules! return_value {
            ($v:expr) => {{
                let mut v = $v;
                let mut returned = false;
                while let Some(ret) = self.return_fast(code) {
                    ip = ret;
                    // Return threading (not in profiled runs: they count ops). What the
                    // caller does next with the value, done here, saving the push, the pop
                    // and the dispatch: a `return_value` (a call in tail position) returns
                    // it again; an `add; return_value` with an Int below returns the sum
                    // (`f(n - 1) + f(n - 2)`).
                    if !PROFILE {
                        match code.get(ip) {
                            Some(Insn::ReturnValue) => {
                                ip += 1;
                                continue;
                            }
                            Some(Insn::AddReturnValue) => {
                                if let (Some(&Value::Int(a)), Value::Int(b)) = (self.stack.last(), &v) {
                                    let sum = a.wrapping_add(*b);
                                    // `v` is an Int: no drop glue for it.
                                    Value::overwrite(&mut v, Value::Int(sum));
                                    self.pop().discard();
                                    ip += covers::AddReturnValue;
                                    continue;
                                }
                            }
                            _ => {}
                        }
                    }
                    returned = true;
                    break;
                }
                if returned {
                    self.push_returned(v);
                    continue;
                }
                match self.exec_return(code) {
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
            }};
        }

        while let Some(insn) = code.get(ip) {
            if PROFILE {
                self.profile_step(ip);
            }
            ip += 1;
            match *insn {
                // ---- constants & stack
                Insn::Nop => {}
                Insn::LoadInt(n) => self.stack.push(Value::Int(n)),
                Insn::LoadFloat(f) => self.stack.push(Value::Float(f)),
                Insn::LoadConst(c) => tri!(self.exec_load_const(c), ip),
                Insn::LoadTrue => self.stack.push(Value::Bool(true)),
                Insn::LoadFalse => self.stack.push(Value::Bool(false)),
                Insn::LoadUndef => self.stack.push(Value::Undef),
                Insn::Pop => self.pop().discard(),
                Insn::Dup => self.exec_dup(),
                Insn::Dup2 => self.exec_dup2(),
                Insn::Swap => self.exec_swap(),
                Insn::Rot => self.exec_rot(),
                // ---- variables
                Insn::GetVar(g) | Insn::GetArray(g) | Insn::GetHash(g) => {
                    self.stack.push(self.global(g).clone())
                }
                Insn::SetVar(g) | Insn::DeclareVar(g) | Insn::SetArray(g) | Insn::SetHash(g) => {
                    let v = self.pop();
                    self.set_global(g, v)
                }
                Insn::GetSlot(s) => self.exec_get_slot(s),
                Insn::SetSlot(s) => {
                    let v = self.pop();
                    self.set_slot(s, v)
                }
                Insn::SlotArrayGet(s) => self.exec_slot_array_get(s),
                Insn::SlotArraySet(s) => tri!(self.exec_slot_array_set(s), ip),
                // ---- arrays & hashes
                Insn::DeclareArray(g) => self.set_global(g, Value::array(Vec::new())),
                Insn::ArrayGet(g) => self.exec_array_get(g),
                Insn::ArraySet(g) => tri!(self.exec_array_set(g), ip),
                Insn::ArrayPush(g) => tri!(self.exec_array_push(g), ip),
                Insn::ArrayPop(g) => self.exec_array_pop(g),
                Insn::ArrayShift(g) => self.exec_array_shift(g),
                Insn::ArrayLen(g) => self.exec_array_len(g),
                Insn::MakeArray(n) => tri!(self.exec_make_array(n), ip),
                Insn::DeclareHash(g) => self.set_global(g, Value::Hash(Box::default())),
                Insn::HashGet(g) => tri!(self.exec_hash_get(g), ip),
                Insn::HashSet(g) => tri!(self.exec_hash_set(g), ip),
                Insn::HashDelete(g) => tri!(self.exec_hash_delete(g), ip),
                Insn::HashExists(g) => tri!(self.exec_hash_exists(g), ip),
                Insn::HashKeys(g) => self.exec_hash_keys(g),
                Insn::HashValues(g) => self.exec_hash_values(g),
                Insn::MakeHash(n) => tri!(self.exec_make_hash(n), ip),
                // ---- arithmetic
                Insn::Add => self.exec_add(),
                Insn::Sub => self.exec_sub(),
                Insn::Mul => self.exec_mul(),
                Insn::Div => self.exec_div(),
                Insn::Mod => self.exec_mod(),
                Insn::Pow => self.exec_pow(),
                Insn::Negate => self.exec_negate(),
                Insn::Inc => self.exec_inc(),
                Insn::Dec => self.exec_dec(),
                // ---- strings
                Insn::Concat => tri!(self.exec_concat(self.op_at(ip)), ip),
                Insn::StringRepeat => tri!(self.exec_string_repeat(), ip),
                Insn::StringLen => self.exec_string_len(),
                // ---- comparison
                Insn::NumEq => self.exec_num_eq(),
                Insn::NumNe => self.exec_num_ne(),
                Insn::NumLt => self.exec_num_lt(),
                Insn::NumGt => self.exec_num_gt(),
                Insn::NumLe => self.exec_num_le(),
                Insn::NumGe => self.exec_num_ge(),
                Insn::Spaceship => self.exec_spaceship(),
                Insn::StrEq => tri!(self.exec_str_cmp_op(|o| o.is_eq()), ip),
                Insn::StrNe => tri!(self.exec_str_cmp_op(|o| o.is_ne()), ip),
                Insn::StrLt => tri!(self.exec_str_cmp_op(|o| o.is_lt()), ip),
                Insn::StrGt => tri!(self.exec_str_cmp_op(|o| o.is_gt()), ip),
                Insn::StrLe => tri!(self.exec_str_cmp_op(|o| o.is_le()), ip),
                Insn::StrGe => tri!(self.exec_str_cmp_op(|o| o.is_ge()), ip),
                Insn::StrCmp => tri!(self.exec_str_cmp(), ip),
                // ---- logical / bitwise
                Insn::LogNot => self.exec_log_not(),
                Insn::LogAnd => self.exec_log_and(),
                Insn::LogOr => self.exec_log_or(),
                Insn::BitAnd => self.exec_int_binary(|a, b| a & b),
                Insn::BitOr => self.exec_int_binary(|a, b| a | b),
                Insn::BitXor => self.exec_int_binary(|a, b| a ^ b),
                Insn::BitNot => self.exec_bit_not(),
                Insn::Shl => self.exec_int_binary(|a, b| a.wrapping_shl((b as u32) & 63)),
                Insn::Shr => self.exec_int_binary(|a, b| a.wrapping_shr((b as u32) & 63)),
                // ---- control flow
                Insn::Jump(t) => jump_threaded!(t),
                Insn::JumpIfTrue(t) => {
                    if self.pop_truthy() {
                        goto!(t)
                    }
                }
                Insn::JumpIfFalse(t) => {
                    if !self.pop_truthy() {
                        goto!(t)
                    }
                }
                Insn::JumpIfTrueKeep(t) => {
                    if self.peek().is_truthy() {
                        goto!(t)
                    }
                }
                Insn::JumpIfFalseKeep(t) => {
                    if !self.peek().is_truthy() {
                        goto!(t)
                    }
                }
                // ---- functions & scope
                Insn::Call(f, argc) => {
                    tick!();
                    match self.exec_call(f, argc, ip) {
                        Ok(entry) => ip = entry,
                        Err(trap) => return Err((trap, ip - 1)),
                    }
                }
                Insn::Return => {
                    if let Some(ret) = self.return_fast(code) {
                        ip = ret;
                        continue;
                    }
                    match self.exec_return(code) {
                        Ok(Some(ret)) => ip = ret,
                        Ok(None) => break,
                        Err(trap) => return Err((trap, ip - 1)),
                    }
                }
                Insn::ReturnValue => {
                    let v = self.pop();
                    return_value!(v)
                }
                Insn::PushFrame => tri!(self.push_frame(ip, self.stack.len()), ip),
                Insn::PopFrame => tri!(self.exec_pop_frame(), ip),
                // ---- I/O
                Insn::Print(n) => tri!(self.exec_print(n, false), ip),
                Insn::PrintLn(n) => tri!(self.exec_print(n, true), ip),
                Insn::ReadLine => self.exec_read_line(),
                // ---- ranges
                Insn::Range => tri!(self.exec_range(), ip),
                Insn::RangeStep => tri!(self.exec_range_step(), ip),
                // ---- reserved higher-order blocks: no-ops, as upstream
                Insn::MapBlock(_)
                | Insn::GrepBlock(_)
                | Insn::SortBlock(_)
                | Insn::SortDefault
                | Insn::ForEachBlock(_) => {}
                // ---- fused
                Insn::PreIncSlot(s) => self.exec_pre_inc_slot(s),
                Insn::PreIncSlotVoid(s) => self.exec_pre_inc_slot_void(s),
                Insn::SlotLtIntJumpIfFalse(s, limit, t) => {
                    if self.slot(s).to_int() >= limit as i64 {
                        goto!(t)
                    }
                }
                Insn::SlotIncLtIntJumpBack(s, limit, t) => {
                    if self.exec_slot_inc_lt_int(s, limit) {
                        goto!(t)
                    }
                }
                Insn::AccumSumLoop(sum, i, limit) => {
                    tri!(self.exec_accum_sum_loop(sum, i, limit, &mut ticks), ip)
                }
                Insn::ConcatConstLoop(c, s, i, limit) => {
                    tri!(self.exec_concat_const_loop(c, s, i, limit, &mut ticks), ip)
                }
                Insn::PushIntRangeLoop(g, i, limit) => {
                    tri!(self.exec_push_int_range_loop(g, i, limit, &mut ticks), ip)
                }
                Insn::AddAssignSlotVoid(a, b) => self.exec_add_assign_slot_void(a, b),
                // ---- builtins & extensions
                Insn::CallBuiltin(id, argc) => {
                    if let Some(f) = self.builtins.get(id as usize).copied().flatten() {
                        with_public_state!({
                            let v = f(self, argc);
                            self.stack.push(v);
                        });
                    }
                }
                Insn::Extended(id, arg) => {
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
                Insn::ExtendedWide(id, payload) => {
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
                Insn::Exec(argc) => enter_by_name!(self.exec_exec(argc, ip)),
                Insn::ExecBg(argc) => tri!(self.exec_exec_bg(argc), ip),
                Insn::PipelineBegin(n) => self.with_host(|h| h.pipeline_begin(n)),
                Insn::PipelineStage => self.with_host(|h| h.pipeline_stage()),
                Insn::PipelineEnd => self.exec_pipeline_end(),
                Insn::Redirect(fd, kind) => tri!(self.exec_redirect(fd, kind), ip),
                Insn::HereDoc(c) => self.exec_here_doc(c),
                Insn::HereString => tri!(self.exec_here_string(), ip),
                Insn::CmdSubst(sub) => self.exec_sub_chunk_text(sub, |h, c| h.cmd_subst(c)),
                Insn::SubshellBegin => self.with_host(|h| h.subshell_begin()),
                Insn::SubshellEnd => self.exec_subshell_end(),
                Insn::ProcessSubIn(sub) => self.exec_sub_chunk_text(sub, |h, c| h.process_sub_in(c)),
                Insn::ProcessSubOut(sub) => self.exec_sub_chunk_text(sub, |h, c| h.process_sub_out(c)),
                Insn::Glob => tri!(self.exec_host_words(|h, s| h.glob(s, false)), ip),
                Insn::GlobRecursive => tri!(self.exec_host_words(|h, s| h.glob(s, true)), ip),
                Insn::TestFile(t) => tri!(self.exec_test_file(t), ip),
                Insn::SetStatus => self.last_status = self.pop().to_int() as i32,
                Insn::GetStatus => self.stack.push(Value::Status(self.last_status)),
                Insn::TrapSet(sub) => tri!(self.exec_trap_set(sub), ip),
                Insn::TrapCheck => self.with_host(|h| h.trap_check()),
                Insn::ExpandParam(m) => tri!(self.exec_expand_param(m), ip),
                Insn::WordSplit => tri!(self.exec_host_words(|h, s| h.word_split(s)), ip),
                Insn::BraceExpand => tri!(self.exec_host_words(|h, s| h.brace_expand(s)), ip),
                Insn::TildeExpand => tri!(self.exec_tilde_expand(), ip),
                Insn::CallFunction(f, argc) => enter_by_name!(self.exec_call_function(f, argc, ip)),
                Insn::StrMatch => tri!(self.exec_str_match(), ip),
                Insn::RegexMatch => tri!(self.exec_regex_match(), ip),
                Insn::WithRedirectsBegin(n) => self.with_host(|h| h.with_redirects_begin(n)),
                Insn::WithRedirectsEnd => self.with_host(|h| h.with_redirects_end()),
                // ---- superinstructions (automatic fusion): `skip!` moves past the covered ops
                Insn::SlotIntLtJumpIfFalse(s, k, t) => {
                    skip!(SlotIntLtJumpIfFalse);
                    if !self.slot_int_test(s, k, Cmp::Lt) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntLeJumpIfFalse(s, k, t) => {
                    skip!(SlotIntLeJumpIfFalse);
                    if !self.slot_int_test(s, k, Cmp::Le) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntGtJumpIfFalse(s, k, t) => {
                    skip!(SlotIntGtJumpIfFalse);
                    if !self.slot_int_test(s, k, Cmp::Gt) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntGeJumpIfFalse(s, k, t) => {
                    skip!(SlotIntGeJumpIfFalse);
                    if !self.slot_int_test(s, k, Cmp::Ge) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntEqJumpIfFalse(s, k, t) => {
                    skip!(SlotIntEqJumpIfFalse);
                    if !self.slot_int_test(s, k, Cmp::Eq) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntNeJumpIfFalse(s, k, t) => {
                    skip!(SlotIntNeJumpIfFalse);
                    if !self.slot_int_test(s, k, Cmp::Ne) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntLtJumpIfTrue(s, k, t) => {
                    skip!(SlotIntLtJumpIfTrue);
                    if self.slot_int_test(s, k, Cmp::Lt) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntLeJumpIfTrue(s, k, t) => {
                    skip!(SlotIntLeJumpIfTrue);
                    if self.slot_int_test(s, k, Cmp::Le) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntGtJumpIfTrue(s, k, t) => {
                    skip!(SlotIntGtJumpIfTrue);
                    if self.slot_int_test(s, k, Cmp::Gt) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntGeJumpIfTrue(s, k, t) => {
                    skip!(SlotIntGeJumpIfTrue);
                    if self.slot_int_test(s, k, Cmp::Ge) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntEqJumpIfTrue(s, k, t) => {
                    skip!(SlotIntEqJumpIfTrue);
                    if self.slot_int_test(s, k, Cmp::Eq) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotIntNeJumpIfTrue(s, k, t) => {
                    skip!(SlotIntNeJumpIfTrue);
                    if self.slot_int_test(s, k, Cmp::Ne) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotSlotLtJumpIfFalse(a, b, t) => {
                    skip!(SlotSlotLtJumpIfFalse);
                    if !self.slot_slot_test(a, b, Cmp::Lt) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotSlotLeJumpIfFalse(a, b, t) => {
                    skip!(SlotSlotLeJumpIfFalse);
                    if !self.slot_slot_test(a, b, Cmp::Le) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotSlotGtJumpIfFalse(a, b, t) => {
                    skip!(SlotSlotGtJumpIfFalse);
                    if !self.slot_slot_test(a, b, Cmp::Gt) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotSlotGeJumpIfFalse(a, b, t) => {
                    skip!(SlotSlotGeJumpIfFalse);
                    if !self.slot_slot_test(a, b, Cmp::Ge) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotSlotEqJumpIfFalse(a, b, t) => {
                    skip!(SlotSlotEqJumpIfFalse);
                    if !self.slot_slot_test(a, b, Cmp::Eq) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotSlotNeJumpIfFalse(a, b, t) => {
                    skip!(SlotSlotNeJumpIfFalse);
                    if !self.slot_slot_test(a, b, Cmp::Ne) {
                        goto!(t as usize)
                    }
                }
                Insn::SlotSlotAddToSlot(a, b, d) => {
                    skip!(SlotSlotAddToSlot);
                    self.slot_slot_arith_to(a, b, d, Arith::Add)
                }
                Insn::SlotSlotSubToSlot(a, b, d) => {
                    skip!(SlotSlotSubToSlot);
                    self.slot_slot_arith_to(a, b, d, Arith::Sub)
                }
                Insn::SlotSlotMulToSlot(a, b, d) => {
                    skip!(SlotSlotMulToSlot);
                    self.slot_slot_arith_to(a, b, d, Arith::Mul)
                }
                Insn::SlotIntAddToSlotJump(s, k, d, t) => {
                    skip!(SlotIntAddToSlotJump);
                    self.slot_int_arith_to(s, k, d, Arith::Add);
                    jump_threaded!(t as usize)
                }
                Insn::SlotIntAddToSlot(s, k, d) => {
                    skip!(SlotIntAddToSlot);
                    self.slot_int_arith_to(s, k, d, Arith::Add)
                }
                Insn::SlotIntSubToSlot(s, k, d) => {
                    skip!(SlotIntSubToSlot);
                    self.slot_int_arith_to(s, k, d, Arith::Sub)
                }
                Insn::SlotIntMulToSlot(s, k, d) => {
                    skip!(SlotIntMulToSlot);
                    self.slot_int_arith_to(s, k, d, Arith::Mul)
                }
                Insn::SlotSlotAdd(a, b) => {
                    skip!(SlotSlotAdd);
                    self.stack.push(self.slot_slot_arith(a, b, Arith::Add))
                }
                Insn::SlotSlotSub(a, b) => {
                    skip!(SlotSlotSub);
                    self.stack.push(self.slot_slot_arith(a, b, Arith::Sub))
                }
                Insn::SlotSlotMul(a, b) => {
                    skip!(SlotSlotMul);
                    self.stack.push(self.slot_slot_arith(a, b, Arith::Mul))
                }
                Insn::SlotIntAdd(s, k) => {
                    skip!(SlotIntAdd);
                    self.push_slot_int_arith(s, k, Arith::Add)
                }
                Insn::SlotIntSub(s, k) => {
                    skip!(SlotIntSub);
                    self.push_slot_int_arith(s, k, Arith::Sub)
                }
                Insn::SlotIntMul(s, k) => {
                    skip!(SlotIntMul);
                    self.push_slot_int_arith(s, k, Arith::Mul)
                }
                Insn::SlotIntMod(s, k) => {
                    skip!(SlotIntMod);
                    self.push_slot_int_arith(s, k, Arith::Mod)
                }
                Insn::AddToSlot(d) => {
                    skip!(AddToSlot);
                    self.exec_add();
                    let v = self.pop();
                    self.set_slot(d, v)
                }
                Insn::SubToSlot(d) => {
                    skip!(SubToSlot);
                    self.exec_sub();
                    let v = self.pop();
                    self.set_slot(d, v)
                }
                Insn::MulToSlot(d) => {
                    skip!(MulToSlot);
                    self.exec_mul();
                    let v = self.pop();
                    self.set_slot(d, v)
                }
                Insn::SlotMulAccumulate(d, a, b) => {
                    skip!(SlotMulAccumulate);
                    self.slot_mul_accumulate(d, a, b)
                }
                Insn::SlotAppendConst(s, c) => {
                    let head = ip - 1;
                    skip!(SlotAppendConst);
                    match self.slot_append_const(s, c) {
                        Ok(true) => {}
                        Ok(false) => {
                            tri_covered!(self.slot_append_by_ops(s, |vm| vm.exec_load_const(c)), head)
                        }
                        // The string limit, reported at the `concat`.
                        Err(trap) => return Err((trap, head + 2)),
                    }
                }
                Insn::SlotAppendSlot(s, t) => {
                    let head = ip - 1;
                    skip!(SlotAppendSlot);
                    if !self.slot_append_slot(s, t) {
                        let push_tail = |vm: &mut VM| {
                            vm.exec_get_slot(t);
                            Ok(())
                        };
                        tri_covered!(self.slot_append_by_ops(s, push_tail), head)
                    }
                }
                Insn::ConcatConst(c) => {
                    let head = ip - 1;
                    skip!(ConcatConst);
                    tri_covered!(self.exec_concat_const(c, self.op_at(ip)), head)
                }
                Insn::SlotArrayPush(s, g) => {
                    skip!(SlotArrayPush);
                    tri!(self.slot_array_push(s, g), ip)
                }
                Insn::SlotAddArrayElem(acc, index, g) => {
                    skip!(SlotAddArrayElem);
                    self.slot_add_array_elem(acc, index, g)
                }
                Insn::SlotHashAddInt(s, g, k) => {
                    let head = ip - 1;
                    skip!(SlotHashAddInt);
                    tri_covered!(self.slot_hash_add_int(s, g, k), head)
                }
                Insn::SlotReturnValue(s) => {
                    skip!(SlotReturnValue);
                    return_value!(self.slot_value(s))
                }
                Insn::IfSlotIntLtReturnSlot(s, k, t, r) => {
                    guard_or_goto!(IfSlotIntLtReturnSlot, s, k, Cmp::Lt, t);
                    return_value!(self.slot_value(r))
                }
                Insn::IfSlotIntEqReturnSlot(s, k, t, r) => {
                    guard_or_goto!(IfSlotIntEqReturnSlot, s, k, Cmp::Eq, t);
                    return_value!(self.slot_value(r))
                }
                Insn::IfSlotIntEqReturnSlotIntAdd(s, k, t, r, j) => {
                    guard_or_goto!(IfSlotIntEqReturnSlotIntAdd, s, k, Cmp::Eq, t);
                    return_value!(Arith::Add.apply_int(self.slot(r), j as i64))
                }
                Insn::SlotIntAddReturnValue(s, k) => {
                    skip!(SlotIntAddReturnValue);
                    let v = Arith::Add.apply_int(self.slot(s), k as i64);
                    return_value!(v)
                }
                Insn::AddReturnValue => {
                    skip!(AddReturnValue);
                    self.exec_add();
                    let v = self.pop();
                    return_value!(v)
                }
                Insn::SlotIntSubCall(s, k, f, argc) => {
                    skip!(SlotIntSubCall);
                    let v = Arith::Sub.apply_int(self.slot(s), k as i64);
                    call_with_args!(exec_call_with_arg, f, argc, v)
                }
                Insn::SlotSlotIntSubCall(a, b, k, f, argc) => {
                    skip!(SlotSlotIntSubCall);
                    let x = self.slot(a).clone();
                    let v = Arith::Sub.apply_int(self.slot(b), k as i64);
                    call_with_args!(exec_call_with_args, f, argc, x, v)
                }
                Insn::SetSlotPair(a, b) => {
                    skip!(SetSlotPair);
                    let v = self.pop();
                    self.set_slot(a, v);
                    let v = self.pop();
                    self.set_slot(b, v)
                }
                Insn::Nops8 => skip!(Nops8),
                Insn::Nops4 => skip!(Nops4),
                Insn::Nops2 => skip!(Nops2),
                Insn::LoadIntToSlot(n, d) => {
                    skip!(LoadIntToSlot);
                    self.set_slot_int(d, n)
                }
                Insn::LtJumpIfFalse(t) => {
                    skip!(LtJumpIfFalse);
                    if !self.pop_pair_test(Cmp::Lt) {
                        goto!(t as usize)
                    }
                }
                Insn::LeJumpIfFalse(t) => {
                    skip!(LeJumpIfFalse);
                    if !self.pop_pair_test(Cmp::Le) {
                        goto!(t as usize)
                    }
                }
                Insn::GtJumpIfFalse(t) => {
                    skip!(GtJumpIfFalse);
                    if !self.pop_pair_test(Cmp::Gt) {
                        goto!(t as usize)
                    }
                }
                Insn::GeJumpIfFalse(t) => {
                    skip!(GeJumpIfFalse);
                    if !self.pop_pair_test(Cmp::Ge) {
                        goto!(t as usize)
                    }
                }
                Insn::EqJumpIfFalse(t) => {
                    skip!(EqJumpIfFalse);
                    if !self.pop_pair_test(Cmp::Eq) {
                        goto!(t as usize)
                    }
                }
                Insn::NeJumpIfFalse(t) => {
                    skip!(NeJumpIfFalse);
                    if !self.pop_pair_test(Cmp::Ne) {
                        goto!(t as usize)
                    }
                }
                Insn::LtJumpIfTrue(t) => {
                    skip!(LtJumpIfTrue);
                    if self.pop_pair_test(Cmp::Lt) {
                        goto!(t as usize)
                    }
                }
                Insn::LeJumpIfTrue(t) => {
                    skip!(LeJumpIfTrue);
                    if self.pop_pair_test(Cmp::Le) {
                        goto!(t as usize)
                    }
                }
                Insn::GtJumpIfTrue(t) => {
                    skip!(GtJumpIfTrue);
                    if self.pop_pair_test(Cmp::Gt) {
                        goto!(t as usize)
                    }
                }
                Insn::GeJumpIfTrue(t) => {
                    skip!(GeJumpIfTrue);
                    if self.pop_pair_test(Cmp::Ge) {
                        goto!(t as usize)
                    }
                }
                Insn::EqJumpIfTrue(t) => {
                    skip!(EqJumpIfTrue);
                    if self.pop_pair_test(Cmp::Eq) {
                        goto!(t as usize)
                    }
                }
                Insn::NeJumpIfTrue(t) => {
                    skip!(NeJumpIfTrue);
                    if self.pop_pair_test(Cmp::Ne) {
                        goto!(t as usize)
                    }
                }
            }
        }
        self.ip = ip;
        self.charge_ticks(ticks);
        Ok(Exit::End)
    }

    /// `GetSlot`: the Int case first (a compare instead of the clone's variant table).
    #[inline(always)]
    pub(super) fn exec_get_slot(&mut self, s: u16) {
        let v = match self.slot_ref(s) {
            Some(Value::Int(n)) => Value::Int(*n),
            Some(v) => v.clone(),
            None => Value::Undef,
        };
        self.stack.push(v);
    }

    /// Pushes a value a call returned for its caller, an Int by `Value::push_int` (made
    /// just now, `Vec::push` would copy it in a store-forwarding stall). Out of line: the
    /// call costs less than the stall, and one copy keeps the four return paths small.
    #[inline(never)]
    fn push_returned(&mut self, v: Value) {
        Value::push_value(&mut self.stack, v)
    }

    /// Counts the dispatch at `ip` into the profile of a `run_profiled`.
    #[cold]
    #[inline(never)]
    fn profile_step(&mut self, ip: usize) {
        let op = self.op_at(ip);
        if let (Some(p), Some(op)) = (self.profiler.as_deref_mut(), op) {
            p.record(ip, op.opcode());
        }
    }

    /// Pops the top and tests it (an empty stack reads as `Undef`: false).
    #[inline(always)]
    pub(super) fn pop_truthy(&mut self) -> bool {
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
}
