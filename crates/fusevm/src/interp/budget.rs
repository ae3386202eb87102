//! The run budget: fuel, interrupts and the memory bound of the stack and the frames' slots,
//! all checked at check points so the dispatch loop pays one decrement per back-edge or call.
//!
//! The loop runs in *slices* of ticks (one tick per backward jump and per call). When a
//! slice's ticks are used up the loop reaches `checkpoint`, which charges the slice to the
//! fuel budget, observes interrupts and checks the stack limit, then starts the next slice.
//!
//! A slice is short enough that no limit can be overshot by much before the next check:
//! - it never holds more ticks than the fuel left, so fuel runs out exactly;
//! - it holds at most `CHECK_INTERVAL` ticks, which bounds the interrupt latency;
//! - between two ticks the loop runs forward through the chunk at most once per return, so
//!   it pushes at most `pass_growth` values (each op pushes at most two); a slice holds
//!   no more ticks than the stack's headroom allows at that rate. Far from the limit this
//!   is `CHECK_INTERVAL`; near it, every back-edge is a check point. The values counted are
//!   the value stack plus every frame's slots (`VM::used_values`).
//!
//! `push_frame` also checks the limit before a frame is opened, so recursion whose frames
//! hold large slot windows stops at the limit (each frame's slots reach at most 64 Ki values).
//! A slot write that grows a window past the limit is remembered (`slots_overshoot`) and
//! fails the next frame open or check point, even if the window is gone by then: otherwise
//! a loop that opens a scope, writes slot 65 535 and closes it would build and drop 64 Ki
//! values per iteration, under any limit, for as long as its fuel lasts.

use super::VM;
use crate::error::{ErrorKind, Trap};

/// Back-edges and calls between two check points (interrupt latency is at most this many).
const CHECK_INTERVAL: u64 = 1024;

impl VM {
    /// Starts a slice for a chunk of `op_count` ops; returns its ticks.
    pub(super) fn start_slice(&mut self, op_count: usize) -> u64 {
        self.pass_growth = op_count.saturating_mul(2).saturating_add(2) as u64;
        self.next_slice()
    }

    /// Chooses the next slice (see the module doc) and remembers its length. Invariant:
    /// `fuel_left` is the fuel at the start of the slice, and a slice never exceeds it (a
    /// spent budget gets a slice of 1 whose tick fails).
    fn next_slice(&mut self) -> u64 {
        let by_fuel = match self.fuel_left {
            Some(f) => f.clamp(1, CHECK_INTERVAL),
            None => CHECK_INTERVAL,
        };
        let headroom = self.limits.max_stack.saturating_sub(self.used_values()) as u64;
        let by_stack = (headroom / self.pass_growth.max(1)).max(1);
        self.slice = by_fuel.min(by_stack);
        self.slice
    }

    /// Values held by the run: the value stack and every frame's slots.
    pub(super) fn used_values(&self) -> usize {
        self.stack.len() + self.public_slots + self.slots.len()
    }

    /// Recounts the slots of the frames in the public `frames` (`public_slots`); a run
    /// calls this once at its start, since frames are public and may have changed since.
    /// (A handler that resizes them mid-run makes the count approximate, never unsafe.)
    pub(super) fn recount_public_slots(&mut self) {
        self.public_slots = self.frames.iter().map(|f| f.slots.len()).sum();
    }

    /// Settles the fuel used so far in the current slice (`left` of its ticks remain).
    pub(super) fn charge_ticks(&mut self, left: u64) {
        let used = self.slice.saturating_sub(left);
        if let Some(f) = &mut self.fuel_left {
            *f = f.saturating_sub(used);
        }
    }

    /// The check point, reached when a slice's ticks are used up: charges the slice, then
    /// checks fuel, interrupts and the stack limit. Returns the next slice.
    #[cold]
    #[inline(never)]
    pub(super) fn checkpoint(&mut self) -> Result<u64, Trap> {
        if let Some(f) = self.fuel_left {
            if f == 0 {
                return Err(self.out_of_fuel());
            }
            self.fuel_left = Some(f.saturating_sub(self.slice));
        }
        if self.interrupt.take() {
            return Err(Trap::new(
                ErrorKind::Interrupted,
                "interrupted by InterruptHandle::interrupt",
            ));
        }
        self.check_stack_limit()?;
        Ok(self.next_slice())
    }

    /// `StackOverflow` when the stack and the frames' slots hold more than `max_stack` values,
    /// or a slot write made them hold more since the run started (`slots_overshoot`).
    #[inline]
    pub(super) fn check_stack_limit(&self) -> Result<(), Trap> {
        if !self.has_room_for(0) {
            return Err(self.stack_overflow());
        }
        Ok(())
    }

    /// True when the run may hold `n` more values: within `max_stack` with them, and no
    /// slot write went past it (`slots_overshoot`). `n = 0` is `check_stack_limit`'s test.
    #[inline(always)]
    pub(super) fn has_room_for(&self, n: usize) -> bool {
        self.used_values() + n <= self.limits.max_stack && self.slots_overshoot.is_none()
    }

    #[cold]
    #[inline(never)]
    fn stack_overflow(&self) -> Trap {
        let message = match self.slots_overshoot {
            Some(held) => format!(
                "a slot write grew the frame slots to hold {held} values with the value stack, \
                 past the limit of {}",
                self.limits.max_stack
            ),
            None => format!(
                "value stack of {} values and frame slots of {} values exceed the limit of {}",
                self.stack.len(),
                self.public_slots + self.slots.len(),
                self.limits.max_stack
            ),
        };
        Trap::new(ErrorKind::StackOverflow, message)
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
            self.slice = 1;
            *ticks = 1;
            return Err(self.out_of_fuel());
        }
        self.fuel_left = Some(f - n);
        *ticks = self.next_slice();
        Ok(())
    }
}
