//! Slot ops, plain and fused (interp/dispatch.rs, interp/fused.rs).
//!
//! Reading a slot native code has not written ([`JVal::Vm`], or a tagged value whose tag
//! may be `VM`) gives `Undef` when the slot is absent or lives in a natively opened scope;
//! an entry-frame slot that held a non-numeric value at entry cannot be read natively, so
//! the read exits (guarded at run time when the slot may have been written since).

use super::kind::{JVal, Kind, TAG_UNDEF, TAG_VM};
use super::{Flow, Lowerer};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value as Reg};

impl Lowerer<'_> {
    /// The value `GetSlot(s)` would push; `None` when native code exited instead (the
    /// exit resumes at `ip` with `pre`).
    fn read_slot(&mut self, s: u16, ip: usize) -> Option<JVal> {
        let pre = self.st.clone();
        let v = self.st.slot(s);
        if !v.kind().meets(Kind::VM) {
            return Some(v);
        }
        let foreign = self.st.depth() == 0 && self.foreign.contains(&s);
        match v {
            JVal::Tagged { kind, tag, payload } if foreign => {
                let ok = self.b.ins().icmp_imm_s(IntCC::NotEqual, tag, TAG_VM as i64);
                self.guard(ok, &pre, ip);
                Some(self.narrow(tag, payload, kind.without(Kind::VM)))
            }
            JVal::Tagged { kind, tag, payload } => {
                // The VM's value is an absent slot: Undef (its payload is already 0).
                let is_vm = self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_VM as i64);
                let undef = self.b.ins().iconst(types::I8, TAG_UNDEF as i64);
                let tag = self.b.ins().select(is_vm, undef, tag);
                Some(self.narrow(tag, payload, kind.without(Kind::VM).union(Kind::UNDEF)))
            }
            // Not tagged but may be the VM's: the slot is the VM's (`JVal::Vm`).
            JVal::Vm | JVal::Undef | JVal::Bool(_) | JVal::Int(_) | JVal::Float(_) if foreign => {
                self.exit_with(&pre, ip);
                None
            }
            JVal::Vm | JVal::Undef | JVal::Bool(_) | JVal::Int(_) | JVal::Float(_) => Some(JVal::Undef),
        }
    }

    /// `to_int` of slot `s` (the fused ops' read).
    fn slot_int(&mut self, s: u16, ip: usize) -> Option<Reg> {
        let v = self.read_slot(s, ip)?;
        Some(self.int_of(&v))
    }

    pub(super) fn lower_get_slot(&mut self, ip: usize, s: u16) -> Flow {
        match self.read_slot(s, ip) {
            Some(v) => self.push(v),
            None => Flow::Exited,
        }
    }

    pub(super) fn lower_set_slot(&mut self, ip: usize, s: u16) -> Flow {
        if !self.has(1, ip) {
            return Flow::Exited;
        }
        let v = self.pop();
        self.st.set_slot(s, v);
        Flow::Next
    }

    /// `PreIncSlot(s)` / `PreIncSlotVoid(s)`: `slot = Int(to_int(slot) + 1)`, pushing it
    /// when `push`.
    pub(super) fn lower_pre_inc_slot(&mut self, ip: usize, s: u16, push: bool) -> Flow {
        let Some(n) = self.slot_int(s, ip) else {
            return Flow::Exited;
        };
        let n = self.b.ins().iadd_imm_s(n, 1);
        self.st.set_slot(s, JVal::Int(n));
        if push {
            self.push(JVal::Int(n))
        } else {
            Flow::Next
        }
    }

    /// `AddAssignSlotVoid(a, b)`: `a = Int(to_int(a) + to_int(b))`.
    pub(super) fn lower_add_assign_slot_void(&mut self, ip: usize, a: u16, b: u16) -> Flow {
        let Some(x) = self.slot_int(a, ip) else {
            return Flow::Exited;
        };
        let Some(y) = self.slot_int(b, ip) else {
            return Flow::Exited;
        };
        let n = self.b.ins().iadd(x, y);
        self.st.set_slot(a, JVal::Int(n));
        Flow::Next
    }

    /// `SlotLtIntJumpIfFalse(s, limit, t)`: jumps when `to_int(slot) >= limit`.
    pub(super) fn lower_slot_lt_int_jump_if_false(
        &mut self,
        ip: usize,
        s: u16,
        limit: i32,
        t: usize,
    ) -> Flow {
        let pre = self.st.clone();
        let Some(n) = self.slot_int(s, ip) else {
            return Flow::Exited;
        };
        let cond = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, n, limit as i64);
        Flow::Branch {
            cond,
            invert: false,
            target: t,
            pre,
        }
    }

    /// `SlotIncLtIntJumpBack(s, limit, t)`: `slot = Int(to_int(slot) + 1)`, then jumps when
    /// the new value is below `limit`.
    pub(super) fn lower_slot_inc_lt_int_jump_back(
        &mut self,
        ip: usize,
        s: u16,
        limit: i32,
        t: usize,
    ) -> Flow {
        let pre = self.st.clone();
        let Some(n) = self.slot_int(s, ip) else {
            return Flow::Exited;
        };
        let n = self.b.ins().iadd_imm_s(n, 1);
        self.st.set_slot(s, JVal::Int(n));
        let cond = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, n, limit as i64);
        Flow::Branch {
            cond,
            invert: false,
            target: t,
            pre,
        }
    }

    /// `AccumSumLoop(sum, i, limit)`: `while i < limit { sum += i; i += 1 }` in closed form,
    /// wrapping like the loop, charging one fuel unit per iteration (interp/fused.rs).
    pub(super) fn lower_accum_sum_loop(&mut self, ip: usize, sum: u16, i: u16, limit: i32) -> Flow {
        let pre = self.st.clone();
        let Some(start) = self.slot_int(i, ip) else {
            return Flow::Exited;
        };
        let Some(total) = self.slot_int(sum, ip) else {
            return Flow::Exited;
        };
        let n = self.iterations(start, limit);
        self.charge_bulk(n, &pre, ip);
        // n*start + n(n-1)/2 mod 2^64: halve whichever of n, n-1 is even before multiplying,
        // so the product is exact modulo 2^64.
        let n_start = self.b.ins().imul(n, start);
        let m = self.b.ins().iadd_imm_s(n, -1);
        let n_odd = self.b.ins().band_imm_s(n, 1);
        let n_half = self.b.ins().ushr_imm_s(n, 1);
        let m_half = self.b.ins().ushr_imm_s(m, 1);
        let even_case = self.b.ins().imul(n_half, m);
        let odd_case = self.b.ins().imul(n, m_half);
        let tri = self.b.ins().select(n_odd, odd_case, even_case);
        let added = self.b.ins().iadd(n_start, tri);
        let new_sum = self.b.ins().iadd(total, added);
        self.st.set_slot(sum, JVal::Int(new_sum));
        let lim = self.b.ins().iconst(types::I64, limit as i64);
        let ran = self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0);
        let new_i = self.b.ins().select(ran, lim, start);
        self.st.set_slot(i, JVal::Int(new_i));
        Flow::Next
    }

    /// Iterations of `while i < limit`: `(limit as i64).saturating_sub(i).max(0)` as u64.
    fn iterations(&mut self, start: Reg, limit: i32) -> Reg {
        let lim = self.b.ins().iconst(types::I64, limit as i64);
        // For start < limit the true difference is below 2^64, so the wrapping difference
        // read as unsigned is exact; saturate it at i64::MAX like the interpreter.
        let diff = self.b.ins().isub(lim, start);
        let max = self.b.ins().iconst(types::I64, i64::MAX);
        let capped = self.b.ins().umin(diff, max);
        let below = self.b.ins().icmp(IntCC::SignedLessThan, start, lim);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.ins().select(below, capped, zero)
    }
}
