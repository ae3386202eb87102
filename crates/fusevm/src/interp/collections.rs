//! Arrays, hashes and ranges: global containers (`Array*`, `Hash*`), arrays held in slots
//! (`SlotArray*`), and the constructors `MakeArray`, `MakeHash`, `Range`, `RangeStep`.
//!
//! Containers are mutated in place. A mutation of a global or slot that does not hold the
//! right container is dropped silently (upstream). Stores with a negative index and growth
//! past `Limits::max_collection_len` are errors (upstream panics or aborts: quirk B8).

use super::VM;
use crate::error::{ErrorKind, Trap};
use crate::Value;

impl VM {
    /// Stores `v` at `index` of `arr`, growing it with `Undef`.
    fn store_index(limit: usize, arr: &mut Vec<Value>, index: i64, v: Value) -> Result<(), Trap> {
        if index < 0 {
            return Err(Trap::new(
                ErrorKind::BadIndex,
                format!("negative array index {index} in a store"),
            ));
        }
        let i = index as u64;
        if i >= limit as u64 {
            return Err(Trap::new(
                ErrorKind::CollectionTooLarge,
                format!("array index {index} exceeds the limit of {limit} elements"),
            ));
        }
        let i = i as usize;
        if i >= arr.len() {
            arr.resize(i, Value::Undef);
            arr.push(v);
        } else {
            arr[i] = v;
        }
        Ok(())
    }

    /// Element `index` of an array value (`Undef` if absent, negative, or not an array).
    fn element(container: &Value, index: i64) -> Value {
        match container {
            Value::Array(a) if index >= 0 => a.get(index as usize).cloned().unwrap_or_default(),
            _ => Value::Undef,
        }
    }

    #[inline(never)]
    pub(super) fn exec_slot_array_get(&mut self, s: u16) {
        let i = self.pop().to_int();
        let v = Self::element(self.slot(s), i);
        self.stack.push(v);
    }

    #[inline(never)]
    pub(super) fn exec_slot_array_set(&mut self, s: u16) -> Result<(), Trap> {
        let i = self.pop().to_int();
        let v = self.pop();
        let limit = self.limits.max_collection_len;
        match self.slots.get_mut(s as usize) {
            Some(Value::Array(a)) => Self::store_index(limit, a, i, v),
            _ => Ok(()),
        }
    }

    #[inline(never)]
    pub(super) fn exec_array_get(&mut self, g: u16) {
        let i = self.pop().to_int();
        let v = Self::element(self.global(g), i);
        self.stack.push(v);
    }

    #[inline(never)]
    pub(super) fn exec_array_set(&mut self, g: u16) -> Result<(), Trap> {
        let i = self.pop().to_int();
        let v = self.pop();
        let limit = self.limits.max_collection_len;
        match self.global_mut(g) {
            Value::Array(a) => Self::store_index(limit, a, i, v),
            _ => Ok(()),
        }
    }

