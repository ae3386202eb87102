//! `fusevm-peers-runner WORKLOAD SIZE [RUNS]`: times one peer-comparison workload on fusevm.
//!
//! Builds the workload's chunk once (plain ops; see `programs.rs`), checks one untimed
//! warm-up run against the reference result, then times `RUNS` runs (default 3), each
//! `VM::new(chunk) + vm.run()` on a fresh VM with the chunk cloned outside the timed part,
//! and checks each result too. Time is process CPU time
//! (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`), the clock the Lua, Python and Perl peers read,
//! so time the shared machine spends on other processes is not counted. Prints one line:
//!
//! ```text
//! RESULT engine=fusevm workload=fib_rec size=27 units=317811 runs=3 ns_per_unit=83.12
//! ```
//!
//! `ns_per_unit` is the median run's CPU nanoseconds divided by `units`. A wrong result or a
//! VM error prints `FAIL ...` on stderr and exits 1; bad arguments exit 2.

mod programs;

use fusevm::{VMResult, Value, VM};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: fusevm-peers-runner WORKLOAD SIZE [RUNS]\n  WORKLOAD: fib_rec ack loop_sum \
                 nested_loop string_build array_push_sum hash_count";
    if args.len() < 3 || args.len() > 4 {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let workload = args[1].as_str();
    let Ok(size) = args[2].parse::<i64>() else {
        eprintln!("bad SIZE `{}`\n{usage}", args[2]);
        return ExitCode::from(2);
    };
    let runs = match args.get(3).map(|r| r.parse::<usize>()) {
        None => 3,
        Some(Ok(r)) if r >= 1 => r,
        Some(_) => {
            eprintln!("bad RUNS `{}` (an integer >= 1)\n{usage}", args[3]);
            return ExitCode::from(2);
        }
    };
    let Some(program) = programs::build(workload, size) else {
        eprintln!("unknown workload `{workload}` or size {size} out of range\n{usage}");
        return ExitCode::from(2);
    };
    if let Err(e) = run_checked(&program) {
        eprintln!("FAIL engine=fusevm workload={workload} size={size}: {e}");
        return ExitCode::from(1);
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let chunk = program.chunk.clone();
        let start = cpu_time_ns();
        let mut vm = VM::new(chunk);
        let result = vm.run();
        let elapsed = cpu_time_ns().saturating_sub(start);
        if let Err(e) = check(&program.expected, result) {
            eprintln!("FAIL engine=fusevm workload={workload} size={size}: {e}");
            return ExitCode::from(1);
        }
        drop(vm);
        times.push(elapsed);
    }
    times.sort_unstable();
    let median = times[times.len() / 2];
    let units = program.units.max(1);
    println!(
        "RESULT engine=fusevm workload={workload} size={size} units={} runs={runs} ns_per_unit={:.3}",
        program.units,
        median as f64 / units as f64
    );
    ExitCode::SUCCESS
}

/// One untimed run on a fresh VM, checked.
fn run_checked(program: &programs::Program) -> Result<(), String> {
    let mut vm = VM::new(program.chunk.clone());
    check(&program.expected, vm.run())
}

/// `Ok` when the run returned the expected value.
fn check(expected: &Value, result: VMResult) -> Result<(), String> {
    match result {
        VMResult::Ok(v) if v == *expected => Ok(()),
        VMResult::Ok(v) => Err(format!("returned {v:?}, expected {expected:?}")),
        other => Err(format!("did not return a value: {other:?}")),
    }
}

/// CPU time this process has used, in nanoseconds (`CLOCK_PROCESS_CPUTIME_ID` through the
/// `cpu-time` crate): the clock the peer engines read too.
fn cpu_time_ns() -> u64 {
    let since_start = CPU_CLOCK_ORIGIN.with(|origin| origin.elapsed());
    since_start.as_nanos() as u64
}

thread_local! {
    /// An early reading; later readings are differences from it.
    static CPU_CLOCK_ORIGIN: cpu_time::ProcessTime = cpu_time::ProcessTime::now();
}
