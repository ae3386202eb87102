//! fusevm: a language-agnostic bytecode VM.
//!
//! A frontend (an awk, a shell, a Perl-like language, your own) compiles to [`Op`]s with a
//! [`ChunkBuilder`] and runs the [`Chunk`] on a [`VM`]: a stack-and-slots interpreter with
//! fused superinstructions, extension ops ([`VM::set_extension_handler`]), builtins
//! ([`VM::register_builtin`]) and a [`ShellHost`] for shell operations. Source-compatible
//! with fusevm 0.12.2 (see `docs/compat.md` for the two boxed `Value` payloads and the
//! upstream bugs fixed on purpose).
//!
//! Every chunk is verified before it runs ([`verify`]); no input makes the VM panic:
//! malformed bytecode, runaway loops and recursion, huge allocations end in
//! [`VMResult::Error`] naming the op index and source line ([`VM::last_error`] has the
//! structured [`VmError`]), within [`Limits`] the embedder can set.
//!
//! ```
//! use fusevm::{ChunkBuilder, Limits, Op, VMResult, Value, VM};
//!
//! // sum = 0; for i in 0..10 { sum += i }
//! let mut b = ChunkBuilder::new();
//! b.emit(Op::LoadInt(0), 1);
//! b.emit(Op::SetSlot(0), 1); // sum
//! b.emit(Op::LoadInt(0), 1);
//! b.emit(Op::SetSlot(1), 1); // i
//! b.emit(Op::AccumSumLoop(0, 1, 10), 2);
//! b.emit(Op::GetSlot(0), 3);
//! let mut vm = VM::new(b.build());
//! vm.set_limits(Limits { fuel: Some(1_000), ..Limits::default() });
//! assert!(matches!(vm.run(), VMResult::Ok(Value::Int(45))));
//! ```
//!
//! Modules: [`isa`] declares the instruction set once (the op table); [`value`], [`chunk`],
//! [`verify`], [`vm`] (the interpreter), [`host`], [`asm`] (text assembly),
//! [`shell_builtins`], and [`jit`] (the JIT API; native tiers are not built yet).

pub mod asm;
pub mod chunk;
pub mod chunk_file;
pub mod error;
pub mod fusion;
pub mod host;
mod interp;
pub mod isa;
pub mod jit;
pub mod limits;
pub mod op;
pub mod profile;
pub mod shell_builtins;
pub mod value;
pub mod verify;
pub mod vm;

pub use chunk::{Chunk, ChunkBuilder};
pub use error::{ErrorKind, VmError};
pub use host::{DefaultHost, ShellHost, SystemHost};
pub use isa::Op;
pub use jit::{
    DeoptFrame, DeoptInfo, JitCompiler, JitExtension, NativeCode, SlotKind, TraceJitConfig, TraceLookup,
    TraceMetadata,
};
pub use limits::{InterruptHandle, Limits};
pub use value::Value;
pub use vm::{Frame, VMPool, VMResult, VM};