    #[inline(never)]
    pub(super) fn exec_array_push(&mut self, g: u16) -> Result<(), Trap> {
        let v = self.pop();
        let limit = self.limits.max_collection_len;
        if let Some(Value::Array(a)) = self.globals.get_mut(g as usize) {
            if a.len() >= limit {
                return Err(Trap::new(
                    ErrorKind::CollectionTooLarge,
                    format!("array push exceeds the limit of {limit} elements"),
                ));
            }
            a.push(v);
        }
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_array_pop(&mut self, g: u16) {
        let v = match self.globals.get_mut(g as usize) {
            Some(Value::Array(a)) => a.pop().unwrap_or_default(),
            _ => Value::Undef,
        };
        self.stack.push(v);
    }

    #[inline(never)]
    pub(super) fn exec_array_shift(&mut self, g: u16) {
        let v = match self.globals.get_mut(g as usize) {
            Some(Value::Array(a)) if !a.is_empty() => a.remove(0),
            _ => Value::Undef,
        };
        self.stack.push(v);
    }

    #[inline(never)]
    pub(super) fn exec_array_len(&mut self, g: u16) {
        let n = match self.global(g) {
            Value::Array(a) => a.len() as i64,
            _ => 0,
        };
        self.stack.push(Value::Int(n));
    }

    /// Pops the top `min(n, depth)` values in push order.
    fn pop_n(&mut self, n: usize) -> Vec<Value> {
        let at = self.stack.len().saturating_sub(n);
        self.stack.split_off(at)
    }

    #[inline(never)]
    pub(super) fn exec_make_array(&mut self, n: u16) -> Result<(), Trap> {
        self.check_collection_len((n as usize).min(self.stack.len()) as u128)?;
        let items = self.pop_n(n as usize);
        self.stack.push(Value::array(items));
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_hash_get(&mut self, g: u16) {
        let k = self.pop();
        let v = match self.global(g) {
            Value::Hash(h) => h.get(k.as_str_cow().as_ref()).cloned().unwrap_or_default(),
            _ => Value::Undef,
        };
        self.stack.push(v);
    }

    #[inline(never)]
    pub(super) fn exec_hash_set(&mut self, g: u16) -> Result<(), Trap> {
        let k = self.pop();
        let v = self.pop();
        let limit = self.limits.max_collection_len;
        if let Value::Hash(h) = self.global_mut(g) {
            let key = k.as_str_cow();
            if let Some(slot) = h.get_mut(key.as_ref()) {
                *slot = v;
            } else {
                if h.len() >= limit {
                    return Err(Trap::new(
                        ErrorKind::CollectionTooLarge,
                        format!("hash insert exceeds the limit of {limit} entries"),
                    ));
                }
                h.insert(key.into_owned(), v);
            }
        }
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_hash_delete(&mut self, g: u16) {
        let k = self.pop();
        let v = match self.globals.get_mut(g as usize) {
            Some(Value::Hash(h)) => h.remove(k.as_str_cow().as_ref()).unwrap_or_default(),
            _ => Value::Undef,
        };
        self.stack.push(v);
    }

    #[inline(never)]
    pub(super) fn exec_hash_exists(&mut self, g: u16) {
        let k = self.pop();
        let found = matches!(self.global(g), Value::Hash(h) if h.contains_key(k.as_str_cow().as_ref()));
        self.stack.push(Value::Bool(found));
    }

    #[inline(never)]
    pub(super) fn exec_hash_keys(&mut self, g: u16) {
        let keys = match self.global(g) {
            Value::Hash(h) => h.keys().map(|k| Value::str(k.as_str())).collect(),
            _ => Vec::new(),
        };
        self.stack.push(Value::array(keys));
    }

    #[inline(never)]
    pub(super) fn exec_hash_values(&mut self, g: u16) {
        let values = match self.global(g) {
            Value::Hash(h) => h.values().cloned().collect(),
            _ => Vec::new(),
        };
        self.stack.push(Value::array(values));
    }

    /// `MakeHash(n)` pairs `n` stack *items*; an odd trailing key is dropped (upstream C7).
    #[inline(never)]
    pub(super) fn exec_make_hash(&mut self, n: u16) -> Result<(), Trap> {
        self.check_collection_len(((n as usize).min(self.stack.len()) / 2) as u128)?;
        let items = self.pop_n(n as usize);
        let mut map = crate::value::ValueMap::default();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            map.insert(k.to_str(), v);
        }
        self.stack.push(Value::Hash(Box::new(map)));
        Ok(())
    }

    /// `[from, to] -> [Array]`, inclusive; bounded by the collection limit.
    #[inline(never)]
    pub(super) fn exec_range(&mut self) -> Result<(), Trap> {
        let to = self.pop().to_int();
        let from = self.pop().to_int();
        let count = if from > to {
            0
        } else {
            (to as i128 - from as i128 + 1) as u128
        };
        self.check_collection_len(count)?;
        let items = (from..=to).map(Value::Int).take(count as usize).collect();
        self.stack.push(Value::array(items));
        Ok(())
    }

    /// `[from, to, step] -> [Array]`; step 0 gives an empty array.
    #[inline(never)]
    pub(super) fn exec_range_step(&mut self) -> Result<(), Trap> {
        let step = self.pop().to_int() as i128;
        let to = self.pop().to_int() as i128;
        let from = self.pop().to_int() as i128;
        let count: u128 = match step {
            0 => 0,
            s if s > 0 && from <= to => ((to - from) / s + 1) as u128,
            s if s < 0 && from >= to => ((from - to) / -s + 1) as u128,
            _ => 0,
        };
        self.check_collection_len(count)?;
        let items = (0..count as i128)
            .map(|k| Value::Int((from + k * step) as i64))
            .collect();
        self.stack.push(Value::array(items));
        Ok(())
    }
}
