//! The superinstructions' work, at the value level: each computes with the same pair rule
//! as the ops its template names (Int × Int exact and wrapping, anything else through
//! `to_float`), so a fused sequence and the ops it covers give the same values.

use super::VM;
use crate::Value;

/// A numeric comparison (`NumLt` .. `NumNe`).
#[derive(Clone, Copy)]
pub(super) enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    /// `a <cmp> b` with the pair rule.
    #[inline(always)]
    pub(super) fn test(self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => self.apply(x, y),
            _ => self.test_floats(a, b),
        }
    }

    /// The non-Int path, out of line so the dispatch loop stays small.
    #[cold]
    #[inline(never)]
    fn test_floats(self, a: &Value, b: &Value) -> bool {
        self.apply(&a.to_float(), &b.to_float())
    }

    /// `a <cmp> k` for an integer constant (no temporary `Value`: its drop glue would be an
    /// out-of-line call).
    #[inline(always)]
    pub(super) fn test_int(self, a: &Value, k: i64) -> bool {
        match a {
            Value::Int(x) => self.apply(x, &k),
            _ => self.test_int_floats(a, k),
        }
    }

    #[cold]
    #[inline(never)]
    fn test_int_floats(self, a: &Value, k: i64) -> bool {
        self.apply(&a.to_float(), &(k as f64))
    }

    #[inline(always)]
    fn apply<T: PartialOrd>(self, x: &T, y: &T) -> bool {
        match self {
            Cmp::Lt => x < y,
            Cmp::Le => x <= y,
            Cmp::Gt => x > y,
            Cmp::Ge => x >= y,
            Cmp::Eq => x == y,
            Cmp::Ne => x != y,
        }
    }
}

/// An arithmetic pair op (`Add`, `Sub`, `Mul`).
#[derive(Clone, Copy)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
}

impl Arith {
    /// `a <op> b` with the pair rule (Int × Int wraps).
    #[inline(always)]
    pub(super) fn apply(self, a: &Value, b: &Value) -> Value {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => Value::Int(match self {
                Arith::Add => x.wrapping_add(*y),
                Arith::Sub => x.wrapping_sub(*y),
                Arith::Mul => x.wrapping_mul(*y),
            }),
            _ => self.apply_floats(a, b),
        }
    }

    /// The non-Int path, out of line so the dispatch loop stays small.
    #[cold]
    #[inline(never)]
    fn apply_floats(self, a: &Value, b: &Value) -> Value {
        self.float(a.to_float(), b.to_float())
    }

    #[cold]
    #[inline(never)]
    fn apply_int_floats(self, a: &Value, k: i64) -> Value {
        self.float(a.to_float(), k as f64)
    }

    /// `a <op> k` for an integer constant.
    #[inline(always)]
    pub(super) fn apply_int(self, a: &Value, k: i64) -> Value {
        match a {
            Value::Int(x) => Value::Int(match self {
                Arith::Add => x.wrapping_add(k),
                Arith::Sub => x.wrapping_sub(k),
                Arith::Mul => x.wrapping_mul(k),
            }),
            _ => self.apply_int_floats(a, k),
        }
    }

    #[inline(always)]
    fn float(self, x: f64, y: f64) -> Value {
        Value::Float(match self {
            Arith::Add => x + y,
            Arith::Sub => x - y,
            Arith::Mul => x * y,
        })
    }
}

impl VM {
    /// `get_slot s; load_int k; num_<cmp>`: the comparison's truth.
    #[inline(always)]
    pub(super) fn slot_int_test(&self, s: u16, k: i32, cmp: Cmp) -> bool {
        cmp.test_int(self.slot(s), k as i64)
    }

    /// `get_slot a; get_slot b; num_<cmp>`: the comparison's truth.
    #[inline(always)]
    pub(super) fn slot_slot_test(&self, a: u16, b: u16, cmp: Cmp) -> bool {
        cmp.test(self.slot(a), self.slot(b))
    }

    /// `num_<cmp>; jump_if_*`: pops the pair and tests it. Below two values the comparison
    /// is a no-op (pair rule) and the branch tests whatever is on top.
    #[inline(always)]
    pub(super) fn pop_pair_test(&mut self, cmp: Cmp) -> bool {
        let n = self.stack.len();
        match self.stack.as_slice() {
            [.., a, b] => {
                let t = cmp.test(a, b);
                Value::truncate_vec(&mut self.stack, n - 2);
                t
            }
            _ => self.pop_truthy(),
        }
    }

    /// `slots[s] <op> k`.
    #[inline(always)]
    pub(super) fn slot_int_arith(&self, s: u16, k: i32, op: Arith) -> Value {
        op.apply_int(self.slot(s), k as i64)
    }

    /// `slots[a] <op> slots[b]`.
    #[inline(always)]
    pub(super) fn slot_slot_arith(&self, a: u16, b: u16, op: Arith) -> Value {
        op.apply(self.slot(a), self.slot(b))
    }
}
