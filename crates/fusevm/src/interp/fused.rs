//! Fused superinstructions. Each equals the op sequence the table declares for it when the
//! slots hold integers; on other values they read with `to_int` and store `Int`, as
//! upstream. Overflow wraps like `Add` (upstream panics in debug builds: quirk B6). The loop
//! ops are charged one fuel unit per iteration and bounded by the size limits.

use super::VM;
use crate::error::Trap;
use crate::Value;
use std::sync::Arc;

/// Iterations of `while i < limit { ..; i += 1 }`.
fn iterations(i: i64, limit: i32) -> u64 {
    (limit as i64).saturating_sub(i).max(0) as u64
}

impl VM {
    pub(super) fn exec_pre_inc_slot(&mut self, s: u16) {
        let n = self.slot(s).to_int().wrapping_add(1);
        self.set_slot(s, Value::Int(n));
        self.stack.push(Value::Int(n));
    }

    pub(super) fn exec_pre_inc_slot_void(&mut self, s: u16) {
        let n = self.slot(s).to_int().wrapping_add(1);
        self.set_slot(s, Value::Int(n));
    }

    /// Increments slot `s`; true when the new value is below `limit` (jump back).
    #[inline]
    pub(super) fn exec_slot_inc_lt_int(&mut self, s: u16, limit: i32) -> bool {
        let n = match self.slot_mut(s) {
            Some(Value::Int(n)) => {
                *n = n.wrapping_add(1);
                *n
            }
            _ => {
                let n = self.slot(s).to_int().wrapping_add(1);
                self.set_slot(s, Value::Int(n));
                n
            }
        };
        n < limit as i64
    }

    pub(super) fn exec_add_assign_slot_void(&mut self, a: u16, b: u16) {
        let n = self.slot(a).to_int().wrapping_add(self.slot(b).to_int());
        self.set_slot(a, Value::Int(n));
    }

    /// `while i < limit { sum += i; i += 1 }` in closed form (wrapping, like the loop).
    #[inline(never)]
    pub(super) fn exec_accum_sum_loop(
        &mut self,
        sum: u16,
        i: u16,
        limit: i32,
        ticks: &mut u64,
    ) -> Result<(), Trap> {
        let start = self.slot(i).to_int();
        let total = self.slot(sum).to_int();
        let n = iterations(start, limit);
        self.charge_bulk(n, ticks)?;
        // sum of start .. start+n-1 = n*start + n(n-1)/2: exact in i128 (n and |start| are
        // below 2^64, so each term is below 2^127), then reduced mod 2^64, which is what
        // wrapping addition one step at a time gives.
        let n = n as i128;
        let added = n * start as i128 + n * (n - 1) / 2;
        let new_sum = (total as i128).wrapping_add(added) as i64;
        self.set_slot(sum, Value::Int(new_sum));
        self.set_slot(i, Value::Int(if n > 0 { limit as i64 } else { start }));
        Ok(())
    }

    /// `while i < limit { s .= constants[c]; i += 1 }`, appending in place.
    #[inline(never)]
    pub(super) fn exec_concat_const_loop(
        &mut self,
        c: u16,
        s: u16,
        i: u16,
        limit: i32,
        ticks: &mut u64,
    ) -> Result<(), Trap> {
        if let Some(constant) = self.chunk.constants.get(c as usize) {
            self.check_str_form(constant)?;
        }
        let piece = self
            .chunk
            .constants
            .get(c as usize)
            .map(Value::to_str)
            .unwrap_or_default();
        let start = self.slot(i).to_int();
        let n = iterations(start, limit);
        let current_len = self.slot(s).str_form_len();
        let added = (piece.len() as u64).saturating_mul(n);
        self.check_string_len(
            usize::try_from((current_len as u64).saturating_add(added)).unwrap_or(usize::MAX),
        )?;
        self.charge_bulk(n, ticks)?;
        let taken = match self.slot_mut(s) {
            Some(v) => std::mem::take(v),
            None => Value::Undef,
        };
        let mut text = match taken {
            Value::Str(arc) => Arc::try_unwrap(arc).unwrap_or_else(|shared| shared.as_str().to_string()),
            other => other.to_str(),
        };
        if !piece.is_empty() {
            // `n` is bounded here: `n * piece.len()` passed the string-length check.
            text.reserve(added as usize);
            for _ in 0..n {
                text.push_str(&piece);
            }
        }
        self.set_slot(s, Value::Str(Arc::new(text)));
        self.set_slot(i, Value::Int(if n > 0 { limit as i64 } else { start }));
        Ok(())
    }

    /// `while i < limit { push(globals[g], Int(i)); i += 1 }`; a global that is not an
    /// array is replaced by a new one (upstream).
    #[inline(never)]
    pub(super) fn exec_push_int_range_loop(
        &mut self,
        g: u16,
        i: u16,
        limit: i32,
        ticks: &mut u64,
    ) -> Result<(), Trap> {
        let start = self.slot(i).to_int();
        let n = iterations(start, limit);
        let current = match self.global(g) {
            Value::Array(a) => a.len(),
            _ => 0,
        };
        self.check_collection_len(current as u128 + n as u128)?;
        self.charge_bulk(n, ticks)?;
        let slot = self.global_mut(g);
        if !matches!(slot, Value::Array(_)) {
            *slot = Value::array(Vec::new());
        }
        if let Value::Array(a) = slot {
            a.reserve(n as usize);
            a.extend((0..n as i64).map(|k| Value::Int(start + k)));
        }
        self.set_slot(i, Value::Int(if n > 0 { limit as i64 } else { start }));
        Ok(())
    }
}
