//! The superinstructions' work, at the value level: each computes with the same pair rule
//! as the ops its template names (Int × Int exact and wrapping, anything else through
//! `to_float`), so a fused sequence and the ops it covers give the same values.

use super::VM;
use crate::error::Trap;
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

/// An arithmetic pair op (`Add`, `Sub`, `Mul`, `Mod`).
#[derive(Clone, Copy)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    /// Int `% 0` and `i64::MIN % -1` are 0, as `Mod` (quirk B5).
    Mod,
}

impl Arith {
    /// `a <op> b` with the pair rule (Int × Int wraps).
    #[inline(always)]
    pub(super) fn apply(self, a: &Value, b: &Value) -> Value {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => Value::Int(self.ints(*x, *y)),
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
    pub(super) fn apply_int_floats(self, a: &Value, k: i64) -> Value {
        self.float(a.to_float(), k as f64)
    }

    /// `x <op> y` on two Ints (wrapping, as `Add`/`Sub`/`Mul`/`Mod`).
    #[inline(always)]
    pub(super) fn ints(self, x: i64, y: i64) -> i64 {
        match self {
            Arith::Add => x.wrapping_add(y),
            Arith::Sub => x.wrapping_sub(y),
            Arith::Mul => x.wrapping_mul(y),
            Arith::Mod if y == 0 => 0,
            Arith::Mod => x.wrapping_rem(y),
        }
    }

    /// `a <op> k` for an integer constant.
    #[inline(always)]
    pub(super) fn apply_int(self, a: &Value, k: i64) -> Value {
        match a {
            Value::Int(x) => Value::Int(self.ints(*x, k)),
            _ => self.apply_int_floats(a, k),
        }
    }

    #[inline(always)]
    fn float(self, x: f64, y: f64) -> Value {
        Value::Float(match self {
            Arith::Add => x + y,
            Arith::Sub => x - y,
            Arith::Mul => x * y,
            Arith::Mod => x % y,
        })
    }
}

impl VM {
    /// A copy of slot `s` (`Undef` when absent), an Int without the generic clone's
    /// jump table: what `get_slot s; return_value` returns.
    #[inline(always)]
    pub(super) fn slot_value(&self, s: u16) -> Value {
        match self.slot_ref(s) {
            Some(Value::Int(n)) => Value::Int(*n),
            Some(v) => v.clone(),
            None => Value::Undef,
        }
    }

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

    /// `slots[d] = n` for an `Int` result. When the slot already holds an `Int` only the
    /// payload is stored: no check of the old value for drop glue, no 16-byte temporary.
    #[inline(always)]
    pub(super) fn set_slot_int(&mut self, d: u16, n: i64) {
        match self.slot_mut(d) {
            Some(Value::Int(dst)) => *dst = n,
            _ => self.set_slot(d, Value::Int(n)),
        }
    }

    /// `get_slot a; get_slot b; <op>; set_slot d`: Int × Int inline, anything else through
    /// the generic pair rule out of line.
    #[inline(always)]
    pub(super) fn slot_slot_arith_to(&mut self, a: u16, b: u16, d: u16, op: Arith) {
        if let (Some(Value::Int(x)), Some(Value::Int(y))) = (self.slot_ref(a), self.slot_ref(b)) {
            let r = op.ints(*x, *y);
            return self.set_slot_int(d, r);
        }
        self.slot_slot_arith_to_generic(a, b, d, op)
    }

    #[cold]
    #[inline(never)]
    fn slot_slot_arith_to_generic(&mut self, a: u16, b: u16, d: u16, op: Arith) {
        let v = op.apply(self.slot(a), self.slot(b));
        self.set_slot(d, v)
    }

    /// `get_slot s; load_int k; <op>; set_slot d`, Int inline as above.
    #[inline(always)]
    pub(super) fn slot_int_arith_to(&mut self, s: u16, k: i32, d: u16, op: Arith) {
        if let Some(Value::Int(x)) = self.slot_ref(s) {
            let r = op.ints(*x, k as i64);
            return self.set_slot_int(d, r);
        }
        self.slot_int_arith_to_generic(s, k, d, op)
    }

    #[cold]
    #[inline(never)]
    fn slot_int_arith_to_generic(&mut self, s: u16, k: i32, d: u16, op: Arith) {
        let v = op.apply_int(self.slot(s), k as i64);
        self.set_slot(d, v)
    }

