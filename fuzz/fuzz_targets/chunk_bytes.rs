//! Chunk files: arbitrary bytes, arbitrary payloads behind a correct header, and mutated
//! encodings of generated chunks with the checksum recomputed, decoded, verified and run
//! under small limits: `fusevm_gen::checks::check_chunk_bytes`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fusevm_gen::checks::check_chunk_bytes(data));
