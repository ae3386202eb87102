//! Turning a lowered function into executable code: the host ISA, one Cranelift JIT
//! module per compiled function, the runtime helpers generated code calls, and
//! [`Compiled`], which owns the code and knows how to call it.
//!
//! Invariant: a [`Compiled`] owns its module; the code stays mapped exactly as long as the
//! `Compiled` lives, and callers hold an `Rc` to it while native code runs (the cache may
//! drop its own `Rc` at any time, `cache.rs`). A compile that fails after code memory was
//! allocated frees it at once.

use super::abi::{Ctx, EntryFn, EntryKind, ExitInfo, Fuel, Spec};
use super::lower::{Bail, Helpers, Lowerer};
use cranelift_codegen::ir::{types, AbiParam, Function, Signature, UserFuncName};
use cranelift_codegen::isa::{OwnedTargetIsa, TargetFrontendConfig};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module};
use std::cell::RefCell;
use std::sync::atomic::AtomicBool;

/// `a % b` on floats (Rust's remainder, as the interpreter's `Mod`).
extern "C" fn rt_fmod(a: f64, b: f64) -> f64 {
    a % b
}

/// `a.powf(b)` (the interpreter's `Pow`).
extern "C" fn rt_pow(a: f64, b: f64) -> f64 {
    a.powf(b)
}

const FMOD: &str = "fusevm_jit_rt_fmod";
const POW: &str = "fusevm_jit_rt_pow";

thread_local! {
    /// The host ISA, built once per thread (`Err`: this host cannot JIT; never retried).
    static ISA: RefCell<Option<Result<OwnedTargetIsa, String>>> = const { RefCell::new(None) };
}

fn build_isa() -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    for (name, value) in [
        ("opt_level", "speed"),
        ("use_colocated_libcalls", "false"),
        ("is_pic", "false"),
    ] {
        flags.set(name, value).map_err(|e| e.to_string())?;
    }
    let isa = cranelift_native::builder().map_err(str::to_string)?;
    isa.finish(settings::Flags::new(flags)).map_err(|e| e.to_string())
}

fn host_isa() -> Result<OwnedTargetIsa, Bail> {
    ISA.try_with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(build_isa)
            .clone()
            .map_err(Bail::Codegen)
    })
    .unwrap_or_else(|_| Err(Bail::Codegen("thread is exiting".into())))
}

/// Compiling one function: its module and the declared helpers.
pub(crate) struct Session {
    module: JITModule,
    fmod: FuncId,
    pow: FuncId,
    pub fctx: FunctionBuilderContext,
}

impl Session {
    pub(crate) fn new() -> Result<Session, Bail> {
        let mut builder = JITBuilder::with_isa(host_isa()?, default_libcall_names());
        builder.symbol(FMOD, rt_fmod as *const u8);
        builder.symbol(POW, rt_pow as *const u8);
        let mut module = JITModule::new(builder);
        let mut ff_f = module.make_signature();
        ff_f.params
            .extend([AbiParam::new(types::F64), AbiParam::new(types::F64)]);
        ff_f.returns.push(AbiParam::new(types::F64));
        let err = |e: cranelift_module::ModuleError| Bail::Codegen(e.to_string());
        let fmod = module
            .declare_function(FMOD, Linkage::Import, &ff_f)
            .map_err(err)?;
        let pow = module
            .declare_function(POW, Linkage::Import, &ff_f)
            .map_err(err)?;
        Ok(Session {
            module,
            fmod,
            pow,
            fctx: FunctionBuilderContext::new(),
        })
    }

    /// `extern "C" fn(*mut Ctx) -> i32`.
    fn signature(&self) -> Signature {
        let mut sig = self.module.make_signature();
        sig.params
            .push(AbiParam::new(self.module.target_config().pointer_type()));
        sig.returns.push(AbiParam::new(types::I32));
        sig
    }

