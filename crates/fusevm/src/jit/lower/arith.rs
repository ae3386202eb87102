//! Arithmetic, comparison, logical and bitwise ops (interp/arith.rs, op for op).
//!
//! The pair ops (`Add Sub Mul Mod`, comparisons, `Spaceship`) take the integer path only
//! when both operands are `Int` and otherwise compare/compute on `to_float` of both. When
//! compile time cannot tell, both paths are computed and the result selected (neither can
//! fault: integer `Mod` never divides by 0 or -1, see [`Lowerer::int_mod`]).

use super::convert::IsInt;
use super::kind::JVal;
use super::{Flow, Lowerer};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value as Reg};

/// The numeric pair ops.
#[derive(Clone, Copy)]
pub(super) enum Pair {
    Add,
    Sub,
    Mul,
    Mod,
}

/// The numeric comparisons.
#[derive(Clone, Copy)]
pub(super) enum Compare {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Compare {
    fn int_cc(self) -> IntCC {
        match self {
            Compare::Eq => IntCC::Equal,
            Compare::Ne => IntCC::NotEqual,
            Compare::Lt => IntCC::SignedLessThan,
            Compare::Gt => IntCC::SignedGreaterThan,
            Compare::Le => IntCC::SignedLessThanOrEqual,
            Compare::Ge => IntCC::SignedGreaterThanOrEqual,
        }
    }

    /// Rust's float operators: `==` and the orderings are false on NaN, `!=` true.
    fn float_cc(self) -> FloatCC {
        match self {
            Compare::Eq => FloatCC::Equal,
            Compare::Ne => FloatCC::NotEqual,
            Compare::Lt => FloatCC::LessThan,
            Compare::Gt => FloatCC::GreaterThan,
            Compare::Le => FloatCC::LessThanOrEqual,
            Compare::Ge => FloatCC::GreaterThanOrEqual,
        }
    }
}

/// The bitwise ops (on `to_int` of both operands).
#[derive(Clone, Copy)]
pub(super) enum Bits {
    And,
    Or,
    Xor,
    Shl,
    Shr,
}

impl Lowerer<'_> {
    /// Pops `[a, b]`; `None` (after exiting) when the abstract stack has fewer than two.
    fn pop2(&mut self, ip: usize) -> Option<(JVal, JVal)> {
        if !self.has(2, ip) {
            return None;
        }
        let b = self.pop();
        let a = self.pop();
        Some((a, b))
    }

    /// `Add Sub Mul Mod`: wrapping integer math when both are `Int`, else `Float`.
    pub(super) fn lower_pair(&mut self, ip: usize, op: Pair) -> Flow {
        let Some((a, b)) = self.pop2(ip) else {
            return Flow::Exited;
        };
        let v = match self.both_int(&a, &b) {
            IsInt::Yes => {
                let (x, y) = (self.int_payload(&a), self.int_payload(&b));
                JVal::Int(self.int_pair(op, x, y))
            }
            IsInt::No => JVal::Float(self.float_pair(op, &a, &b)),
            IsInt::Dyn(c) => {
                let (x, y) = (self.int_payload(&a), self.int_payload(&b));
                let int = self.int_pair(op, x, y);
                let float = self.float_pair(op, &a, &b);
                self.int_or_float(c, int, float)
            }
        };
        self.push(v)
    }

    fn int_pair(&mut self, op: Pair, x: Reg, y: Reg) -> Reg {
        match op {
            Pair::Add => self.b.ins().iadd(x, y),
            Pair::Sub => self.b.ins().isub(x, y),
            Pair::Mul => self.b.ins().imul(x, y),
            Pair::Mod => self.int_mod(x, y),
        }
    }

    fn float_pair(&mut self, op: Pair, a: &JVal, b: &JVal) -> Reg {
        let (x, y) = (self.float_of(a), self.float_of(b));
        match op {
            Pair::Add => self.b.ins().fadd(x, y),
            Pair::Sub => self.b.ins().fsub(x, y),
            Pair::Mul => self.b.ins().fmul(x, y),
            Pair::Mod => {
                let call = self.b.ins().call(self.helpers.fmod, &[x, y]);
                self.b.inst_results(call)[0]
            }
        }
    }