    /// `get_slot d; get_slot a; get_slot b; mul; add; set_slot d`, Int inline as above.
    #[inline(always)]
    pub(super) fn slot_mul_accumulate(&mut self, d: u16, a: u16, b: u16) {
        if let (Some(Value::Int(acc)), Some(Value::Int(x)), Some(Value::Int(y))) =
            (self.slot_ref(d), self.slot_ref(a), self.slot_ref(b))
        {
            let r = acc.wrapping_add(x.wrapping_mul(*y));
            return self.set_slot_int(d, r);
        }
        self.slot_mul_accumulate_generic(d, a, b)
    }

    #[cold]
    #[inline(never)]
    fn slot_mul_accumulate_generic(&mut self, d: u16, a: u16, b: u16) {
        let product = Arith::Mul.apply(self.slot(a), self.slot(b));
        let sum = Arith::Add.apply(self.slot(d), &product);
        product.discard();
        self.set_slot(d, sum)
    }

    /// `get_slot s; array_push g`: pushes a copy of the slot, within the limits.
    #[inline(always)]
    pub(super) fn slot_array_push(&mut self, s: u16, g: u16) -> Result<(), Trap> {
        let v = match self.slot_ref(s) {
            Some(Value::Int(n)) => Value::Int(*n),
            Some(v) => v.clone(),
            None => Value::Undef,
        };
        self.array_push_value(g, v)
    }

    /// `get_slot acc; get_slot index; array_get g; add; set_slot acc`, reading the element
    /// in place (no copy): Int + Int inline, anything else by the pair rule out of line.
    #[inline(always)]
    pub(super) fn slot_add_array_elem(&mut self, acc: u16, index: u16, g: u16) {
        let i = self.slot(index).to_int();
        let element = VM::element_ref(self.global(g), i);
        if let (Some(Value::Int(x)), Some(Value::Int(e))) = (self.slot_ref(acc), element) {
            let r = x.wrapping_add(*e);
            return self.set_slot_int(acc, r);
        }
        self.slot_add_array_elem_generic(acc, i, g)
    }

    #[cold]
    #[inline(never)]
    fn slot_add_array_elem_generic(&mut self, acc: u16, i: i64, g: u16) {
        static UNDEF: Value = Value::Undef;
        let element = VM::element_ref(self.global(g), i).unwrap_or(&UNDEF);
        let sum = Arith::Add.apply(self.slot(acc), element);
        self.set_slot(acc, sum)
    }

    /// `get_slot s; hash_get g; load_int k; add; get_slot s; hash_set g` with one lookup.
    /// An error comes with the offset of the covered op that reports it: 1 (`hash_get`:
    /// the key's string form is too long) or 5 (`hash_set`: a new key past the limit).
    pub(super) fn slot_hash_add_int(&mut self, s: u16, g: u16, k: i32) -> Result<(), (Trap, usize)> {
        static UNDEF: Value = Value::Undef;
        // The field, not `slot_ref`: the key stays borrowed while the globals change.
        let key = self.slots.get(self.base + s as usize).unwrap_or(&UNDEF);
        self.check_str_form(key).map_err(|t| (t, 1))?;
        // Not a hash: `hash_get` reads Undef and `hash_set` stores nothing.
        let Some(Value::Hash(h)) = self.globals.get_mut(g as usize) else {
            return Ok(());
        };
        let key = key.as_str_cow();
        match h.get_mut(key.as_ref()) {
            Some(v) => {
                let sum = Arith::Add.apply_int(v, k as i64);
                Value::overwrite(v, sum);
            }
            None => {
                let limit = self.limits.max_collection_len;
                if h.len() >= limit {
                    return Err((super::collections::hash_insert_limit(limit), 5));
                }
                h.insert(key.into_owned(), Arith::Add.apply_int(&Value::Undef, k as i64));
            }
        }
        Ok(())
    }

    /// Pushes `slots[s] <op> k`. `apply_int` written out so the Int case pushes by
    /// `Value::push_int` directly (through `push_value` measured 0.986x on ackermann).
    #[inline(always)]
    pub(super) fn push_slot_int_arith(&mut self, s: u16, k: i32, op: Arith) {
        match self.slot(s) {
            Value::Int(x) => {
                let n = op.ints(*x, k as i64);
                Value::push_int(&mut self.stack, n)
            }
            a => {
                let v = op.apply_int_floats(a, k as i64);
                self.stack.push(v)
            }
        }
    }

    /// `slots[a] <op> slots[b]`.
    #[inline(always)]
    pub(super) fn slot_slot_arith(&self, a: u16, b: u16, op: Arith) -> Value {
        op.apply(self.slot(a), self.slot(b))
    }
}
