//! Well-formed numeric programs run on the interpreter and on every JIT tier (linear,
//! block, and the tracing/block auto-dispatch inside `VM::run`), results and slots compared:
//! `fusevm_gen::checks::check_tiers`. Needs `--features jit`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn enable_jit(vm: &mut fusevm::VM) {
    vm.enable_tracing_jit();
}

fuzz_target!(|data: &[u8]| fusevm_gen::checks::check_tiers(data, Some(enable_jit)));