    /// The interpreter's `x % y`: 0 when `y` is 0, wrapping (so 0) when `y` is -1. Both
    /// cases divide by 1 instead, which gives that 0 and cannot trap.
    fn int_mod(&mut self, x: Reg, y: Reg) -> Reg {
        // y + 1 <= 1 (unsigned) exactly when y is -1 or 0.
        let y1 = self.b.ins().iadd_imm_s(y, 1);
        let special = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThanOrEqual, y1, 1);
        let one = self.b.ins().iconst(types::I64, 1);
        let d = self.b.ins().select(special, one, y);
        self.b.ins().srem(x, d)
    }

    /// `Div`: always `Float`; a zero divisor gives `Undef` in the interpreter, so native
    /// code exits there (the guard is `b != 0.0`, true for NaN as in Rust).
    pub(super) fn lower_div(&mut self, ip: usize) -> Flow {
        if !self.has(2, ip) {
            return Flow::Exited;
        }
        let pre = self.st.clone();
        let (a, b) = match self.pop2(ip) {
            Some(p) => p,
            None => return Flow::Exited,
        };
        let (x, y) = (self.float_of(&a), self.float_of(&b));
        let zero = self.b.ins().f64const(0.0);
        let ok = self.b.ins().fcmp(FloatCC::NotEqual, y, zero);
        self.guard(ok, &pre, ip);
        let q = self.b.ins().fdiv(x, y);
        self.push(JVal::Float(q))
    }

    /// `Pow`: always `Float(a.powf(b))`.
    pub(super) fn lower_pow(&mut self, ip: usize) -> Flow {
        let Some((a, b)) = self.pop2(ip) else {
            return Flow::Exited;
        };
        let (x, y) = (self.float_of(&a), self.float_of(&b));
        let call = self.b.ins().call(self.helpers.pow, &[x, y]);
        let r = self.b.inst_results(call)[0];
        self.push(JVal::Float(r))
    }

    /// `Negate`: wrapping for an `Int`, else `Float(-to_float)`.
    pub(super) fn lower_negate(&mut self, ip: usize) -> Flow {
        if !self.has(1, ip) {
            return Flow::Exited;
        }
        let a = self.pop();
        let v = match self.is_int(&a) {
            IsInt::Yes => {
                let x = self.int_payload(&a);
                JVal::Int(self.b.ins().ineg(x))
            }
            IsInt::No => {
                let f = self.float_of(&a);
                JVal::Float(self.b.ins().fneg(f))
            }
            IsInt::Dyn(c) => {
                let x = self.int_payload(&a);
                let int = self.b.ins().ineg(x);
                let f = self.float_of(&a);
                let float = self.b.ins().fneg(f);
                self.int_or_float(c, int, float)
            }
        };
        self.push(v)
    }

    /// `Inc` / `Dec`: `Int(to_int(a) ± 1)`, wrapping.
    pub(super) fn lower_inc_dec(&mut self, ip: usize, delta: i64) -> Flow {
        if !self.has(1, ip) {
            return Flow::Exited;
        }
        let a = self.pop();
        let n = self.int_of(&a);
        let r = self.b.ins().iadd_imm_s(n, delta);
        self.push(JVal::Int(r))
    }

    /// `NumEq` … `NumGe`: `Bool`.
    pub(super) fn lower_compare(&mut self, ip: usize, cmp: Compare) -> Flow {
        let Some((a, b)) = self.pop2(ip) else {
            return Flow::Exited;
        };
        let r = match self.both_int(&a, &b) {
            IsInt::Yes => self.int_compare(cmp, &a, &b),
            IsInt::No => self.float_compare(cmp, &a, &b),
            IsInt::Dyn(c) => {
                let i = self.int_compare(cmp, &a, &b);
                let f = self.float_compare(cmp, &a, &b);
                self.b.ins().select(c, i, f)
            }
        };
        self.push(JVal::Bool(r))
    }

    fn int_compare(&mut self, cmp: Compare, a: &JVal, b: &JVal) -> Reg {
        let (x, y) = (self.int_payload(a), self.int_payload(b));
        self.b.ins().icmp(cmp.int_cc(), x, y)
    }

    fn float_compare(&mut self, cmp: Compare, a: &JVal, b: &JVal) -> Reg {
        let (x, y) = (self.float_of(a), self.float_of(b));
        self.b.ins().fcmp(cmp.float_cc(), x, y)
    }

    /// `Spaceship`: `Int(-1 | 0 | 1)`; unordered floats give 0.
    pub(super) fn lower_spaceship(&mut self, ip: usize) -> Flow {
        let Some((a, b)) = self.pop2(ip) else {
            return Flow::Exited;
        };
        let r = match self.both_int(&a, &b) {
            IsInt::Yes => self.int_spaceship(&a, &b),
            IsInt::No => self.float_spaceship(&a, &b),
            IsInt::Dyn(c) => {
                let i = self.int_spaceship(&a, &b);
                let f = self.float_spaceship(&a, &b);
                self.b.ins().select(c, i, f)
            }
        };
        self.push(JVal::Int(r))
    }

    fn int_spaceship(&mut self, a: &JVal, b: &JVal) -> Reg {
        let gt = self.int_compare(Compare::Gt, a, b);
        let lt = self.int_compare(Compare::Lt, a, b);
        self.sign_of(gt, lt)
    }

    fn float_spaceship(&mut self, a: &JVal, b: &JVal) -> Reg {
        let gt = self.float_compare(Compare::Gt, a, b);
        let lt = self.float_compare(Compare::Lt, a, b);
        self.sign_of(gt, lt)
    }

    /// `gt - lt` as an `i64`.
    fn sign_of(&mut self, gt: Reg, lt: Reg) -> Reg {
        let gt = self.b.ins().uextend(types::I64, gt);
        let lt = self.b.ins().uextend(types::I64, lt);
        self.b.ins().isub(gt, lt)
    }

    /// `LogNot`: `Bool(!truthy)`.
    pub(super) fn lower_log_not(&mut self, ip: usize) -> Flow {
        if !self.has(1, ip) {
            return Flow::Exited;
        }
        let a = self.pop();
        let t = self.truthy(&a);
        let r = self.b.ins().bxor_imm_s(t, 1);
        self.push(JVal::Bool(r))
    }

    /// `LogAnd` / `LogOr`: `Bool` of both truthinesses (both operands are evaluated).
    pub(super) fn lower_log_and_or(&mut self, ip: usize, and: bool) -> Flow {
        let Some((a, b)) = self.pop2(ip) else {
            return Flow::Exited;
        };
        let (x, y) = (self.truthy(&a), self.truthy(&b));
        let r = if and {
            self.b.ins().band(x, y)
        } else {
            self.b.ins().bor(x, y)
        };
        self.push(JVal::Bool(r))
    }

    /// `BitAnd BitOr BitXor Shl Shr`: `Int` of `to_int` of both; shift counts are taken
    /// mod 64 (Cranelift's shifts mask the count, like the interpreter's `& 63`), `Shr`
    /// is arithmetic.
    pub(super) fn lower_bits(&mut self, ip: usize, op: Bits) -> Flow {
        let Some((a, b)) = self.pop2(ip) else {
            return Flow::Exited;
        };
        let (x, y) = (self.int_of(&a), self.int_of(&b));
        let r = match op {
            Bits::And => self.b.ins().band(x, y),
            Bits::Or => self.b.ins().bor(x, y),
            Bits::Xor => self.b.ins().bxor(x, y),
            Bits::Shl => self.b.ins().ishl(x, y),
            Bits::Shr => self.b.ins().sshr(x, y),
        };
        self.push(JVal::Int(r))
    }

    /// `BitNot`: `Int(!to_int(a))`.
    pub(super) fn lower_bit_not(&mut self, ip: usize) -> Flow {
        if !self.has(1, ip) {
            return Flow::Exited;
        }
        let a = self.pop();
        let n = self.int_of(&a);
        let r = self.b.ins().bnot(n);
        self.push(JVal::Int(r))
    }
}
