//! Fuel and interrupts in native code, charged exactly where the interpreter charges them
//! (one unit per taken backward jump, `n` units for a fused loop of `n` iterations), so a
//! budget runs out at the same op whichever tier runs the loop.
//!
//! Code is compiled for one of two modes (part of the cache key):
//! - [`Fuel::Counted`] (the run has a budget): the `ticks` variable counts the units left
//!   in the current slice. A tick with none left takes the slow path: check the interrupt
//!   flag, then take the next slice (at most [`CHECK_INTERVAL`]) out of `Ctx::fuel`.
//! - [`Fuel::Unlimited`]: nothing to count, so a back-edge only reads the interrupt flag
//!   (one compare with memory and a branch that is never taken).
//!
//! When the flag is set or the fuel is gone, native code exits *before* the charging op,
//! and the interpreter re-executes it and raises `Interrupted` / `OutOfFuel` at its own
//! check point.

use super::state::State;
use super::Lowerer;
use crate::jit::abi::{Fuel, CHECK_INTERVAL, CTX_FUEL};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value as Reg};

impl Lowerer<'_> {
    /// Charges one unit for the backward jump at `ip`; `pre` is the state before that op.
    pub(crate) fn tick(&mut self, pre: &State, ip: usize) {
        match self.fuel {
            Fuel::Unlimited => self.check_interrupt(pre, ip, false),
            Fuel::Counted => self.tick_counted(pre, ip),
        }
    }

    /// Exits before `ip` (state `pre`) when the interrupt flag is set. A plain byte load:
    /// the flag is an `AtomicBool` another thread sets, and an aligned byte load is atomic
    /// on every host Cranelift targets; it is never hoisted (it is not `readonly`).
    fn check_interrupt(&mut self, pre: &State, ip: usize, cold: bool) {
        let flag = self
            .b
            .ins()
            .load(types::I8, MemFlagsData::trusted(), self.interrupt, 0);
        let clear = self.b.ins().icmp_imm_s(IntCC::Equal, flag, 0);
        self.guard_in(clear, pre, ip, cold);
    }

    fn tick_counted(&mut self, pre: &State, ip: usize) {
        let flags = MemFlagsData::trusted();
        let t = self.b.use_var(self.ticks);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(t, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let t1 = self.b.ins().iadd_imm_s(t, -1);
        self.b.def_var(self.ticks, t1);
        self.b.ins().jump(cont, &[]);

        self.b.switch_to_block(slow);
        self.check_interrupt(pre, ip, true);
        let fuel = self.b.ins().load(types::I64, flags, self.ctx, CTX_FUEL);
        let has_fuel = self.b.ins().icmp_imm_s(IntCC::NotEqual, fuel, 0);
        self.guard_in(has_fuel, pre, ip, true);
        let interval = self.b.ins().iconst(types::I64, CHECK_INTERVAL);
        let slice = self.b.ins().umin(fuel, interval);
        let rest = self.b.ins().isub(fuel, slice);
        self.b.ins().store(flags, rest, self.ctx, CTX_FUEL);
        let next = self.b.ins().iadd_imm_s(slice, -1);
        self.b.def_var(self.ticks, next);
        self.b.ins().jump(cont, &[]);

        self.b.switch_to_block(cont);
    }

    /// Charges `n` units at once (a fused loop, interp `charge_bulk`): only with a fuel
    /// budget, and exiting before the op at `ip` (state `pre`) when fewer are left.
    pub(crate) fn charge_bulk(&mut self, n: Reg, pre: &State, ip: usize) {
        if self.fuel == Fuel::Unlimited {
            return;
        }
        let flags = MemFlagsData::trusted();
        let t = self.b.use_var(self.ticks);
        let fuel = self.b.ins().load(types::I64, flags, self.ctx, CTX_FUEL);
        // Fuel left = fuel + ticks; never overflows (it started as one u64 budget).
        let left = self.b.ins().iadd(fuel, t);
        let enough = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, n, left);
        self.guard(enough, pre, ip);
        // Take the units from the slice first, then from the reserve.
        let from_ticks = self.b.ins().umin(n, t);
        let new_ticks = self.b.ins().isub(t, from_ticks);
        let from_fuel = self.b.ins().isub(n, from_ticks);
        let new_fuel = self.b.ins().isub(fuel, from_fuel);
        self.b.ins().store(flags, new_fuel, self.ctx, CTX_FUEL);
        self.b.def_var(self.ticks, new_ticks);
    }
}
