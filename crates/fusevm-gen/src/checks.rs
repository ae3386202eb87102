//! The properties, as functions of raw input bytes: each fuzz target is one call to one of
//! these, and the stable property suite calls the same functions with bytes from proptest.
//! A property violation panics (that is what libFuzzer and proptest both detect).
//!
//! Every run happens under [`fuzz_limits`]: small enough that a hostile program cannot
//! take more than a fraction of a second or a few hundred MiB, so a slow or huge input is
//! a finding, not noise.

use crate::chunk_bytes;
use crate::chunks::{raw_chunk, valid_chunk};
use crate::compare::{chunk_diff, value_identical};
use crate::numeric::{numeric_program, slot_values};
use crate::text::asm_text;
use crate::Config;
use arbitrary::Unstructured;
use fusevm::asm::{assemble, disassemble};
use fusevm::chunk_file::{decode, decode_unverified, encode, ChunkFileError};
use fusevm::verify::{verify, verify_all};
use fusevm::{Chunk, ErrorKind, JitCompiler, Limits, VMResult, VmError, VM};

/// The limits every check runs under. Fuel bounds loop iterations and calls; the size
/// limits bound what one iteration can do (fuel times the costliest op is the time bound).
/// Memory is bounded by the product of the stack limit and the size limits (docs/security.md):
/// 4096 values of at most 16 KiB (strings) or 1024 elements (containers) is 64 MiB of live
/// values, which address sanitizer's shadow and quarantine multiply several times; with
/// 4096-element containers, one legitimate input (a loop of `get_array` copies) took the
/// fuzzer past its 2 GiB RSS limit.
pub fn fuzz_limits() -> Limits {
    Limits {
        fuel: Some(10_000),
        max_call_depth: 256,
        max_stack: 1 << 12,
        max_string_len: 16 << 10,
        max_collection_len: 1 << 10,
    }
}

/// Runs `chunk` under [`fuzz_limits`] and checks the result's consistency: an error has a
/// structured `last_error` whose text is the `VMResult` text, and a second `run` (after
/// the end or the error) does not panic. Returns the error, if any.
pub fn run_limited(chunk: Chunk) -> Option<VmError> {
    let mut vm = VM::new(chunk);
    vm.set_limits(fuzz_limits());
    install_handlers(&mut vm);
    let outcome = vm.run();
    let err = vm.last_error().cloned();
    if let VMResult::Error(text) = &outcome {
        let Some(e) = &err else {
            panic!("VMResult::Error({text:?}) without a last_error");
        };
        assert_eq!(text, &e.to_string(), "VMResult text differs from last_error");
        assert!(!text.is_empty(), "empty error text");
    }
    let _ = vm.run();
    match outcome {
        VMResult::Error(_) => err,
        VMResult::Ok(_) | VMResult::Halted => None,
    }
}

/// Extension and builtin handlers that read the public state mid-run (every frame's slots,
/// as an embedder's handler may) and push what they saw, so `Extended`, `ExtendedWide` and
/// `CallBuiltin` ops in a generated program exercise the VM's handing of its frames to a
/// handler and back, at any call depth.
pub fn install_handlers(vm: &mut VM) {
    fn seen(vm: &VM) -> i64 {
        assert!(!vm.frames.is_empty(), "a handler sees no frame");
        vm.frames.iter().map(|f| f.slots.len() as i64 + 1).sum()
    }
    vm.set_extension_handler(Box::new(|vm, id, arg| {
        let n = seen(vm);
        if id % 2 == 1 {
            vm.push(fusevm::Value::Int(n + arg as i64));
        }
    }));
    vm.set_extension_wide_handler(Box::new(|vm, _, payload| {
        let n = seen(vm);
        vm.push(fusevm::Value::Int(n ^ payload as i64));
    }));
    for id in 0..4 {
        vm.register_builtin(id, |vm, _argc| fusevm::Value::Int(seen(vm)));
    }
}

/// Arbitrary op sequences with arbitrary operands and pools (raw or valid), verified and
/// run. Properties: valid chunks verify; `verify` and `verify_all` agree; a chunk that
/// fails verification is refused with a `Verify` error and one that passes never is.
pub fn check_ops(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let cfg = Config::FUZZ;
    let raw = u.arbitrary::<bool>().unwrap_or(true);
    let generated = if raw {
        raw_chunk(&mut u, &cfg)
    } else {
        valid_chunk(&mut u, &cfg)
    };
    let Ok(chunk) = generated else { return };
    check_chunk(chunk, !raw);
}

