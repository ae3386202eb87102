//! Stack shuffles, arithmetic, numeric and string comparison, logical and bitwise ops.
//!
//! The numeric pair rule: integer math (wrapping) only when *both* operands are `Int`;
//! any other pair goes through `to_float`. The pair-helper ops (`Add Sub Mul Mod Num*
//! Spaceship`) do nothing on a stack of fewer than two values; the others read missing
//! operands as `Undef` (upstream's behaviour, ops.md § 0).

use super::VM;
use crate::error::{ErrorKind, Trap};
use crate::Value;
use std::cmp::Ordering;

/// Applies a pair-helper op in place: `[.., a, b] -> [.., f(a, b)]`, no-op below two values.
/// The Int × Int path writes without drop glue: both operands are known to be plain.
macro_rules! pair_op {
    ($vm:expr, |$x:ident, $y:ident| int: $int:expr, float: $float:expr) => {{
        if let [.., a, b] = $vm.stack.as_mut_slice() {
            if let (Value::Int($x), Value::Int($y)) = (&*a, &*b) {
                let ($x, $y) = (*$x, *$y);
                Value::overwrite(a, $int);
                if let Some(b) = $vm.stack.pop() {
                    b.discard();
                }
            } else {
                let ($x, $y) = (a.to_float(), b.to_float());
                *a = $float;
                $vm.stack.pop();
            }
        }
    }};
}

impl VM {
    pub(super) fn exec_load_const(&mut self, c: u16) -> Result<(), Trap> {
        match self.chunk.constants.get(c as usize) {
            Some(v) => {
                self.stack.push(v.clone());
                Ok(())
            }
            None => Err(Trap::new(
                ErrorKind::Verify,
                format!("constant index {c} out of range"),
            )),
        }
    }

    pub(super) fn exec_dup(&mut self) {
        let top = self.peek().clone();
        self.stack.push(top);
    }

    pub(super) fn exec_dup2(&mut self) {
        if let [.., a, b] = self.stack.as_slice() {
            let (a, b) = (a.clone(), b.clone());
            self.stack.push(a);
            self.stack.push(b);
        }
    }

    pub(super) fn exec_swap(&mut self) {
        let n = self.stack.len();
        if n >= 2 {
            self.stack.swap(n - 1, n - 2);
        }
    }

    pub(super) fn exec_rot(&mut self) {
        let n = self.stack.len();
        if n >= 3 {
            self.stack[n - 3..].rotate_left(1);
        }
    }

    /// `Add`: Int × Int inline at every site (calls' `a + b` and loops), any other pair
    /// out of line.
    #[inline(always)]
    pub(super) fn exec_add(&mut self) {
        self.arith_pair(i64::wrapping_add, |x, y| x + y)
    }

    /// `Sub`, as `Add`.
    #[inline(always)]
    pub(super) fn exec_sub(&mut self) {
        self.arith_pair(i64::wrapping_sub, |x, y| x - y)
    }

    /// `Mul`, as `Add`.
    #[inline(always)]
    pub(super) fn exec_mul(&mut self) {
        self.arith_pair(i64::wrapping_mul, |x, y| x * y)
    }

    /// The pair rule for `Add`/`Sub`/`Mul`: `[.., a, b] -> [.., a op b]`, no-op below two
    /// values.
    #[inline(always)]
    fn arith_pair(&mut self, int: impl Fn(i64, i64) -> i64, float: impl Fn(f64, f64) -> f64) {
        match self.stack.as_mut_slice() {
            [.., Value::Int(x), Value::Int(y)] => {
                *x = int(*x, *y);
                if let Some(top) = self.stack.pop() {
                    top.discard();
                }
            }
            _ => self.float_pair(float),
        }
    }

    /// `arith_pair` when the two operands are not both `Int`: through `to_float`.
    #[inline(never)]
    fn float_pair(&mut self, float: impl Fn(f64, f64) -> f64) {
        if let [.., a, b] = self.stack.as_mut_slice() {
            *a = Value::Float(float(a.to_float(), b.to_float()));
            self.stack.pop();
        }
    }

    /// Int `% 0` is 0, and `i64::MIN % -1` is 0 (upstream panics: quirk B5).
    #[inline(never)]
    pub(super) fn exec_mod(&mut self) {
        pair_op!(self, |x, y| int: Value::Int(if y == 0 { 0 } else { x.wrapping_rem(y) }), float: Value::Float(x % y))
    }

