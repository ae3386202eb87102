//! The `--ext demo` extension handler: the README's example of a frontend op, so the
//! examples can show `Extended` ops without a frontend behind them.
//!
//! | Op | Effect |
//! |---|---|
//! | `extended 0, ARG` | push `Int(ARG)` |
//! | `extended 1, _` | pop a value, push its integer value times two (wrapping) |
//!
//! Other ids do nothing, like an `Extended` op with no handler installed.

use fusevm::vm::ExtensionHandler;
use fusevm::Value;

/// Extension id: push the op's argument as an integer.
pub const PUSH_ARG: u16 = 0;
/// Extension id: double the top of the stack.
pub const DOUBLE: u16 = 1;

/// The demo handler.
pub fn demo_handler() -> ExtensionHandler {
    Box::new(|vm, id, arg| match id {
        PUSH_ARG => vm.push(Value::Int(arg.into())),
        DOUBLE => {
            let top = vm.pop().to_int();
            vm.push(Value::Int(top.wrapping_mul(2)));
        }
        _ => {}
    })
}