    /// What `Lowerer::finish` needs to know about the target.
    pub(crate) fn target(&self) -> TargetFrontendConfig {
        self.module.target_config()
    }

    /// An empty function with the entry signature, and the helpers imported into it.
    pub(crate) fn function(&mut self) -> (Function, Helpers) {
        let mut func = Function::with_name_signature(UserFuncName::default(), self.signature());
        let helpers = Helpers {
            fmod: self.module.declare_func_in_func(self.fmod, &mut func),
            pow: self.module.declare_func_in_func(self.pow, &mut func),
        };
        (func, helpers)
    }

    /// Compiles `func` (lowered by `lowered`) and makes it executable.
    pub(crate) fn finish(mut self, func: Function, lowered: Lowered, spec: &Spec) -> Result<Compiled, Bail> {
        let (ptr, code_bytes) = match self.define(func) {
            Ok(done) => done,
            Err(bail) => {
                // SAFETY: no pointer into this module's memory was taken (`define` failed
                // before `get_finalized_function`), so nothing can run or reach its code;
                // freeing it keeps a failed compile from leaking mapped pages (a dropped
                // `JITModule` leaks them on purpose).
                unsafe { self.module.free_memory() };
                return Err(bail);
            }
        };
        // SAFETY: `ptr` is the start of the function just finalized in `self.module`, which
        // was compiled with the signature `fn(pointer) -> i32` in the host's default
        // calling convention (System V / Windows x64 / AAPCS64: what `extern "C"` is on the
        // host), so it has exactly the type `EntryFn`. The module moves into the returned
        // `Compiled`, which keeps the code mapped for as long as the pointer is reachable.
        let entry_fn = unsafe { std::mem::transmute::<*const u8, EntryFn>(ptr) };
        let input_words = spec
            .entry
            .iter()
            .filter(|(_, k)| matches!(k, EntryKind::Bool | EntryKind::Int | EntryKind::Float))
            .count();
        let footprint =
            code_bytes.div_ceil(PAGE_BYTES) * PAGE_BYTES + MODULE_OVERHEAD + exits_bytes(&lowered.exits);
        Ok(Compiled {
            module: Some(self.module),
            entry_fn,
            exits: lowered.exits,
            out_words: lowered.out_words,
            input_words,
            spec: spec.clone(),
            max_frames: lowered.max_frames,
            max_stack: lowered.max_stack,
            footprint,
        })
    }

    /// Defines and finalizes the entry function; returns its address and code size.
    fn define(&mut self, func: Function) -> Result<(*const u8, usize), Bail> {
        let err = |e: cranelift_module::ModuleError| Bail::Codegen(e.to_string());
        let sig = self.signature();
        let id = self
            .module
            .declare_function("fusevm_jit_entry", Linkage::Local, &sig)
            .map_err(err)?;
        let mut ctx = self.module.make_context();
        ctx.func = func;
        self.module.define_function(id, &mut ctx).map_err(err)?;
        let code_bytes = ctx
            .compiled_code()
            .map_or(0, |c| c.code_info().total_size as usize);
        self.module.finalize_definitions().map_err(err)?;
        Ok((self.module.get_finalized_function(id), code_bytes))
    }
}

/// The granule code memory is mapped in (each module maps its own pages; 4 KiB on the
/// common hosts, an estimate elsewhere).
const PAGE_BYTES: usize = 4096;

/// Heap a `JITModule` and a `Compiled` keep besides the code pages and exit tables
/// (declarations, the relocation list, the symbol table, allocator slack): an estimate for
/// the cache's byte budget. Measured on x86-64 Linux: a small loop's `Compiled` raised the
/// resident set by about 8.7 KiB, one page of code plus this.
const MODULE_OVERHEAD: usize = 4608;

