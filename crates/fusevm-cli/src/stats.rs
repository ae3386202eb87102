//! `fusevm stats`: run a program once and print what a frontend author needs to tune it.
//!
//! Measured: the result, load and run time, fuel used (one unit per backward jump, call and
//! fused-loop iteration), and from the interpreter's profiling run (`VM::run_profiled`,
//! every op dispatched on its own) executions per op, the hottest op pairs and triples as
//! they really ran one after the other (the candidates for new superinstructions), and
//! calls per function. Automatic fusion (which op sequences the interpreter runs as one
//! superinstruction in ordinary runs) is reported by [`print_fusion_report`] from
//! `fusevm::fusion::plan`.

use crate::load::{load, Loaded};
use crate::report::{op_counts, table};
use crate::run::{new_vm, outcome, select_tier};
use crate::{Failure, RunArgs};
use fusevm::asm::format_value;
use fusevm::profile::Profile;
use fusevm::{fusion, VMResult, VM};
use std::time::{Duration, Instant};

/// Runs `args.file` and prints the report.
pub fn stats(args: &RunArgs, top: usize) -> Result<(), Failure> {
    select_tier(args.jit)?;
    let started = Instant::now();
    let loaded = load(&args.file)?;
    let load_time = started.elapsed();
    let mut vm = new_vm(&loaded, args)?;
    // Without a budget, run with an unreachable one so the VM counts what it charges.
    let budget = args.fuel.unwrap_or(u64::MAX);
    let mut limits = *vm.limits();
    limits.fuel = Some(budget);
    vm.set_limits(limits);

    let started = Instant::now();
    let (result, profile) = profile_run(&mut vm);
    let run_time = started.elapsed();
    let fuel_used = budget - vm.fuel_left().unwrap_or(budget);

    println!("file: {}", loaded.path);
    let failure = match outcome(&loaded, &vm, result) {
        Ok(Some(v)) => {
            println!("result: {}", format_value(&v));
            None
        }
        Ok(None) => {
            println!("result: (empty stack)");
            None
        }
        Err(f) => {
            println!("result: runtime error (below)");
            Some(f)
        }
    };
    println!("time: load + verify {}, run {}", ms(load_time), ms(run_time));
    println!("fuel used (backward jumps + calls + fused-loop iterations): {fuel_used}");
    print_profile(&loaded, profile.as_ref(), top);
    print_fusion_report(&loaded, profile.as_ref(), !args.no_fusion, top);
    match failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// Runs the VM with the interpreter's profiling hook.
fn profile_run(vm: &mut VM) -> (VMResult, Option<Profile>) {
    let mut profile = Profile::new();
    let result = vm.run_profiled(&mut profile);
    (result, Some(profile))
}

/// The per-op, pair, triple and call tables, or why they are missing.
fn print_profile(loaded: &Loaded, profile: Option<&Profile>, top: usize) {
    let Some(p) = profile else {
        println!(
            "per-op counts, op pairs and triples, calls per function: not available \
             (this build of fusevm has no profiling hook)"
        );
        return;
    };
    let ops = &loaded.chunk.ops;
    let total: u64 = p.ip_counts.iter().sum();
    println!("instructions executed: {total}");
    println!("executions per op:");
    print!("{}", table(&op_counts(ops, &p.ip_counts), total, top));
    let rows = |seqs: Vec<(Vec<&str>, u64)>| -> Vec<(String, u64)> {
        seqs.into_iter().map(|(ops, n)| (ops.join(" "), n)).collect()
    };
    println!("hottest op pairs (ops that ran one right after the other):");
    print!("{}", table(&rows(p.hottest_pairs(top)), total, top));
    println!("hottest op triples:");
    print!("{}", table(&rows(p.hottest_triples(top)), total, top));
    let mut calls = p.calls.clone();
    calls.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total_calls = calls.iter().map(|c| c.1).sum();
    println!("calls per function:");
    print!("{}", table(&calls, total_calls, top));
}

/// Which op sequences the interpreter fuses automatically into superinstructions
/// (`fusevm::fusion::plan`), grouped by superinstruction: how many sites, where, and with a
/// profile how often the first op of each site ran.
fn print_fusion_report(loaded: &Loaded, profile: Option<&Profile>, fusion_on: bool, top: usize) {
    if !fusion_on {
        println!("automatic fusion: off (--no-fusion)");
        return;
    }
    let sites = fusion::plan(&loaded.chunk);
    if sites.is_empty() {
        println!("automatic fusion: no op sequence of this program matches a superinstruction");
        return;
    }
    println!(
        "automatic fusion: {} site(s) (straight-line scan; a jump into a site's middle fuses what follows):",
        sites.len()
    );
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for site in &sites {
        match groups.iter_mut().find(|g| g.0 == site.name) {
            Some(g) => g.1.push(site.ip),
            None => groups.push((site.name, vec![site.ip])),
        }
    }
    let ran = |ips: &[usize]| -> Option<u64> {
        let counts = &profile?.ip_counts;
        Some(ips.iter().filter_map(|&ip| counts.get(ip)).sum())
    };
    groups.sort_by(|a, b| ran(&b.1).cmp(&ran(&a.1)).then_with(|| b.1.len().cmp(&a.1.len())));
    for (name, ips) in groups.iter().take(top) {
        let len = sites.iter().find(|s| s.name == *name).map_or(0, |s| s.len);
        let places: Vec<String> = ips.iter().take(6).map(|&ip| place(loaded, ip)).collect();
        let more = if ips.len() > 6 { ", ..." } else { "" };
        let runs = ran(ips).map_or(String::new(), |n| format!(", ran {n} times"));
        println!(
            "  {name} ({len} ops) x{}{runs}: {}{more}",
            ips.len(),
            places.join(", ")
        );
    }
}

/// `ip N (line L)` for an op of the top-level chunk.
fn place(loaded: &Loaded, ip: usize) -> String {
    match loaded.chunk.lines.get(ip) {
        Some(line) => format!("ip {ip} (line {line})"),
        None => format!("ip {ip}"),
    }
}

/// A duration in milliseconds, three decimals.
fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}
