//! `fusevm::op`: the `Op` enum (declared in [`crate::isa`]) and upstream's operand
//! constant modules.
pub use crate::isa::Op;