/// Verifies and runs one chunk (`must_verify`: the generator promised a valid chunk).
pub fn check_chunk(chunk: Chunk, must_verify: bool) {
    let first = verify(&chunk);
    if must_verify {
        if let Err(e) = &first {
            panic!("the valid-chunk generator made a chunk the verifier rejects: {e}");
        }
    }
    match (&first, verify_all(&chunk, 8)) {
        (Ok(()), Ok(_)) => {}
        (Err(e), Err(all)) => assert_eq!(Some(e), all.first(), "verify and verify_all disagree"),
        (one, all) => panic!("verify says {one:?}, verify_all says {all:?}"),
    }
    let err = run_limited(chunk);
    let refused = err.as_ref().is_some_and(|e| e.kind == ErrorKind::Verify);
    assert_eq!(
        refused,
        first.is_err(),
        "run() disagrees with the verifier: verify {first:?}, run error {err:?}"
    );
}

/// The assembler: arbitrary text never panics, errors point inside the text, accepted text
/// round-trips (assemble → disassemble → assemble gives the identical chunk), and any
/// generated chunk round-trips through its disassembly.
pub fn check_asm(data: &[u8]) {
    let mut u = Unstructured::new(data);
    match u.int_in_range(0..=2u8).unwrap_or(0) {
        0 => {
            let rest = u.take_rest();
            check_asm_text(&String::from_utf8_lossy(rest));
        }
        1 => {
            if let Ok(text) = asm_text(&mut u, 40) {
                check_asm_text(&text);
            }
        }
        _ => {
            if let Ok(mut chunk) = raw_chunk(&mut u, &Config::FUZZ) {
                // Exact round trips are promised for chunks with one line per op.
                normalize_lines(&mut chunk);
                check_round_trip(&chunk);
            }
        }
    }
}

/// Assembles `text`; on success checks the round trip and runs the chunk, on failure
/// checks that the error is located inside the text.
pub fn check_asm_text(text: &str) {
    match assemble(text, "fuzz.fasm") {
        Ok(chunk) => {
            check_round_trip(&chunk);
            let _ = run_limited(chunk);
        }
        Err(e) => {
            let lines = text.lines().count() as u32 + 1;
            assert!(
                e.line >= 1 && e.line <= lines && e.col >= 1,
                "error located outside the text ({lines} lines): {e}"
            );
            assert!(!e.message.is_empty(), "error without a message at {e}");
        }
    }
}

/// `disassemble` then `assemble` reproduces `chunk` exactly (floats by bits).
pub fn check_round_trip(chunk: &Chunk) {
    let text = disassemble(chunk);
    let again = match assemble(&text, &chunk.source) {
        Ok(c) => c,
        Err(e) => panic!("disassembly does not assemble: {e}\n--- text ---\n{text}"),
    };
    if let Some(diff) = chunk_diff(chunk, &again) {
        panic!("round trip changed the chunk: {diff}\n--- text ---\n{text}");
    }
}

/// Gives every op exactly one line (recursively).
fn normalize_lines(chunk: &mut Chunk) {
    chunk.lines.resize(chunk.ops.len(), 1);
    for sub in &mut chunk.sub_chunks {
        normalize_lines(sub);
    }
}

/// Chunk files: raw bytes, any payload behind a correct header, and mutated encodings of
/// generated chunks (checksum recomputed). Properties: `decode` never panics; the encoding
/// of a chunk that verifies decodes back to the identical chunk; whatever `decode` accepts
/// is canonical (`encode` gives the same bytes back), verifies, and runs without a
/// `Verify` error; a refusal has a message.
pub fn check_chunk_bytes(data: &[u8]) {
    let mut u = Unstructured::new(data);
    match u.int_in_range(0..=2u8).unwrap_or(0) {
        0 => check_decode(u.take_rest()),
        1 => check_decode(&chunk_bytes::framed(u.take_rest())),
        _ => {
            let Ok((chunk, mut bytes)) = chunk_bytes::encoded_chunk(&mut u) else {
                return;
            };
            if tree_verifies(&chunk) {
                match decode(&bytes) {
                    Ok(back) => {
                        if let Some(diff) = chunk_diff(&chunk, &back) {
                            panic!("encode → decode changed the chunk: {diff}");
                        }
                    }
                    Err(e) => panic!("the encoding of a valid chunk does not decode: {e}"),
                }
            }
            if chunk_bytes::mutate(&mut u, &mut bytes).is_ok() {
                check_decode(&bytes);
            }
        }
    }
}

fn tree_verifies(chunk: &Chunk) -> bool {
    verify(chunk).is_ok() && chunk.sub_chunks.iter().all(tree_verifies)
}

