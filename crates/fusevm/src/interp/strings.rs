//! String ops. Appends are amortized O(1): when the left operand of `Concat` is a string
//! nobody else holds, it grows in place. `s = s . x` compiles to `GetSlot s; ..; Concat;
//! SetSlot s`, where the slot still holds a second reference; since the `SetSlot` right
//! after overwrites that slot anyway, `Concat` releases the slot's reference first (only
//! when the next op is that very store), which makes the string unique.

use super::VM;
use crate::error::Trap;
use crate::{Op, Value};
use std::sync::Arc;

impl VM {
    #[inline(never)]
    pub(super) fn exec_concat(&mut self, next: Option<Op>) -> Result<(), Trap> {
        let b = self.pop();
        let a = self.pop();
        let result = self.concat_push(a, &b, next);
        b.discard();
        result
    }

    /// `ConcatConst(c)`: `load_const c; concat` without the constant's copy (for a string,
    /// an atomic count up and down). An error comes with the offset of the covered op that
    /// reports it: 0 (`load_const`: `c` is not in the pool) or 1 (`concat`).
    #[inline(never)]
    pub(super) fn exec_concat_const(&mut self, c: u16, next: Option<Op>) -> Result<(), (Trap, usize)> {
        // Moved out of the pool for the duration, so the pool is not borrowed while the
        // concatenation changes the stack and slots; nothing reads the pool meanwhile.
        let Some(b) = self.chunk.constants.get_mut(c as usize).map(std::mem::take) else {
            return self.exec_load_const(c).map_err(|trap| (trap, 0));
        };
        let a = self.pop();
        let result = self.concat_push(a, &b, next);
        if let Some(place) = self.chunk.constants.get_mut(c as usize) {
            *place = b;
        }
        result.map_err(|trap| (trap, 1))
    }

    /// `SlotAppendConst` / `SlotAppendSlot` when the append cannot be made in place: the
    /// covered ops (`get_slot s; <push_tail>; concat; set_slot s`) one by one, an error with
    /// the offset of the op that reports it.
    #[cold]
    #[inline(never)]
    pub(super) fn slot_append_by_ops(
        &mut self,
        s: u16,
        push_tail: impl FnOnce(&mut Self) -> Result<(), Trap>,
    ) -> Result<(), (Trap, usize)> {
        self.exec_get_slot(s);
        push_tail(self).map_err(|trap| (trap, 1))?;
        self.exec_concat(Some(Op::SetSlot(s))).map_err(|trap| (trap, 2))?;
        let v = self.pop();
        self.set_slot(s, v);
        Ok(())
    }

    /// Pushes `a . b` (`Concat`'s work once its operands are popped).
    fn concat_push(&mut self, mut a: Value, b: &Value, next: Option<Op>) -> Result<(), Trap> {
        self.check_str_form(&a)?;
        self.check_str_form(b)?;
        let b_text = b.as_str_cow();
        if let Value::Str(sa) = &a {
            self.check_string_len(sa.len().saturating_add(b_text.len()))?;
            self.release_store_target(sa, next);
        }
        if let Value::Str(sa) = &mut a {
            if let Some(s) = Arc::get_mut(sa) {
                s.push_str(&b_text);
                drop(b_text);
                self.stack.push(a);
                return Ok(());
            }
        }
        let len = a.str_form_len().saturating_add(b_text.len());
        self.check_string_len(len)?;
        // The result goes into the string the next op is about to overwrite, when nobody
        // else holds it (`k = str(i) . ""` in a loop allocates nothing); otherwise into one
        // new allocation, the left operand's string form written straight into it.
        let mut out = match self.take_unique_store_target(next) {
            Some(reused) => reused,
            None => Arc::new(String::with_capacity(len)),
        };
        match Arc::get_mut(&mut out) {
            Some(text) => {
                text.clear();
                a.write_str_to(text);
                text.push_str(&b_text);
            }
            None => {
                let mut text = String::with_capacity(len);
                a.write_str_to(&mut text);
                text.push_str(&b_text);
                out = Arc::new(text);
            }
        }
        drop(b_text);
        a.discard();
        self.stack.push(Value::Str(out));
        Ok(())
    }

