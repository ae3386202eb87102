//! The workloads as fusevm bytecode, with the result a correct run returns (computed here in
//! plain Rust, never read off the VM) and the work units one run performs. Shared by the
//! criterion benches (`mod.rs`) and the peer-comparison runner (`bench/peers/fusevm-runner`,
//! which includes this file by path), so both time the very same programs.
//!
//! Programs are written the way a simple compiler would emit them: locals in frame slots,
//! `while` loops as `top: cond; JumpIfFalse exit; body; Jump top`, functions as inline
//! regions entered with `Call` and left with `ReturnValue`. The `fused` variants replace
//! part of that with the public fused op a peephole pass would pick.

// Each user takes only some of the programs.
#![allow(dead_code)]

use fusevm::{Chunk, ChunkBuilder, Op, Value};

/// One benchmark program.
pub struct Program {
    /// Criterion's function id inside the group.
    pub name: &'static str,
    pub chunk: Chunk,
    /// What `VM::run` must return.
    pub expected: Value,
    /// Work units one run performs; criterion divides by it.
    pub units: u64,
}

// ------------------------------------------------------------------------- emitting helpers

/// Slot numbers used by the programs below.
const I: u16 = 0;
const J: u16 = 1;
const S: u16 = 2;
const A: u16 = 3;
const B: u16 = 4;
const T: u16 = 5;
const K: u16 = 6;

/// A `ChunkBuilder` with the few shapes the programs repeat.
struct Asm {
    b: ChunkBuilder,
}

impl Asm {
    fn new() -> Self {
        Asm {
            b: ChunkBuilder::new(),
        }
    }

    fn op(&mut self, op: Op) -> usize {
        self.b.emit(op, 1)
    }

    fn ops(&mut self, ops: &[Op]) {
        for &op in ops {
            self.op(op);
        }
    }

    fn here(&self) -> usize {
        self.b.current_pos()
    }

    /// Points the jump at `at` to the next op to be emitted.
    fn patch_here(&mut self, at: usize) {
        let target = self.here();
        self.b.patch_jump(at, target);
    }

    /// `slot = n`
    fn set_int(&mut self, slot: u16, n: i64) {
        self.ops(&[Op::LoadInt(n), Op::SetSlot(slot)]);
    }

    /// `slot = slot + 1` with generic ops.
    fn inc(&mut self, slot: u16) {
        self.ops(&[Op::GetSlot(slot), Op::LoadInt(1), Op::Add, Op::SetSlot(slot)]);
    }

    /// `top: if !(slot < limit) goto exit`; returns `(top, index of the exit jump)`.
    fn while_lt(&mut self, slot: u16, limit: i64) -> (usize, usize) {
        let top = self.here();
        self.ops(&[Op::GetSlot(slot), Op::LoadInt(limit), Op::NumLt]);
        let exit = self.op(Op::JumpIfFalse(0));
        (top, exit)
    }

    /// Closes a `while_lt` loop: jump back to `top`, then patch the exit to land here.
    fn end_while(&mut self, (top, exit): (usize, usize)) {
        self.op(Op::Jump(top));
        self.patch_here(exit);
    }

    fn build(self) -> Chunk {
        self.b.build()
    }
}

/// `0 + 1 + ... + (n - 1)`
fn triangle(n: i64) -> i64 {
    n * (n - 1) / 2
}

/// The fused ops take their loop limit as `i32`.
fn limit32(n: i64) -> i32 {
    i32::try_from(n).expect("bench sizes fit in i32")
}

// ------------------------------------------------------------------------------- loops

/// `s = 0; i = 0; while i < n { s = s + i; i = i + 1 }; s` with generic ops only.
pub fn loop_sum(n: i64) -> Program {
    let mut a = Asm::new();
    a.set_int(S, 0);
    a.set_int(I, 0);
    let lp = a.while_lt(I, n);
    a.ops(&[Op::GetSlot(S), Op::GetSlot(I), Op::Add, Op::SetSlot(S)]);
    a.inc(I);
    a.end_while(lp);
    a.op(Op::GetSlot(S));
    Program {
        name: "unfused",
        chunk: a.build(),
        expected: Value::Int(triangle(n)),
        units: n as u64,
    }
}

/// The same sum as a do-while whose increment, test and backward jump are one
/// `SlotIncLtIntJumpBack` (needs `n >= 1`).
pub fn loop_sum_fused_backedge(n: i64) -> Program {
    let mut a = Asm::new();
    a.set_int(S, 0);
    a.set_int(I, 0);
    let body = a.here();
    a.ops(&[Op::GetSlot(S), Op::GetSlot(I), Op::Add, Op::SetSlot(S)]);
    a.op(Op::SlotIncLtIntJumpBack(I, limit32(n), body));
    a.op(Op::GetSlot(S));
    Program {
        name: "fused_backedge",
        chunk: a.build(),
        expected: Value::Int(triangle(n)),
        units: n as u64,
    }
}

