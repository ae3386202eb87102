//! The superinstruction table: internal fused instructions the VM substitutes for common op
//! sequences when it prepares a chunk (automatic fusion, see [`crate::fusion`]).
//!
//! Unlike the public fused ops of [`crate::Op`] (which a frontend emits itself and whose
//! names and layout are upstream's), these never appear in a `Chunk`: they live only in the
//! VM's prepared code, so adding one changes no public type. Each line declares:
//!
//! ```text
//! /// what it does.
//! Name(field: RustType, ...) = "the op sequence it replaces, in assembly text";
//! Name = "a sequence without operands";
//! ```
//!
//! The template is the single source of truth for the superinstruction: the fusion pass
//! matches it against a chunk's ops (`{N}` binds field N, which must fit the field's type;
//! a repeated `{N}` must hold the same operand everywhere), the interpreter's dispatch is
//! an exhaustive `match` that fails the build until a new line is handled, and the test
//! suite runs every superinstruction against its template on many inputs.
//!
//! Order matters: at each position the longest matching template wins, and among equally
//! long ones the first line.

/// Expands `$callback! { [ $($prefix)* ] ...the table... }`.
macro_rules! for_each_superinstruction {
    ($callback:ident [ $($prefix:tt)* ]) => {
        $callback! {
            [ $($prefix)* ]
            // ---- loop heads: slot compared with an integer constant, then a branch ------
            /// `if !(slots[s] < k) goto t` (a `while s < k` head).
            SlotIntLtJumpIfFalse(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_lt; jump_if_false {2}";
            /// `if !(slots[s] <= k) goto t`.
            SlotIntLeJumpIfFalse(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_le; jump_if_false {2}";
            /// `if !(slots[s] > k) goto t`.
            SlotIntGtJumpIfFalse(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_gt; jump_if_false {2}";
            /// `if !(slots[s] >= k) goto t`.
            SlotIntGeJumpIfFalse(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_ge; jump_if_false {2}";
            /// `if !(slots[s] == k) goto t`.
            SlotIntEqJumpIfFalse(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_eq; jump_if_false {2}";
            /// `if !(slots[s] != k) goto t`.
            SlotIntNeJumpIfFalse(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_ne; jump_if_false {2}";
            /// `if slots[s] < k goto t` (a do-while back-edge).
            SlotIntLtJumpIfTrue(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_lt; jump_if_true {2}";
            /// `if slots[s] <= k goto t`.
            SlotIntLeJumpIfTrue(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_le; jump_if_true {2}";
            /// `if slots[s] > k goto t`.
            SlotIntGtJumpIfTrue(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_gt; jump_if_true {2}";
            /// `if slots[s] >= k goto t`.
            SlotIntGeJumpIfTrue(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_ge; jump_if_true {2}";
            /// `if slots[s] == k goto t`.
            SlotIntEqJumpIfTrue(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_eq; jump_if_true {2}";
            /// `if slots[s] != k goto t`.
            SlotIntNeJumpIfTrue(slot: u16, k: i32, target: u32) = "get_slot {0}; load_int {1}; num_ne; jump_if_true {2}";

            // ---- two slots compared, then a branch ----------------------------------------
            /// `if !(slots[a] < slots[b]) goto t`.
            SlotSlotLtJumpIfFalse(a: u16, b: u16, target: u32) = "get_slot {0}; get_slot {1}; num_lt; jump_if_false {2}";
            /// `if !(slots[a] <= slots[b]) goto t`.
            SlotSlotLeJumpIfFalse(a: u16, b: u16, target: u32) = "get_slot {0}; get_slot {1}; num_le; jump_if_false {2}";
            /// `if !(slots[a] > slots[b]) goto t`.
            SlotSlotGtJumpIfFalse(a: u16, b: u16, target: u32) = "get_slot {0}; get_slot {1}; num_gt; jump_if_false {2}";
            /// `if !(slots[a] >= slots[b]) goto t`.
            SlotSlotGeJumpIfFalse(a: u16, b: u16, target: u32) = "get_slot {0}; get_slot {1}; num_ge; jump_if_false {2}";
            /// `if !(slots[a] == slots[b]) goto t`.
            SlotSlotEqJumpIfFalse(a: u16, b: u16, target: u32) = "get_slot {0}; get_slot {1}; num_eq; jump_if_false {2}";
            /// `if !(slots[a] != slots[b]) goto t`.
            SlotSlotNeJumpIfFalse(a: u16, b: u16, target: u32) = "get_slot {0}; get_slot {1}; num_ne; jump_if_false {2}";

            // ---- slot arithmetic stored to a slot -----------------------------------------
            /// `slots[d] = slots[a] + slots[b]`.
            SlotSlotAddToSlot(a: u16, b: u16, dst: u16) = "get_slot {0}; get_slot {1}; add; set_slot {2}";
            /// `slots[d] = slots[a] - slots[b]`.
            SlotSlotSubToSlot(a: u16, b: u16, dst: u16) = "get_slot {0}; get_slot {1}; sub; set_slot {2}";
            /// `slots[d] = slots[a] * slots[b]`.
            SlotSlotMulToSlot(a: u16, b: u16, dst: u16) = "get_slot {0}; get_slot {1}; mul; set_slot {2}";
            /// `slots[d] = slots[a] + k; goto t` (a loop's `i += 1` and its back-edge).
            SlotIntAddToSlotJump(slot: u16, k: i32, dst: u16, target: u32) = "get_slot {0}; load_int {1}; add; set_slot {2}; jump {3}";
            /// `slots[d] = slots[a] + k` (`i += 1`).
            SlotIntAddToSlot(slot: u16, k: i32, dst: u16) = "get_slot {0}; load_int {1}; add; set_slot {2}";
            /// `slots[d] = slots[a] - k`.
            SlotIntSubToSlot(slot: u16, k: i32, dst: u16) = "get_slot {0}; load_int {1}; sub; set_slot {2}";
            /// `slots[d] = slots[a] * k`.
            SlotIntMulToSlot(slot: u16, k: i32, dst: u16) = "get_slot {0}; load_int {1}; mul; set_slot {2}";

            /// `slots[d] = slots[d] + slots[a] * slots[b]` (multiply-accumulate: `s += i * j`).
            SlotMulAccumulate(dst: u16, a: u16, b: u16) = "get_slot {0}; get_slot {1}; get_slot {2}; mul; add; set_slot {0}";

            // ---- slot arithmetic pushed ---------------------------------------------------
            /// `[] -> [slots[a] + slots[b]]`.
            SlotSlotAdd(a: u16, b: u16) = "get_slot {0}; get_slot {1}; add";
            /// `[] -> [slots[a] - slots[b]]`.
            SlotSlotSub(a: u16, b: u16) = "get_slot {0}; get_slot {1}; sub";
            /// `[] -> [slots[a] * slots[b]]`.
            SlotSlotMul(a: u16, b: u16) = "get_slot {0}; get_slot {1}; mul";
            /// `[] -> [slots[s] + k]` (`n + 1` as an argument).
            SlotIntAdd(slot: u16, k: i32) = "get_slot {0}; load_int {1}; add";
            /// `[] -> [slots[s] - k]` (`n - 1` as an argument).
            SlotIntSub(slot: u16, k: i32) = "get_slot {0}; load_int {1}; sub";
            /// `[] -> [slots[s] * k]`.
            SlotIntMul(slot: u16, k: i32) = "get_slot {0}; load_int {1}; mul";
            /// `[] -> [slots[s] % k]` (`i % 1000`, `n % 2`).
            SlotIntMod(slot: u16, k: i32) = "get_slot {0}; load_int {1}; mod";

            // ---- stack arithmetic stored, constants stored --------------------------------
            /// `[a, b] -> []`, `slots[d] = a + b` (`s += expr`).
            AddToSlot(dst: u16) = "add; set_slot {0}";
            /// `[a, b] -> []`, `slots[d] = a - b`.
            SubToSlot(dst: u16) = "sub; set_slot {0}";
            /// `[a, b] -> []`, `slots[d] = a * b`.
            MulToSlot(dst: u16) = "mul; set_slot {0}";
            /// `slots[d] = n` (`j = 0`).
            LoadIntToSlot(value: i64, dst: u16) = "load_int {0}; set_slot {1}";

            // ---- function entry and exit ----------------------------------------------------
            /// `[.., x, y] -> [..]`, `slots[a] = y; slots[b] = x` (a function taking its arguments).
            SetSlotPair(a: u16, b: u16) = "set_slot {0}; set_slot {1}";
            /// `return slots[s]`.
            SlotReturnValue(slot: u16) = "get_slot {0}; return_value";
            /// `return slots[s] + k` (`return n + 1`).
            SlotIntAddReturnValue(slot: u16, k: i32) = "get_slot {0}; load_int {1}; add; return_value";
            /// `if slots[s] < k { return slots[r] } else goto t` (a recursive base case:
            /// `if n < 2 return n`), one dispatch where the guard and the return took two.
            IfSlotIntLtReturnSlot(slot: u16, k: i32, target: u32, ret: u16) = "get_slot {0}; load_int {1}; num_lt; jump_if_false {2}; get_slot {3}; return_value";
            /// `if slots[s] == k { return slots[r] } else goto t`.
            IfSlotIntEqReturnSlot(slot: u16, k: i32, target: u32, ret: u16) = "get_slot {0}; load_int {1}; num_eq; jump_if_false {2}; get_slot {3}; return_value";
            /// `if slots[s] == k { return slots[r] + j } else goto t` (`if m == 0 return n + 1`;
            /// `j` is an `i16` so the instruction stays 16 bytes).
            IfSlotIntEqReturnSlotIntAdd(slot: u16, k: i32, target: u32, ret: u16, add: i16) = "get_slot {0}; load_int {1}; num_eq; jump_if_false {2}; get_slot {3}; load_int {4}; add; return_value";
            /// `return a + b` (`fib(n - 1) + fib(n - 2)`).
            AddReturnValue = "add; return_value";
            /// `call f(.., slots[s] - k)` (`fib(n - 1)`: a recursive call's last argument).
            SlotIntSubCall(slot: u16, k: i32, function: u16, argc: u8) = "get_slot {0}; load_int {1}; sub; call {2}, {3}";
            /// `call f(.., slots[a], slots[b] - k)` (`ack(m, n - 1)`).
            SlotSlotIntSubCall(a: u16, b: u16, k: i32, function: u16, argc: u8) = "get_slot {0}; get_slot {1}; load_int {2}; sub; call {3}, {4}";

            // ---- arrays and hashes in globals ----------------------------------------------
            /// `push @g, slots[s]` (no copy through the stack).
            SlotArrayPush(slot: u16, global: u16) = "get_slot {0}; array_push {1}";
            /// `slots[acc] = slots[acc] + g[slots[index]]` (summing an array).
            SlotAddArrayElem(acc: u16, index: u16, global: u16) = "get_slot {0}; get_slot {1}; array_get {2}; add; set_slot {0}";
            /// `g{str(slots[s])} += k`: one hash lookup instead of a get and a set (`h[k] += 1`).
            SlotHashAddInt(slot: u16, global: u16, k: i32) = "get_slot {0}; hash_get {1}; load_int {2}; add; get_slot {0}; hash_set {1}";

            // ---- strings ------------------------------------------------------------------
            /// `s = s . constants[c]`: appends in place when the slot's string is unshared.
            SlotAppendConst(slot: u16, constant: u16) = "get_slot {0}; load_const {1}; concat; set_slot {0}";
            /// `s = s . t` for slots: appends in place when the slot's string is unshared.
            SlotAppendSlot(slot: u16, tail: u16) = "get_slot {0}; get_slot {1}; concat; set_slot {0}";
            /// `[x] -> [x . constants[c]]`, the constant read in place (`k . ","`, `str(i) . ""`).
            ConcatConst(constant: u16) = "load_const {0}; concat";

            // ---- runs of nops (padding a frontend left for patching) -----------------------
            /// Skips eight `Nop`s in one dispatch.
            Nops8 = "nop; nop; nop; nop; nop; nop; nop; nop";
            /// Skips four `Nop`s in one dispatch.
            Nops4 = "nop; nop; nop; nop";
            /// Skips two `Nop`s in one dispatch.
            Nops2 = "nop; nop";

            // ---- stack comparison, then a branch ------------------------------------------
            /// `[a, b] -> []`, `if !(a < b) goto t`.
            LtJumpIfFalse(target: u32) = "num_lt; jump_if_false {0}";
            /// `[a, b] -> []`, `if !(a <= b) goto t`.
            LeJumpIfFalse(target: u32) = "num_le; jump_if_false {0}";
            /// `[a, b] -> []`, `if !(a > b) goto t`.
            GtJumpIfFalse(target: u32) = "num_gt; jump_if_false {0}";
            /// `[a, b] -> []`, `if !(a >= b) goto t`.
            GeJumpIfFalse(target: u32) = "num_ge; jump_if_false {0}";
            /// `[a, b] -> []`, `if !(a == b) goto t`.
            EqJumpIfFalse(target: u32) = "num_eq; jump_if_false {0}";
            /// `[a, b] -> []`, `if !(a != b) goto t`.
            NeJumpIfFalse(target: u32) = "num_ne; jump_if_false {0}";
            /// `[a, b] -> []`, `if a < b goto t`.
            LtJumpIfTrue(target: u32) = "num_lt; jump_if_true {0}";
            /// `[a, b] -> []`, `if a <= b goto t`.
            LeJumpIfTrue(target: u32) = "num_le; jump_if_true {0}";
            /// `[a, b] -> []`, `if a > b goto t`.
            GtJumpIfTrue(target: u32) = "num_gt; jump_if_true {0}";
            /// `[a, b] -> []`, `if a >= b goto t`.
            GeJumpIfTrue(target: u32) = "num_ge; jump_if_true {0}";
            /// `[a, b] -> []`, `if a == b goto t`.
            EqJumpIfTrue(target: u32) = "num_eq; jump_if_true {0}";
            /// `[a, b] -> []`, `if a != b goto t`.
            NeJumpIfTrue(target: u32) = "num_ne; jump_if_true {0}";
        }
    };
}

pub(crate) use for_each_superinstruction;
