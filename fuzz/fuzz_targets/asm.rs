//! Arbitrary text through the assembler, and assemble → disassemble → assemble round trips
//! of assembled text and of generated chunks: `fusevm_gen::checks::check_asm`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fusevm_gen::checks::check_asm(data));
