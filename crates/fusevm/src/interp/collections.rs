//! Arrays, hashes and ranges: global containers (`Array*`, `Hash*`), arrays held in slots
//! (`SlotArray*`), and the constructors `MakeArray`, `MakeHash`, `Range`, `RangeStep`.
//!
//! Containers are mutated in place. A mutation of a global or slot that does not hold the
//! right container is dropped silently (upstream). Stores with a negative index and growth
//! past `Limits::max_collection_len` are errors (upstream panics or aborts: quirk B8), and
//! so is putting a value into a container when that nests containers deeper than
//! [`MAX_NESTING`] or holds more elements than the limit, nested ones included (quirk 12
//! and exponential growth by `Dup`: `docs/security.md`).

use super::VM;
use crate::error::{ErrorKind, Trap};
use crate::Value;

/// Most levels of containers (arrays, hashes, refs) an op may nest. Values are dropped,
/// cloned, printed and compared recursively, so a value nested a million levels deep (a
/// `MakeArray(1)` loop) would overflow the native stack and abort the process (upstream
/// quirk 12); 1000 levels stay far below a 2 MiB thread stack, even in debug builds.
pub(crate) const MAX_NESTING: usize = 1000;

impl VM {
    /// Refuses to put `items` into a container that already holds `top` elements when they
    /// nest containers more than [`MAX_NESTING`] deep, or when `top` plus every element
    /// nested inside `items` exceeds `Limits::max_collection_len`. Counting nested elements
    /// matters because `Dup` copies: `dup; make_array 2` in a loop doubles the deep size per
    /// iteration with every single array at two elements. Iterative, and it stops at the
    /// first excess, so it costs at most the limit (and nothing for plain values).
    fn check_nesting<'a>(&self, top: usize, items: impl Iterator<Item = &'a Value>) -> Result<(), Trap> {
        let limit = self.limits.max_collection_len as u128;
        let mut total = top as u128;
        let mut work: Vec<(&Value, usize)> = Vec::new();
        let is_container = |v: &Value| matches!(v, Value::Array(_) | Value::Hash(_) | Value::Ref(_));
        work.extend(items.filter(|v| is_container(v)).map(|v| (v, 1)));
        while let Some((v, depth)) = work.pop() {
            if depth >= MAX_NESTING {
                return Err(Trap::new(
                    ErrorKind::CollectionTooLarge,
                    format!("values nest more than {MAX_NESTING} containers deep"),
                ));
            }
            let children: Box<dyn Iterator<Item = &Value>> = match v {
                Value::Array(a) => Box::new(a.iter()),
                Value::Hash(h) => Box::new(h.values()),
                Value::Ref(r) => Box::new(std::iter::once(&**r)),
                _ => Box::new(std::iter::empty()),
            };
            for c in children {
                total += 1;
                if total > limit {
                    return Err(Trap::new(
                        ErrorKind::CollectionTooLarge,
                        format!(
                            "collection holds more than {} elements, counting nested ones",
                            self.limits.max_collection_len
                        ),
                    ));
                }
                if is_container(c) {
                    work.push((c, depth + 1));
                }
            }
        }
        Ok(())
    }

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
        Self::element_ref(container, index).cloned().unwrap_or_default()
    }

    /// Element `index` of an array value, borrowed (`None` where `element` gives `Undef`).
    #[inline]
    pub(super) fn element_ref(container: &Value, index: i64) -> Option<&Value> {
        match container {
            Value::Array(a) if index >= 0 => a.get(index as usize),
            _ => None,
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
        // Checked first, reported only if the store happens (a store to a non-array is
        // dropped silently, as upstream).
        let nested = self.check_nesting(0, std::iter::once(&v));
        let limit = self.limits.max_collection_len;
        match self.slot_mut(s) {
            Some(Value::Array(a)) => nested.and_then(|()| Self::store_index(limit, a, i, v)),
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
        let nested = self.check_nesting(0, std::iter::once(&v));
        let limit = self.limits.max_collection_len;
        match self.global_mut(g) {
            Value::Array(a) => nested.and_then(|()| Self::store_index(limit, a, i, v)),
            _ => Ok(()),
        }
    }

    #[inline(never)]
    pub(super) fn exec_array_push(&mut self, g: u16) -> Result<(), Trap> {
        let v = self.pop();
        self.array_push_value(g, v)
    }

    /// `ArrayPush` of `v` (already popped): within the nesting and collection limits.
    #[inline]
    pub(super) fn array_push_value(&mut self, g: u16, v: Value) -> Result<(), Trap> {
        let nested = self.check_nesting(0, std::iter::once(&v));
        let limit = self.limits.max_collection_len;
        if let Some(Value::Array(a)) = self.globals.get_mut(g as usize) {
            nested?;
            if a.len() >= limit {
                return Err(array_push_limit(limit));
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
        self.check_nesting(items.len(), items.iter())?;
        self.stack.push(Value::array(items));
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_hash_get(&mut self, g: u16) -> Result<(), Trap> {
        let k = self.pop();
        self.check_str_form(&k)?;
        let v = match self.global(g) {
            Value::Hash(h) => h.get(k.as_str_cow().as_ref()).cloned().unwrap_or_default(),
            _ => Value::Undef,
        };
        self.stack.push(v);
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_hash_set(&mut self, g: u16) -> Result<(), Trap> {
        let k = self.pop();
        let v = self.pop();
        self.check_str_form(&k)?;
        let nested = self.check_nesting(0, std::iter::once(&v));
        let limit = self.limits.max_collection_len;
        if let Value::Hash(h) = self.global_mut(g) {
            nested?;
            let key = k.as_str_cow();
            if let Some(slot) = h.get_mut(key.as_ref()) {
                *slot = v;
            } else {
                if h.len() >= limit {
                    return Err(hash_insert_limit(limit));
                }
                h.insert(key.into_owned(), v);
            }
        }
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_hash_delete(&mut self, g: u16) -> Result<(), Trap> {
        let k = self.pop();
        self.check_str_form(&k)?;
        let v = match self.globals.get_mut(g as usize) {
            Some(Value::Hash(h)) => h.remove(k.as_str_cow().as_ref()).unwrap_or_default(),
            _ => Value::Undef,
        };
        self.stack.push(v);
        Ok(())
    }

    #[inline(never)]
    pub(super) fn exec_hash_exists(&mut self, g: u16) -> Result<(), Trap> {
        let k = self.pop();
        self.check_str_form(&k)?;
        let found = matches!(self.global(g), Value::Hash(h) if h.contains_key(k.as_str_cow().as_ref()));
        self.stack.push(Value::Bool(found));
        Ok(())
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
        self.check_nesting(items.len() / 2, items.iter().skip(1).step_by(2))?;
        for key in items.iter().step_by(2) {
            self.check_str_form(key)?;
        }
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

#[cold]
fn array_push_limit(limit: usize) -> Trap {
    Trap::new(
        ErrorKind::CollectionTooLarge,
        format!("array push exceeds the limit of {limit} elements"),
    )
}

#[cold]
pub(super) fn hash_insert_limit(limit: usize) -> Trap {
    Trap::new(
        ErrorKind::CollectionTooLarge,
        format!("hash insert exceeds the limit of {limit} entries"),
    )
}
