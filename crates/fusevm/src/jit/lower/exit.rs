//! Exits: storing a machine state into `Ctx::out` and returning the exit's index, and
//! guards that take such an exit when a run-time condition fails.
//!
//! The layout of every exit is recorded in an [`ExitInfo`] at compile time; only values
//! native code holds are stored (a slot it never wrote is not in the record, so the VM's
//! value stays — write-back touches exactly the slots native code owns).

use super::kind::JVal;
use super::state::State;
use super::{Flow, Lowerer};
use crate::jit::abi::{Cell, ExitFrame, ExitInfo, CTX_OUT, CTX_TICKS};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value as Reg};

impl Lowerer<'_> {
    /// Ends the current block with an exit resuming at `ip` in the current state.
    pub(crate) fn exit_now(&mut self, ip: usize) -> Flow {
        let st = self.st.clone();
        self.exit_with(&st, ip);
        Flow::Exited
    }

    /// Ends the current block with an exit resuming at `ip` in `state`.
    pub(crate) fn exit_with(&mut self, state: &State, ip: usize) {
        let out = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), self.ctx, CTX_OUT);
        let mut off = 0u32;
        let stack = state
            .stack
            .iter()
            .map(|v| self.store_cell(out, v, &mut off))
            .collect();
        let mut frames: Vec<ExitFrame> = Vec::with_capacity(state.frames.len());
        for f in &state.frames {
            let slots = f
                .slots
                .iter()
                .filter(|(_, v)| !matches!(v, JVal::Vm))
                .map(|(&s, v)| (s, self.store_cell(out, v, &mut off)))
                .collect();
            frames.push(ExitFrame {
                return_ip: f.return_ip,
                stack_base: f.stack_base,
                slots,
            });
        }
        let ticks = self.b.use_var(self.ticks);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), ticks, self.ctx, CTX_TICKS);
        let id = self.exits.len();
        let entry_slots = if frames.is_empty() {
            Vec::new()
        } else {
            frames.remove(0).slots
        };
        self.exits.push(ExitInfo {
            ip,
            entry_slots,
            frames,
            stack,
        });
        self.out_words = self.out_words.max(off as usize);
        let id = self.b.ins().iconst(types::I32, id as i64);
        self.b.ins().return_(&[id]);
    }

    /// Stores `v` at word `*off` of `out` (as its [`Cell`] describes) and advances `off`.
    fn store_cell(&mut self, out: Reg, v: &JVal, off: &mut u32) -> Cell {
        let cell = Cell {
            kind: v.kind(),
            off: *off,
        };
        let flags = MemFlagsData::trusted();
        let at = |k: u32| (k * 8) as i32;
        match *v {
            JVal::Undef | JVal::Vm => {}
            JVal::Int(r) | JVal::Float(r) => {
                self.b.ins().store(flags, r, out, at(*off));
            }
            JVal::Bool(r) => {
                let w = self.b.ins().uextend(types::I64, r);
                self.b.ins().store(flags, w, out, at(*off));
            }
            JVal::Tagged { tag, payload, .. } => {
                let t = self.b.ins().uextend(types::I64, tag);
                self.b.ins().store(flags, t, out, at(*off));
                self.b.ins().store(flags, payload, out, at(*off + 1));
            }
        }
        *off += v.kind().words() as u32;
        cell
    }

    /// Continues when `ok` (`i8`) is non-zero; otherwise exits resuming at `ip` in `pre`.
    pub(crate) fn guard(&mut self, ok: Reg, pre: &State, ip: usize) {
        self.guard_in(ok, pre, ip, false);
    }

    /// [`Lowerer::guard`] on a path that is itself cold (the continuation too is laid out
    /// away from the hot code).
    pub(crate) fn guard_in(&mut self, ok: Reg, pre: &State, ip: usize, cold: bool) {
        let cont = self.b.create_block();
        if cold {
            self.b.set_cold_block(cont);
        }
        let exit = self.b.create_block();
        self.b.set_cold_block(exit);
        self.b.ins().brif(ok, cont, &[], exit, &[]);
        self.b.switch_to_block(exit);
        self.exit_with(pre, ip);
        self.b.switch_to_block(cont);
    }
}