    /// Always Float; `Undef` for a zero divisor (upstream C1).
    pub(super) fn exec_div(&mut self) {
        let b = self.pop().to_float();
        let a = self.pop().to_float();
        self.stack.push(if b == 0.0 {
            Value::Undef
        } else {
            Value::Float(a / b)
        });
    }

    #[inline(never)]
    pub(super) fn exec_pow(&mut self) {
        let b = self.pop().to_float();
        let a = self.pop().to_float();
        self.stack.push(Value::Float(a.powf(b)));
    }

    pub(super) fn exec_negate(&mut self) {
        let v = match self.pop() {
            Value::Int(n) => Value::Int(n.wrapping_neg()),
            other => Value::Float(-other.to_float()),
        };
        self.stack.push(v);
    }

    pub(super) fn exec_inc(&mut self) {
        let n = self.pop().to_int();
        self.stack.push(Value::Int(n.wrapping_add(1)));
    }

    pub(super) fn exec_dec(&mut self) {
        let n = self.pop().to_int();
        self.stack.push(Value::Int(n.wrapping_sub(1)));
    }

    #[inline]
    pub(super) fn exec_num_eq(&mut self) {
        pair_op!(self, |x, y| int: Value::Bool(x == y), float: Value::Bool(x == y))
    }

    #[inline]
    pub(super) fn exec_num_ne(&mut self) {
        pair_op!(self, |x, y| int: Value::Bool(x != y), float: Value::Bool(x != y))
    }

    #[inline]
    pub(super) fn exec_num_lt(&mut self) {
        pair_op!(self, |x, y| int: Value::Bool(x < y), float: Value::Bool(x < y))
    }

    #[inline]
    pub(super) fn exec_num_gt(&mut self) {
        pair_op!(self, |x, y| int: Value::Bool(x > y), float: Value::Bool(x > y))
    }

    #[inline]
    pub(super) fn exec_num_le(&mut self) {
        pair_op!(self, |x, y| int: Value::Bool(x <= y), float: Value::Bool(x <= y))
    }

    #[inline]
    pub(super) fn exec_num_ge(&mut self) {
        pair_op!(self, |x, y| int: Value::Bool(x >= y), float: Value::Bool(x >= y))
    }

    /// `Int(-1 | 0 | 1)`; NaN compares as 0.
    #[inline(never)]
    pub(super) fn exec_spaceship(&mut self) {
        pair_op!(self, |x, y| int: Value::Int(x.cmp(&y) as i64),
            float: Value::Int(x.partial_cmp(&y).map_or(0, |o| o as i64)))
    }

    /// Pops `[a, b]` and compares their string forms byte-wise.
    fn pop_str_ordering(&mut self) -> Result<Ordering, Trap> {
        let b = self.pop();
        let a = self.pop();
        self.check_str_form(&a)?;
        self.check_str_form(&b)?;
        Ok(a.as_str_cow().as_ref().cmp(b.as_str_cow().as_ref()))
    }

    #[inline(never)]
    pub(super) fn exec_str_cmp_op(&mut self, test: fn(Ordering) -> bool) -> Result<(), Trap> {
        let o = self.pop_str_ordering()?;
        self.stack.push(Value::Bool(test(o)));
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_str_cmp(&mut self) -> Result<(), Trap> {
        let o = self.pop_str_ordering()?;
        self.stack.push(Value::Int(o as i64));
        Ok(())
    }

    pub(super) fn exec_log_not(&mut self) {
        let v = self.pop();
        self.stack.push(Value::Bool(!v.is_truthy()));
    }

    pub(super) fn exec_log_and(&mut self) {
        let b = self.pop().is_truthy();
        let a = self.pop().is_truthy();
        self.stack.push(Value::Bool(a && b));
    }

    pub(super) fn exec_log_or(&mut self) {
        let b = self.pop().is_truthy();
        let a = self.pop().is_truthy();
        self.stack.push(Value::Bool(a || b));
    }

    /// Bitwise ops on `to_int` of both operands (missing operands read as `Undef`).
    pub(super) fn exec_int_binary(&mut self, f: fn(i64, i64) -> i64) {
        let b = self.pop().to_int();
        let a = self.pop().to_int();
        self.stack.push(Value::Int(f(a, b)));
    }

    pub(super) fn exec_bit_not(&mut self) {
        let a = self.pop().to_int();
        self.stack.push(Value::Int(!a));
    }
}