/// Heap held by exit tables.
fn exits_bytes(exits: &[ExitInfo]) -> usize {
    use std::mem::size_of;
    let cells = |n: usize| n * size_of::<(u16, super::abi::Cell)>();
    exits
        .iter()
        .map(|e| {
            size_of::<ExitInfo>()
                + cells(e.entry_slots.len())
                + e.stack.len() * size_of::<super::abi::Cell>()
                + e.frames
                    .iter()
                    .map(|f| size_of::<super::abi::ExitFrame>() + cells(f.slots.len()))
                    .sum::<usize>()
        })
        .sum()
}

/// What lowering found out about a function, besides its code.
pub(crate) struct Lowered {
    pub exits: Vec<ExitInfo>,
    pub out_words: usize,
    pub max_frames: usize,
    pub max_stack: usize,
}

impl Lowerer<'_> {
    /// Seals and finalizes the function (every block must end in a terminator).
    pub(crate) fn finish(mut self, target: TargetFrontendConfig) -> Lowered {
        self.b.seal_all_blocks();
        let Lowerer {
            b,
            exits,
            out_words,
            max_frames,
            max_stack,
            ..
        } = self;
        b.finalize(target);
        Lowered {
            exits,
            out_words,
            max_frames,
            max_stack,
        }
    }
}

/// Executable code for one chunk (one entry specialization) and its exit layouts.
pub(crate) struct Compiled {
    module: Option<JITModule>,
    entry_fn: EntryFn,
    pub exits: Vec<ExitInfo>,
    /// Words of `Ctx::out` the largest exit needs.
    pub out_words: usize,
    /// Words of `Ctx::input` the entry reads.
    pub input_words: usize,
    /// What the code is specialized to.
    pub spec: Spec,
    /// Most frames open at once (entry frame included).
    pub max_frames: usize,
    /// Deepest native stack.
    pub max_stack: usize,
    /// Approximate bytes this code keeps alive (mapped code pages, module overhead, exit
    /// tables): what the cache's byte budget counts.
    pub footprint: usize,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("exits", &self.exits.len())
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// How one native call ended.
pub(crate) struct Outcome<'c> {
    pub exit: &'c ExitInfo,
    pub out: Vec<i64>,
    /// Fuel left (`None` when the run had no budget).
    pub fuel_left: Option<u64>,
}

impl Compiled {
    /// Runs the code on `input` (one word per numeric entry slot, in `entry` order).
    /// `None` when `input` does not fit the code or the code reported an unknown exit.
    pub(crate) fn call(
        &self,
        input: &[i64],
        fuel: Option<u64>,
        interrupt: &AtomicBool,
    ) -> Option<Outcome<'_>> {
        if input.len() != self.input_words || Fuel::of(fuel) != self.spec.fuel {
            return None;
        }
        let mut out = vec![0i64; self.out_words.max(1)];
        let mut ctx = Ctx {
            input: input.as_ptr(),
            out: out.as_mut_ptr(),
            fuel: fuel.unwrap_or(0),
            ticks: 0,
            interrupt,
        };
        // SAFETY: `entry_fn` points to live code owned by `self.module` (see `finish`),
        // called with its own signature. The code reads and writes memory only through
        // `ctx`: `input` (it reads `input_words` words, checked above), `out` (it writes at
        // most `out_words` words, the buffer's length), the `ctx` fields themselves, and one
        // atomic byte load of `interrupt`, which points to a live `AtomicBool`. All live
        // across the call; `ctx` and `out` are exclusively borrowed here. It never unwinds
        // (no Rust code it calls can panic: float `%` and `powf`).
        let id = unsafe { (self.entry_fn)(&mut ctx) };
        let exit = self.exits.get(usize::try_from(id).ok()?)?;
        Some(Outcome {
            exit,
            out,
            fuel_left: fuel.map(|_| ctx.fuel.saturating_add(ctx.ticks)),
        })
    }
}

impl Drop for Compiled {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: the code of this module is reachable only through `self.entry_fn`,
            // which dies with `self`. Callers run it only through `Compiled::call`, which
            // borrows `self`, so no call is in progress while `self` is dropped.
            unsafe { module.free_memory() };
        }
    }
}
