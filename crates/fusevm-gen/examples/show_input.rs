//! Prints the chunk an `ops` fuzz input generates, as assembly text, for triage:
//! `cargo run -p fusevm-gen --example show_input -- fuzz/artifacts/ops/<file>`.

use fusevm_gen::arbitrary::Unstructured;
use fusevm_gen::chunks::{raw_chunk, valid_chunk};
use fusevm_gen::Config;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: show_input FILE");
        std::process::exit(2);
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    // The same steps as `checks::check_ops`.
    let mut u = Unstructured::new(&data);
    let raw = u.arbitrary::<bool>().unwrap_or(true);
    let chunk = if raw {
        raw_chunk(&mut u, &Config::FUZZ)
    } else {
        valid_chunk(&mut u, &Config::FUZZ)
    };
    match chunk {
        Ok(c) => println!(
            "; {} chunk\n{}",
            if raw { "raw" } else { "valid" },
            fusevm::asm::disassemble(&c)
        ),
        Err(e) => eprintln!("the generator rejected the input: {e}"),
    }
}