/// `decode` on `bytes`, and the properties of its answer.
pub fn check_decode(bytes: &[u8]) {
    let unverified = decode_unverified(bytes);
    match decode(bytes) {
        Ok(chunk) => {
            assert!(
                unverified.is_ok(),
                "decode accepts what decode_unverified refuses"
            );
            assert!(
                encode(&chunk) == bytes,
                "decode accepted a file that encode would not write (not canonical)"
            );
            assert!(
                tree_verifies(&chunk),
                "decode returned a chunk that does not verify"
            );
            let mut chunk = chunk;
            for op in &mut chunk.ops {
                *op = crate::ops::without_io(*op);
            }
            check_chunk(chunk, true);
        }
        Err(e) => {
            assert!(!e.to_string().is_empty(), "empty error for {e:?}");
            if let (ChunkFileError::Verify { .. }, Err(u)) = (&e, &unverified) {
                panic!("decode_unverified fails ({u}) where decode only fails to verify");
            }
        }
    }
}

/// What a run ended with, comparable across tiers.
#[derive(Debug)]
enum Outcome {
    Value(fusevm::Value),
    Halted,
    Error(String),
}

impl Outcome {
    fn same(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Value(a), Outcome::Value(b)) => value_identical(a, b),
            (Outcome::Halted, Outcome::Halted) => true,
            (Outcome::Error(a), Outcome::Error(b)) => a == b,
            _ => false,
        }
    }
}

/// Runs `chunk` on a fresh VM whose top-level slots are `Int(slots[i])` (the tiers' entry
/// convention); `prepare` can switch the JIT on. Returns the outcome and the final slots.
fn interpret(chunk: &Chunk, slots: &[i64], prepare: Option<fn(&mut VM)>) -> (Outcome, Vec<fusevm::Value>) {
    let mut vm = VM::new(chunk.clone());
    if let Some(f) = prepare {
        f(&mut vm);
    }
    if let Some(frame) = vm.frames.first_mut() {
        frame.slots = slot_values(slots);
    }
    let outcome = match vm.run() {
        VMResult::Ok(v) => Outcome::Value(v),
        VMResult::Halted => Outcome::Halted,
        VMResult::Error(e) => Outcome::Error(e),
    };
    let final_slots = vm.frames.first().map(|f| f.slots.clone()).unwrap_or_default();
    (outcome, final_slots)
}

fn slots_identical(a: &[fusevm::Value], b: &[fusevm::Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| value_identical(x, y))
}

/// The JIT tiers against the interpreter on well-formed numeric programs. Every answer a
/// tier gives must be the interpreter's: `try_run_linear`'s value bit for bit;
/// `try_run_block_eager`'s `Some(n)` only when the interpreter ends with `Int(n)`, with the
/// final slots equal and `None` leaving the slots untouched; and, when `enable_tracing` is
/// given (feature `jit`: `VM::enable_tracing_jit`), twelve runs on fresh VMs (past the
/// block tier's warm-up, with loops long enough to record traces) all end exactly as the
/// interpreter alone, slots included. Without the `jit` feature the tiers answer `None`
/// and only the interpreter runs.
pub fn check_tiers(data: &[u8], enable_tracing: Option<fn(&mut VM)>) {
    let mut u = Unstructured::new(data);
    let loops = u.arbitrary().unwrap_or(false);
    let floats = u.ratio(1u8, 4).unwrap_or(false);
    let Ok(p) = numeric_program(&mut u, 48, loops, floats) else {
        return;
    };
    if let Err(e) = verify(&p.chunk) {
        panic!("the numeric generator made a chunk the verifier rejects: {e}");
    }
    let (expected, expected_slots) = interpret(&p.chunk, &p.slots, None);
    let jit = JitCompiler::new();

    if let Some(v) = jit.try_run_linear(&p.chunk, &p.slots) {
        assert!(
            expected.same(&Outcome::Value(v.clone())),
            "linear tier gave {v:?}, the interpreter {expected:?}"
        );
    }

    let mut words = p.slots.clone();
    match jit.try_run_block_eager(&p.chunk, &mut words) {
        Some(n) => {
            assert!(
                expected.same(&Outcome::Value(fusevm::Value::Int(n))),
                "block tier gave Some({n}), the interpreter {expected:?}"
            );
            let mut want = expected_slots.clone();
            want.resize(words.len(), fusevm::Value::Undef);
            assert!(
                slots_identical(&slot_values(&words), &want),
                "block tier left slots {words:?}, the interpreter {expected_slots:?}"
            );
        }
        None => assert_eq!(words, p.slots, "block tier answered None but changed the slots"),
    }

    if let Some(prepare) = enable_tracing {
        for run in 0..12 {
            let (got, got_slots) = interpret(&p.chunk, &p.slots, Some(prepare));
            assert!(
                got.same(&expected),
                "run {run} with the JIT on gave {got:?}, the interpreter {expected:?}"
            );
            assert!(
                slots_identical(&got_slots, &expected_slots),
                "run {run} with the JIT on left slots {got_slots:?}, the interpreter {expected_slots:?}"
            );
        }
    }
}
