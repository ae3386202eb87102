//! `VMPool`: recycles VMs (and their allocations) across chunks.

use super::VM;
use crate::Chunk;

/// A pool of reusable VMs. A recycled VM keeps its host, handlers, builtins and limits.
#[derive(Default)]
pub struct VMPool {
    vms: Vec<VM>,
}

impl VMPool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty pool with room for `cap` VMs.
    pub fn with_capacity(cap: usize) -> Self {
        VMPool {
            vms: Vec::with_capacity(cap),
        }
    }

    /// A pooled VM reset to `chunk`, or a new one.
    pub fn acquire(&mut self, chunk: Chunk) -> VM {
        match self.vms.pop() {
            Some(mut vm) => {
                vm.reset(chunk);
                vm
            }
            None => VM::new(chunk),
        }
    }

    /// Returns a VM to the pool.
    pub fn release(&mut self, vm: VM) {
        self.vms.push(vm);
    }

    /// Acquires a VM for `chunk`, runs `f` with it, releases it, returns `f`'s result.
    pub fn with<F, T>(&mut self, chunk: Chunk, f: F) -> T
    where
        F: FnOnce(&mut VM) -> T,
    {
        let mut vm = self.acquire(chunk);
        let out = f(&mut vm);
        self.release(vm);
        out
    }

    /// VMs currently pooled.
    pub fn len(&self) -> usize {
        self.vms.len()
    }

    /// True when no VM is pooled.
    pub fn is_empty(&self) -> bool {
        self.vms.is_empty()
    }
}
