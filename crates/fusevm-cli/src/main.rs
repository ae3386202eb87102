//! `fusevm`: look at, write, run and measure fusevm bytecode without writing Rust.
//!
//! Commands: `run` (execute a `.fasm` text file or a `.fvm` chunk file and print the
//! result), `asm` (text to chunk file), `disasm` (either to text that `asm` accepts),
//! `verify` (every verifier problem, located) and `stats` (what ran, how often, how long).
//!
//! Exit status: 0 success; 1 the program failed (runtime error for `run`/`stats`, invalid
//! file for `verify`); 2 usage or load error (bad arguments, unreadable, malformed or
//! unverifiable file, unavailable JIT tier). Every failure is a message on stderr, located
//! at `file:line:col` whenever the input is text.

mod convert;
mod diag;
mod ext;
mod load;
mod report;
mod run;
mod stats;
mod verify_cmd;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs, assembles, disassembles, verifies and profiles fusevm bytecode.
///
/// FILE is a text assembly file (`.fasm`, format in docs/asm.md) or a binary chunk file
/// (`.fvm`, written by `fusevm asm`); the kind is told by the file's first bytes.
#[derive(Parser, Debug)]
#[command(name = "fusevm", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a program and print its result value (nothing if it leaves the stack empty).
    ///
    /// Exit status 0 on success, 1 on a runtime error (located by instruction index and
    /// source line), 2 on a usage or load error.
    Run(RunArgs),
    /// Assemble a text file into a binary chunk file (verified before it is written).
    Asm {
        /// The `.fasm` text to assemble (a chunk file is re-encoded).
        input: PathBuf,
        /// Where to write the chunk file.
        #[arg(short, long, value_name = "OUT.fvm")]
        output: PathBuf,
    },
    /// Print a chunk (or a text file, normalized) as assembly text that `asm` accepts.
    Disasm {
        /// A chunk file, or assembly text to print in normal form.
        file: PathBuf,
        /// Write the text to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Check files and report every verifier error (exit status 1 if any file is invalid).
    Verify {
        /// Assembly text or chunk files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a program and report what executed: counts per op, hot op pairs and triples
    /// (superinstruction candidates), calls per function, time, automatic fusion.
    Stats {
        #[command(flatten)]
        run: RunArgs,
        /// Rows to show in each table.
        #[arg(long, default_value_t = 15)]
        top: usize,
    },
}

/// How to run a program: the file and the limits, tier, host and extensions.
#[derive(Args, Debug, Clone)]
struct RunArgs {
    /// The program: assembly text (`.fasm`) or a chunk file (`.fvm`).
    file: PathBuf,
    /// Instruction budget: units charged per backward jump, call and fused-loop
    /// iteration; the run fails with `out-of-fuel` when it is spent.
    #[arg(long)]
    fuel: Option<u64>,
    /// Maximum call depth (frames).
    #[arg(long, value_name = "N")]
    max_depth: Option<usize>,
    /// Maximum number of values on the value stack.
    #[arg(long, value_name = "N")]
    max_stack: Option<usize>,
    /// Maximum byte length of a string built by an op.
    #[arg(long, value_name = "BYTES")]
    max_string: Option<usize>,
    /// Maximum element count of an array or hash built by an op.
    #[arg(long, value_name = "N")]
    max_collection: Option<usize>,
    /// Stop the run with an `interrupted` error after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Execution tier.
    #[arg(long, value_enum, default_value_t = JitTier::Off)]
    jit: JitTier,
    /// Shell host for shell ops: `inert` never touches the system (the default); `system`
    /// runs commands, globs and tests files for real.
    #[arg(long, value_enum, default_value_t = HostKind::Inert)]
    host: HostKind,
    /// Handler for `extended ID, ARG` ops: `demo` is the README's example (0: push ARG,
    /// 1: double the top value); `none` makes them do nothing.
    #[arg(long, value_enum, default_value_t = ExtKind::Demo)]
    ext: ExtKind,
    /// Run the ops exactly as written, without the interpreter's automatic fusion into
    /// superinstructions (results are the same; `stats` then counts the emitted ops).
    #[arg(long)]
    no_fusion: bool,
}

/// The `--jit` values.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum JitTier {
    /// The interpreter only.
    Off,
    /// Compile straight-line chunks.
    Linear,
    /// Compile whole control-flow graphs.
    Block,
    /// Record and compile hot paths.
    Trace,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    Inert,
    System,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ExtKind {
    Demo,
    None,
}

/// Why a command failed, and the exit status that says so.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

/// The program failed (runtime error, invalid file under `verify`).
pub const EXIT_FAILED: u8 = 1;
/// Usage or load error.
pub const EXIT_USAGE: u8 = 2;

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            code: EXIT_FAILED,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    // clap exits with status 2 on usage errors, as we do.
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Asm { input, output } => convert::asm(&input, &output),
        Command::Disasm { file, output } => convert::disasm(&file, output.as_deref()),
        Command::Verify { files } => verify_cmd::verify(&files),
        Command::Stats { run, top } => stats::stats(&run, top),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}