/// The whole loop as one `AccumSumLoop`.
pub fn loop_sum_accum(n: i64) -> Program {
    let mut a = Asm::new();
    a.set_int(S, 0);
    a.set_int(I, 0);
    a.op(Op::AccumSumLoop(S, I, limit32(n)));
    a.op(Op::GetSlot(S));
    Program {
        name: "accum_sum_loop",
        chunk: a.build(),
        expected: Value::Int(triangle(n)),
        units: n as u64,
    }
}

/// `s = 0; for i < n { for j < n { s = s + i * j } }; s`, generic ops. Unit: inner iteration.
pub fn nested_loop(n: i64) -> Program {
    let mut a = Asm::new();
    a.set_int(S, 0);
    a.set_int(I, 0);
    let outer = a.while_lt(I, n);
    a.set_int(J, 0);
    let inner = a.while_lt(J, n);
    a.ops(&[
        Op::GetSlot(S),
        Op::GetSlot(I),
        Op::GetSlot(J),
        Op::Mul,
        Op::Add,
        Op::SetSlot(S),
    ]);
    a.inc(J);
    a.end_while(inner);
    a.inc(I);
    a.end_while(outer);
    a.op(Op::GetSlot(S));
    let t = triangle(n);
    Program {
        name: "nested_loop",
        chunk: a.build(),
        expected: Value::Int(t * t),
        units: (n * n) as u64,
    }
}

/// `reps` passes over `width` `Nop`s closed by a fused backedge: the cost of dispatching
/// one op. Unit: `Nop` executed. Returns the pass counter.
pub fn dispatch_nop(width: usize, reps: i64) -> Program {
    let mut a = Asm::new();
    a.set_int(I, 0);
    let body = a.here();
    for _ in 0..width {
        a.op(Op::Nop);
    }
    a.op(Op::SlotIncLtIntJumpBack(I, limit32(reps), body));
    a.op(Op::GetSlot(I));
    Program {
        name: "nop",
        chunk: a.build(),
        expected: Value::Int(reps),
        units: width as u64 * reps as u64,
    }
}

// ------------------------------------------------------------------------------- calls

/// Emits `fib(n)` (`n < 2 ? n : fib(n-1) + fib(n-2)`) after the top-level `Call`.
fn emit_fib(a: &mut Asm, n: i64) {
    let fib = a.b.add_name("fib");
    a.ops(&[Op::LoadInt(n), Op::Call(fib, 1)]);
    let skip = a.op(Op::Jump(0));
    let entry = a.here();
    a.b.add_sub_entry(fib, entry);
    a.ops(&[Op::SetSlot(0), Op::GetSlot(0), Op::LoadInt(2), Op::NumLt]);
    let recurse = a.op(Op::JumpIfFalse(0));
    a.ops(&[Op::GetSlot(0), Op::ReturnValue]);
    a.patch_here(recurse);
    a.ops(&[Op::GetSlot(0), Op::LoadInt(1), Op::Sub, Op::Call(fib, 1)]);
    a.ops(&[Op::GetSlot(0), Op::LoadInt(2), Op::Sub, Op::Call(fib, 1)]);
    a.ops(&[Op::Add, Op::ReturnValue]);
    a.patch_here(skip);
}

/// `(fib(n), number of calls)` by the same recursion, in Rust.
fn fib_reference(n: i64) -> (i64, u64) {
    if n < 2 {
        return (n, 1);
    }
    let (x, cx) = fib_reference(n - 1);
    let (y, cy) = fib_reference(n - 2);
    (x + y, cx + cy + 1)
}

/// Recursive Fibonacci. Unit: call.
pub fn fib_recursive(n: i64) -> Program {
    let mut a = Asm::new();
    emit_fib(&mut a, n);
    let (value, calls) = fib_reference(n);
    Program {
        name: "fib_recursive",
        chunk: a.build(),
        expected: Value::Int(value),
        units: calls,
    }
}

/// Iterative Fibonacci with wrapping `Add` (the VM's `Int + Int` wraps), so any `n` works.
/// Unit: iteration.
pub fn fib_iterative(n: i64) -> Program {
    let mut a = Asm::new();
    a.set_int(A, 0);
    a.set_int(B, 1);
    a.set_int(I, 0);
    let lp = a.while_lt(I, n);
    a.ops(&[Op::GetSlot(A), Op::GetSlot(B), Op::Add, Op::SetSlot(T)]);
    a.ops(&[Op::GetSlot(B), Op::SetSlot(A), Op::GetSlot(T), Op::SetSlot(B)]);
    a.inc(I);
    a.end_while(lp);
    a.op(Op::GetSlot(A));
    let (mut x, mut y) = (0i64, 1i64);
    for _ in 0..n {
        (x, y) = (y, x.wrapping_add(y));
    }
    Program {
        name: "fib_iterative",
        chunk: a.build(),
        expected: Value::Int(x),
        units: n as u64,
    }
}

