//! Times the example programs of `examples/*.fasm` on the interpreter, the same files
//! `fusevm run` executes and the README shows.
//!
//! Each program is assembled once and checked against its known result before it is
//! timed, so a broken VM fails the bench instead of reporting a fast number. `hello.fasm`
//! (writes to stdout) and `extension.fasm` (needs the CLI's extension handler) are left out.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use fusevm::asm::{assemble, format_value};
use fusevm::{Chunk, VMResult, VM};
use std::path::PathBuf;
use std::time::Duration;

/// The timed examples and the result each must print (as a value literal).
const PROGRAMS: &[(&str, &str)] = &[
    ("fib", "75025"),
    ("ackermann", "253"),
    ("loops", "2011522500"),
    (
        "strings",
        "\"1 2 fizz 4 buzz fizz 7 8 fizz buzz 11 fizz 13 14 fizzbuzz\"",
    ),
    (
        "arrays_hashes",
        "{\"and\": 1, \"cat\": 2, \"dog\": 1, \"ran\": 1, \"saw\": 1, \"the\": 3}",
    ),
];

fn example(name: &str) -> Chunk {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(format!("{name}.fasm"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assemble(&text, &format!("examples/{name}.fasm")).unwrap_or_else(|e| panic!("{e}"))
}

fn run(chunk: Chunk) -> VMResult {
    VM::new(chunk).run()
}

fn bench_examples(c: &mut Criterion) {
    let mut group = c.benchmark_group("examples");
    group.sample_size(20).measurement_time(Duration::from_secs(3));
    for &(name, expected) in PROGRAMS {
        let chunk = example(name);
        match run(chunk.clone()) {
            VMResult::Ok(v) => assert_eq!(format_value(&v), expected, "examples/{name}.fasm"),
            other => panic!("examples/{name}.fasm did not return a value: {other:?}"),
        }
        group.bench_function(name, |b| {
            b.iter_batched(|| chunk.clone(), |ch| black_box(run(ch)), BatchSize::SmallInput)
        });
    }
    group.finish();
}

criterion_group!(benches, bench_examples);
criterion_main!(benches);
