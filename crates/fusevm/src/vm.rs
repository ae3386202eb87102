//! `fusevm::vm`: the virtual machine and its types (implemented in the private `interp`
//! module, split by concern).
pub use crate::interp::{
    BuiltinHandler, ExtensionHandler, ExtensionWideHandler, Frame, VMPool, VMResult, VM,
};