/// `(ack(m, n), number of calls)` in Rust.
fn ack_reference(m: i64, n: i64, calls: &mut u64) -> i64 {
    *calls += 1;
    if m == 0 {
        n + 1
    } else if n == 0 {
        ack_reference(m - 1, 1, calls)
    } else {
        let inner = ack_reference(m, n - 1, calls);
        ack_reference(m - 1, inner, calls)
    }
}

/// Ackermann: two-argument calls, deep recursion. Unit: call.
pub fn ackermann(m: i64, n: i64) -> Program {
    let mut a = Asm::new();
    let ack = a.b.add_name("ack");
    a.ops(&[Op::LoadInt(m), Op::LoadInt(n), Op::Call(ack, 2)]);
    let skip = a.op(Op::Jump(0));
    let entry = a.here();
    a.b.add_sub_entry(ack, entry);
    // The last argument is on top: n into slot 1, then m into slot 0.
    a.ops(&[Op::SetSlot(1), Op::SetSlot(0)]);
    a.ops(&[Op::GetSlot(0), Op::LoadInt(0), Op::NumEq]);
    let m_nonzero = a.op(Op::JumpIfFalse(0));
    a.ops(&[Op::GetSlot(1), Op::LoadInt(1), Op::Add, Op::ReturnValue]);
    a.patch_here(m_nonzero);
    a.ops(&[Op::GetSlot(1), Op::LoadInt(0), Op::NumEq]);
    let n_nonzero = a.op(Op::JumpIfFalse(0));
    a.ops(&[
        Op::GetSlot(0),
        Op::LoadInt(1),
        Op::Sub,
        Op::LoadInt(1),
        Op::Call(ack, 2),
        Op::ReturnValue,
    ]);
    a.patch_here(n_nonzero);
    a.ops(&[Op::GetSlot(0), Op::LoadInt(1), Op::Sub]);
    a.ops(&[
        Op::GetSlot(0),
        Op::GetSlot(1),
        Op::LoadInt(1),
        Op::Sub,
        Op::Call(ack, 2),
    ]);
    a.ops(&[Op::Call(ack, 2), Op::ReturnValue]);
    a.patch_here(skip);
    let mut calls = 0;
    let value = ack_reference(m, n, &mut calls);
    Program {
        name: "ackermann",
        chunk: a.build(),
        expected: Value::Int(value),
        units: calls,
    }
}

/// `s = 0; for i < n { s = s + id(i) }` where `id(x) = x`: the cost of one
/// `Call` + `ReturnValue` round trip inside a fused loop. Unit: call.
pub fn call_loop(n: i64) -> Program {
    let mut a = Asm::new();
    let id = a.b.add_name("id");
    a.set_int(S, 0);
    a.set_int(I, 0);
    let body = a.here();
    a.ops(&[
        Op::GetSlot(S),
        Op::GetSlot(I),
        Op::Call(id, 1),
        Op::Add,
        Op::SetSlot(S),
    ]);
    a.op(Op::SlotIncLtIntJumpBack(I, limit32(n), body));
    a.op(Op::GetSlot(S));
    let skip = a.op(Op::Jump(0));
    let entry = a.here();
    a.b.add_sub_entry(id, entry);
    a.ops(&[Op::SetSlot(0), Op::GetSlot(0), Op::ReturnValue]);
    a.patch_here(skip);
    Program {
        name: "identity_call",
        chunk: a.build(),
        expected: Value::Int(triangle(n)),
        units: n as u64,
    }
}

// ------------------------------------------------------------------------ strings, collections

/// `s = ""; for i < n { s = s . piece }; s` with `Concat` + `SetSlot`. Unit: append.
pub fn string_build(n: i64, piece: &str) -> Program {
    append_loop("concat_unfused", n, piece, false)
}

/// `t = piece; s = ""; for i < n { s = s . t }; s` with the piece in a slot: plain
/// `get_slot; get_slot; concat; set_slot`. Unit: append.
pub fn string_build_from_slot(n: i64, piece: &str) -> Program {
    append_loop("concat_slot_unfused", n, piece, true)
}

