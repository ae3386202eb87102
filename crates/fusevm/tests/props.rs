//! The fuzz targets' properties on stable Rust: the same generators and the same checks
//! (`fusevm_gen::checks`), fed by proptest instead of libFuzzer, at a count CI can afford
//! on every submission (`PROPTEST_CASES` raises it). What each property asserts is
//! documented on its check function; `fuzz/README.md` has the nightly targets.

use fusevm_gen::checks;
use fusevm_gen::prop::{bytes, config, within_deadline};
use proptest::prelude::*;

proptest! {
    #![proptest_config(config(512))]

    /// Target `ops`: raw and valid op sequences, verified and run under small limits.
    #[test]
    fn ops(data in bytes(2048)) {
        within_deadline(&data, checks::check_ops);
    }

    /// Target `asm`: text through the assembler, and assembly round trips.
    #[test]
    fn asm(data in bytes(2048)) {
        within_deadline(&data, checks::check_asm);
    }

    /// Target `chunk_bytes`: chunk files, raw, framed and mutated encodings.
    #[test]
    fn chunk_bytes(data in bytes(2048)) {
        within_deadline(&data, checks::check_chunk_bytes);
    }
}

/// Every input the fuzz targets ever failed on (`fuzz/regressions/<target>/`) passes its
/// target's check now: the crash stays fixed on stable, on every submission.
#[test]
fn fuzz_regression_inputs_pass_their_checks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    type Check = fn(&[u8]);
    let targets: [(&str, Check); 3] = [
        ("ops", checks::check_ops),
        ("asm", checks::check_asm),
        ("chunk_bytes", checks::check_chunk_bytes),
    ];
    let mut replayed = 0;
    for (target, check) in targets {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in dir {
            let path = entry.expect("readable regressions dir").path();
            let data = std::fs::read(&path).expect("readable regression input");
            within_deadline(&data, check);
            replayed += 1;
        }
    }
    assert!(
        replayed >= 1,
        "no regression inputs found under {}",
        root.display()
    );
}

/// Switches the JIT on for a VM (the tracing and block tiers inside `VM::run`).
#[cfg(feature = "jit")]
fn enable_jit(vm: &mut fusevm::VM) {
    vm.enable_tracing_jit();
}

#[cfg(feature = "jit")]
const TRACING: Option<fn(&mut fusevm::VM)> = Some(enable_jit);
#[cfg(not(feature = "jit"))]
const TRACING: Option<fn(&mut fusevm::VM)> = None;

proptest! {
    #![proptest_config(config(256))]

    /// Target `tiers`: numeric programs on the interpreter and every JIT tier, compared
    /// (without the `jit` feature only the interpreter runs: the tiers answer `None`).
    #[test]
    fn tiers(data in bytes(1024)) {
        within_deadline(&data, |d| checks::check_tiers(d, TRACING));
    }
}
