//! Resource limits for a run, and the handle another thread uses to interrupt one.
//!
//! Every limit turns a would-be hang, crash or out-of-memory abort into a `VMResult::Error`.
//! Defaults are generous: real programs never meet them; hostile ones do.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Limits enforced by the interpreter. Set with `VM::set_limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Instruction budget, charged one unit per backward jump, per call (a function entered
    /// by name through `Exec` or `CallFunction` too), and per iteration of a fused loop op.
    /// `None`: unlimited (the default).
    pub fuel: Option<u64>,
    /// Maximum number of frames (calls plus `PushFrame` scopes). Default 100 000.
    pub max_call_depth: usize,
    /// Maximum number of values a run holds: the value stack plus every frame's slots.
    /// Checked before each frame is opened and at check points that come closer together
    /// as the limit nears; a slot write past it fails the next of these even if its frame
    /// is gone by then (`docs/security.md`). Default 16 777 216.
    pub max_stack: usize,
    /// Maximum byte length of a string built by an op. Default 1 GiB.
    pub max_string_len: usize,
    /// Maximum element count of an array or hash built by an op, counting the elements
    /// nested inside the values put into it. Default 64 Mi.
    pub max_collection_len: usize,
}

impl Limits {
    /// The defaults (also `Limits::default()`).
    pub const DEFAULT: Limits = Limits {
        fuel: None,
        max_call_depth: 100_000,
        max_stack: 1 << 24,
        max_string_len: 1 << 30,
        max_collection_len: 1 << 26,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Stops a running VM from another thread: the run ends with an `Interrupted` error at the
/// next backward jump or call. Cloneable, `Send + Sync`.
#[derive(Debug, Clone, Default)]
pub struct InterruptHandle {
    flag: Arc<AtomicBool>,
}

impl InterruptHandle {
    /// Asks the VM to stop. The request stays pending until the VM observes it.
    pub fn interrupt(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    /// The flag itself (JIT-compiled code reads it at its check points).
    #[cfg(feature = "jit")]
    pub(crate) fn flag(&self) -> &AtomicBool {
        &self.flag
    }

    /// Consumes a pending request (the VM calls this at its check points).
    pub(crate) fn take(&self) -> bool {
        self.flag.load(Ordering::Relaxed) && self.flag.swap(false, Ordering::Relaxed)
    }
}