/// The append loop of the two above: the piece is the constant itself or slot `T`.
fn append_loop(name: &'static str, n: i64, piece: &str, from_slot: bool) -> Program {
    let mut a = Asm::new();
    let empty = a.b.add_constant(Value::str(""));
    let c = a.b.add_constant(Value::str(piece));
    a.ops(&[Op::LoadConst(empty), Op::SetSlot(S)]);
    let tail = if from_slot {
        a.ops(&[Op::LoadConst(c), Op::SetSlot(T)]);
        Op::GetSlot(T)
    } else {
        Op::LoadConst(c)
    };
    a.set_int(I, 0);
    let lp = a.while_lt(I, n);
    a.ops(&[Op::GetSlot(S), tail, Op::Concat, Op::SetSlot(S)]);
    a.inc(I);
    a.end_while(lp);
    a.op(Op::GetSlot(S));
    Program {
        name,
        chunk: a.build(),
        expected: Value::str(piece.repeat(n as usize)),
        units: n as u64,
    }
}

/// The same string built by one `ConcatConstLoop`. Unit: append.
pub fn string_build_fused(n: i64, piece: &str) -> Program {
    let mut a = Asm::new();
    let empty = a.b.add_constant(Value::str(""));
    let c = a.b.add_constant(Value::str(piece));
    a.ops(&[Op::LoadConst(empty), Op::SetSlot(S)]);
    a.set_int(I, 0);
    a.op(Op::ConcatConstLoop(c, S, I, limit32(n)));
    a.op(Op::GetSlot(S));
    let expected = Value::str(piece.repeat(n as usize));
    Program {
        name: "concat_const_loop",
        chunk: a.build(),
        expected,
        units: n as u64,
    }
}

/// `arr = []; for i < n { push(arr, i) }; s = 0; for i < len(arr) { s = s + arr[i] }; s`
/// on a global array. Unit: element (one push and one read).
pub fn array_push_sum(n: i64) -> Program {
    let mut a = Asm::new();
    let arr = a.b.add_name("arr");
    a.op(Op::DeclareArray(arr));
    a.set_int(I, 0);
    let fill = a.while_lt(I, n);
    a.ops(&[Op::GetSlot(I), Op::ArrayPush(arr)]);
    a.inc(I);
    a.end_while(fill);
    a.set_int(S, 0);
    a.set_int(I, 0);
    // Bounded by the array's length, so pushes that went missing show as a wrong sum.
    let top = a.here();
    a.ops(&[Op::GetSlot(I), Op::ArrayLen(arr), Op::NumLt]);
    let exit = a.op(Op::JumpIfFalse(0));
    a.ops(&[
        Op::GetSlot(S),
        Op::GetSlot(I),
        Op::ArrayGet(arr),
        Op::Add,
        Op::SetSlot(S),
    ]);
    a.inc(I);
    a.end_while((top, exit));
    a.op(Op::GetSlot(S));
    Program {
        name: "array_push_sum",
        chunk: a.build(),
        expected: Value::Int(triangle(n)),
        units: n as u64,
    }
}

/// `h = {}; for i < n { k = str(i % keys); h[k] = h[k] + 1 }`, then the sum of the counts
/// over `k = str(0) .. str(keys - 1)` and the number of keys. `str(x)` is `x . ""`.
/// Unit: increment.
///
/// A missing key reads as `Undef`, and `Undef + Int` is a `Float` (the numeric pair rule),
/// so the counts and their sum are `Float`s.
pub fn hash_count(n: i64, keys: i64) -> Program {
    let mut a = Asm::new();
    let h = a.b.add_name("counts");
    let empty = a.b.add_constant(Value::str(""));
    a.op(Op::DeclareHash(h));
    a.set_int(I, 0);
    let count = a.while_lt(I, n);
    a.ops(&[
        Op::GetSlot(I),
        Op::LoadInt(keys),
        Op::Mod,
        Op::LoadConst(empty),
        Op::Concat,
        Op::SetSlot(K),
    ]);
    a.ops(&[Op::GetSlot(K), Op::HashGet(h), Op::LoadInt(1), Op::Add]);
    a.ops(&[Op::GetSlot(K), Op::HashSet(h)]);
    a.inc(I);
    a.end_while(count);
    a.op(Op::LoadFloat(0.0));
    a.op(Op::SetSlot(S));
    a.set_int(I, 0);
    let sum = a.while_lt(I, keys);
    a.ops(&[
        Op::GetSlot(S),
        Op::GetSlot(I),
        Op::LoadConst(empty),
        Op::Concat,
        Op::HashGet(h),
        Op::Add,
    ]);
    a.op(Op::SetSlot(S));
    a.inc(I);
    a.end_while(sum);
    a.ops(&[Op::GetSlot(S), Op::GetHash(h), Op::StringLen, Op::MakeArray(2)]);
    let expected = Value::array(vec![Value::Float(n as f64), Value::Int(keys.min(n))]);
    Program {
        name: "hash_count",
        chunk: a.build(),
        expected,
        units: n as u64,
    }
}
