//! The linear tier: a straight-line chunk (no branches) compiled to one native function,
//! op after op with the shared lowering, ending in the "finished" exit.
//!
//! Eligibility (`eligible::linear_eligible`) guarantees one value is left at the end; an
//! exit in the middle (a zero divisor, say) hands the rest to the interpreter.

use super::abi::Spec;
use super::codegen::{Compiled, Session};
use super::eligible::{first_unsupported, Tier};
use super::lower::{Bail, Flow, Lowerer};
use crate::{Op, Value};
use cranelift_frontend::FunctionBuilder;

/// Compiles `ops` for `spec`.
pub(crate) fn compile(ops: &[Op], consts: &[Value], spec: &Spec) -> Result<Compiled, Bail> {
    if let Some((ip, op)) = first_unsupported(Tier::Linear, ops) {
        return Err(Bail::Unsupported { ip, op });
    }
    let mut session = Session::new()?;
    let (mut func, helpers) = session.function();
    let target = session.target();
    let lowered = {
        let b = FunctionBuilder::new(&mut func, &mut session.fctx);
        let mut lw = Lowerer::new(b, helpers, consts, &spec.entry, spec.fuel);
        let mut finished = false;
        for (ip, &op) in ops.iter().enumerate() {
            match lw.lower_op(ip, op)? {
                Flow::Next => {}
                Flow::Exited => {
                    finished = true;
                    break;
                }
                // Not on the linear list; refuse rather than guess.
                Flow::Goto { .. } | Flow::Branch { .. } => {
                    return Err(Bail::Unsupported { ip, op });
                }
            }
        }
        if !finished {
            lw.exit_now(ops.len());
        }
        lw.finish(target)
    };
    session.finish(func, lowered, spec)
}
