pub mod asm;
pub mod chunk;
pub mod error;
pub mod host;
mod interp;
pub mod isa;
pub mod jit;
pub mod limits;
pub mod op;
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
