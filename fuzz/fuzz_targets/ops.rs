//! Arbitrary `Op` sequences with arbitrary operands and pools (raw and valid chunks),
//! verified and run under small limits: `fusevm_gen::checks::check_ops`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fusevm_gen::checks::check_ops(data));
