//! `fusevm run`: load, verify, set up the VM from the flags, run, print the result.
//!
//! The result is printed as a value literal (`docs/asm.md`: `42`, `"text"`, `[1, 2]`, ...)
//! so its type shows; a run that leaves the stack empty prints nothing. Output of `print`
//! ops comes first, as the program writes it.

use crate::diag::runtime_message;
use crate::load::{load, Loaded};
use crate::{ext, ExtKind, Failure, HostKind, JitTier, RunArgs};
use fusevm::asm::format_value;
use fusevm::{Limits, SystemHost, VMResult, Value, VM};
use std::time::Duration;

/// Runs `args.file` and prints its result.
pub fn run(args: &RunArgs) -> Result<(), Failure> {
    select_tier(args.jit)?;
    let loaded = load(&args.file)?;
    let mut vm = new_vm(&loaded, args)?;
    let result = vm.run();
    if let Some(value) = outcome(&loaded, &vm, result)? {
        println!("{}", format_value(&value));
    }
    Ok(())
}

/// Decides whether the requested tier can run in this build. The only place that knows;
/// wire the JIT tiers here once `fusevm::jit` compiles code.
pub fn select_tier(tier: JitTier) -> Result<(), Failure> {
    let name = match tier {
        JitTier::Off => return Ok(()),
        JitTier::Linear => "linear",
        JitTier::Block => "block",
        JitTier::Trace => "trace",
    };
    let why = if cfg!(feature = "jit") {
        "the JIT tiers are not implemented yet"
    } else {
        "built without the `jit` feature, and the JIT tiers are not implemented yet"
    };
    Err(Failure::usage(format!(
        "fusevm: --jit={name}: tier not available in this build ({why}); use --jit=off"
    )))
}

/// The limits the flags ask for (defaults for the rest).
pub fn limits(args: &RunArgs) -> Limits {
    let d = Limits::default();
    Limits {
        fuel: args.fuel,
        max_call_depth: args.max_depth.unwrap_or(d.max_call_depth),
        max_stack: args.max_stack.unwrap_or(d.max_stack),
        max_string_len: args.max_string.unwrap_or(d.max_string_len),
        max_collection_len: args.max_collection.unwrap_or(d.max_collection_len),
    }
}

/// A VM for `loaded` with the flags' limits, host, extension handler and timeout.
pub fn new_vm(loaded: &Loaded, args: &RunArgs) -> Result<VM, Failure> {
    let timeout = match args.timeout {
        None => None,
        Some(secs) => Some(
            Duration::try_from_secs_f64(secs)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "fusevm: --timeout {secs}: expected a positive number of seconds"
                    ))
                })?,
        ),
    };
    let mut vm = VM::new(loaded.chunk.clone());
    vm.set_limits(limits(args));
    vm.set_fusion(!args.no_fusion);
    if args.host == HostKind::System {
        vm.set_shell_host(Box::new(SystemHost));
    }
    if args.ext == ExtKind::Demo {
        vm.set_extension_handler(ext::demo_handler());
    }
    if let Some(after) = timeout {
        let stop = vm.interrupt_handle();
        // Detached: if the run ends first, the process exits and takes the thread with it.
        std::thread::spawn(move || {
            std::thread::sleep(after);
            stop.interrupt();
        });
    }
    Ok(vm)
}

/// The run's value (`None` for an empty stack), or its located runtime error (status 1).
pub fn outcome(loaded: &Loaded, vm: &VM, result: VMResult) -> Result<Option<Value>, Failure> {
    match result {
        VMResult::Ok(v) => Ok(Some(v)),
        VMResult::Halted => Ok(None),
        VMResult::Error(text) => Err(Failure::failed(match vm.last_error() {
            Some(err) => runtime_message(loaded, err),
            None => format!("{}: runtime error: {text}", loaded.path),
        })),
    }
}