    /// The string in the slot or global that `next` (a `SetSlot` / `SetVar`) overwrites,
    /// taken out when nobody else holds it, so its buffer can hold the new value. The
    /// place reads `Undef` until the store: nothing runs in between.
    fn take_unique_store_target(&mut self, next: Option<Op>) -> Option<Arc<String>> {
        let target = match next {
            Some(Op::SetSlot(slot)) => self.slot_mut(slot)?,
            Some(Op::SetVar(g)) => self.globals.get_mut(g as usize)?,
            _ => return None,
        };
        let unique =
            matches!(target, Value::Str(held) if Arc::strong_count(held) == 1 && Arc::weak_count(held) == 0);
        if !unique {
            return None;
        }
        match std::mem::take(target) {
            Value::Str(held) => Some(held),
            other => {
                *target = other;
                None
            }
        }
    }

    /// `SlotAppendConst`: appends string constant `c` to the string in slot `s` in place
    /// when nobody else holds it (`Ok(true)`); `Ok(false)` when that is not the case (the
    /// caller runs the covered ops instead). Equal to `get_slot; load_const; concat;
    /// set_slot`, whose `concat` releases the slot's reference before appending.
    #[inline]
    pub(super) fn slot_append_const(&mut self, s: u16, c: u16) -> Result<bool, Trap> {
        let Some(Value::Str(tail)) = self.chunk.constants.get(c as usize) else {
            return Ok(false);
        };
        // The field, not `slot_mut`: the constant stays borrowed.
        let Some(Value::Str(head)) = self.slots.get_mut(self.base + s as usize) else {
            return Ok(false);
        };
        let len = head.len().saturating_add(tail.len());
        if len > self.limits.max_string_len {
            return self.check_string_len(len).map(|()| false);
        }
        match Arc::get_mut(head) {
            Some(text) => {
                text.push_str(tail);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// `SlotAppendSlot`: appends the string form of slot `t` to the string in slot `s` in
    /// place when nobody else holds it and the result is within the string limit (true);
    /// false otherwise, and the caller runs the covered ops (`get_slot s; get_slot t;
    /// concat; set_slot s`), whose `concat` gives the same result or reports the error.
    #[inline]
    pub(super) fn slot_append_slot(&mut self, s: u16, t: u16) -> bool {
        static UNDEF: Value = Value::Undef;
        if s == t {
            return false;
        }
        // Moved out while the tail slot is read (a move: no reference count changes).
        let head_at = self.base + s as usize;
        let Some(mut head) = self.slot_mut(s).map(std::mem::take) else {
            return false;
        };
        let tail = self.slot_ref(t).unwrap_or(&UNDEF);
        let appended = match &mut head {
            Value::Str(text) => {
                let len = text.len().saturating_add(tail.str_form_len());
                match Arc::get_mut(text) {
                    Some(text) if len <= self.limits.max_string_len => {
                        tail.write_str_to(text);
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        if let Some(place) = self.slots.get_mut(head_at) {
            *place = head;
        }
        appended
    }

    /// If `next` stores into the slot or global that holds `s`, drop that reference now.
    fn release_store_target(&mut self, s: &Arc<String>, next: Option<Op>) {
        let target = match next {
            Some(Op::SetSlot(slot)) => self.slot_mut(slot),
            Some(Op::SetVar(g)) => self.globals.get_mut(g as usize),
            _ => None,
        };
        if let Some(v) = target {
            if matches!(v, Value::Str(held) if Arc::ptr_eq(held, s)) {
                *v = Value::Undef;
            }
        }
    }

    /// `[s, n] -> [Str]`: `str(s)` repeated `max(n, 0)` times, within the string limit.
    #[inline(never)]
    pub(super) fn exec_string_repeat(&mut self) -> Result<(), Trap> {
        let n = self.pop().to_int();
        let s = self.pop();
        self.check_str_form(&s)?;
        let text = s.as_str_cow();
        let times = n.max(0) as u64;
        let len = (text.len() as u64).saturating_mul(times);
        self.check_string_len(usize::try_from(len).unwrap_or(usize::MAX))?;
        let out = text.repeat(times as usize);
        drop(text);
        self.stack.push(Value::Str(Arc::new(out)));
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_string_len(&mut self) {
        let v = self.pop();
        self.stack.push(Value::Int(v.len() as i64));
    }
}
