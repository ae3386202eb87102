//! The block tier inside `VM::run`: the one call the interpreter makes into the JIT.
//!
//! When tracing is enabled and a run starts at op 0 in the top-level frame, the chunk is
//! counted; past [`HOT_THRESHOLD`] runs (per thread and chunk content, shared with
//! `try_run_block`) it is compiled for what the frame's slots hold and then run natively.
//! Native code returns through an exit whose state is applied to the VM (values it pushed,
//! scopes it opened, the slots it wrote with their real variants, `ip`, fuel left), and the
//! interpreter simply continues from there: at the end of the chunk it just pops the
//! result, anywhere else it executes the rest. Either way the run's result, side effects
//! and errors are the interpreter's.

use super::abi::{EntryKind, Fuel, Spec};
use super::cache::ChunkKey;
use super::eligible::Tier;
use super::handback::Handback;
use super::tiers::{code_for, input_words, HOT_THRESHOLD};
use crate::VM;

/// Runs the chunk natively as far as it goes, if its block code is (or becomes) ready.
/// Precondition: `vm.chunk` passed the verifier. Does nothing unless the VM is at op 0 in
/// its only frame.
pub(crate) fn enter_block_tier(vm: &mut VM) {
    if vm.ip != 0 || vm.frames.len() != 1 {
        return;
    }
    let code = {
        let chunk = &vm.chunk;
        let base = vm.frames.first().map(|f| f.slots.as_slice()).unwrap_or_default();
        let key = ChunkKey::of(&chunk.ops, &chunk.constants);
        let fuel = Fuel::of(vm.fuel_left());
        let spec_of = |slots: &[u16]| Spec {
            entry: slots
                .iter()
                .map(|&s| (s, EntryKind::of(base.get(s as usize))))
                .collect(),
            fuel,
        };
        code_for(Tier::Block, &key, &chunk.constants, spec_of, HOT_THRESHOLD)
    };
    let Some(code) = code else {
        return;
    };
    // Native code opens at most `max_frames` frames and pushes at most `max_stack` values;
    // where that could meet a limit, the interpreter runs (and raises the error itself).
    let limits = *vm.limits();
    if code.max_frames > limits.max_call_depth
        || vm.stack.len().saturating_add(code.max_stack) > limits.max_stack
    {
        return;
    }
    let base = vm.frames.first().map(|f| f.slots.as_slice()).unwrap_or_default();
    let input = input_words(&code.spec.entry, base);
    let interrupt = vm.interrupt_handle();
    let fuel = vm.fuel_left();
    let Some(outcome) = code.call(&input, fuel, interrupt.flag()) else {
        return;
    };
    let fuel_left = outcome.fuel_left;
    Handback::decode(outcome.exit, &outcome.out).apply(vm);
    if fuel.is_some() {
        vm.set_fuel_left(fuel_left);
    }
}
