//! THE instruction table: every `Op` is declared here, once.
//!
//! `for_each_op!(callback)` hands the whole table to a `macro_rules!` callback. The
//! callbacks in [`crate::isa`] expand it into the `Op` enum (upstream's exact variant names,
//! operand types and order — declaration order is part of the contract because serde's
//! binary encoders and `Chunk::op_hash` depend on it), the static [`OpInfo`] table, operand
//! access, construction from operands (used by the assembler), and stack effects (used by
//! the verifier). Every other consumer (interpreter dispatch, disassembler, verifier) is an
//! exhaustive `match` over `Op`, so a new line here fails the build until each one handles it.
//!
//! Line format:
//!
//! ```text
//! /// `[stack before] -> [stack after]` what the op does.
//! Name(operand: RustType as OperandKind, ...) = "mnemonic", Category, [pops => pushes]
//!     (, fuses "the sequence it replaces, in assembly text";)
//! ```
//!
//! `[dyn]` marks an op whose stack effect is decided at run time (calls, returns, handlers).
//! Pop/push counts may name the op's operands. In a `fuses` template `{N}` is operand N.
//!
//! [`OpInfo`]: crate::isa::OpInfo

/// Expands `$callback! { ...the table... }`.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_op {
    ($callback:ident) => {
        $callback! {
            // ---- Constants & stack --------------------------------------------------
            /// `[] -> []` does nothing.
            Nop = "nop", Stack, [0 => 0];
            /// `[] -> [Int(n)]` pushes the integer literal.
            LoadInt(value: i64 as Int) = "load_int", Stack, [0 => 1];
            /// `[] -> [Float(f)]` pushes the float literal.
            LoadFloat(value: f64 as Float) = "load_float", Stack, [0 => 1];
            /// `[] -> [constants[c]]` pushes a clone of a constant-pool entry.
            LoadConst(constant: u16 as Const) = "load_const", Stack, [0 => 1];
            /// `[] -> [Bool(true)]`.
            LoadTrue = "load_true", Stack, [0 => 1];
            /// `[] -> [Bool(false)]`.
            LoadFalse = "load_false", Stack, [0 => 1];
            /// `[] -> [Undef]`.
            LoadUndef = "load_undef", Stack, [0 => 1];
            /// `[a] -> []` discards the top (no-op on an empty stack).
            Pop = "pop", Stack, [1 => 0];
            /// `[a] -> [a, a]` duplicates the top (pushes `Undef` on an empty stack).
            Dup = "dup", Stack, [1 => 2];
            /// `[a, b] -> [a, b, a, b]` duplicates the top pair (no-op below two values).
            Dup2 = "dup2", Stack, [2 => 4];
            /// `[a, b] -> [b, a]` swaps the top pair (no-op below two values).
            Swap = "swap", Stack, [2 => 2];
            /// `[a, b, c] -> [b, c, a]` brings the third value to the top (no-op below three).
            Rot = "rot", Stack, [3 => 3];

            // ---- Variables ------------------------------------------------------------
            /// `[] -> [globals[g]]` pushes a global (`Undef` if never set).
            GetVar(global: u16 as Global) = "get_var", Variable, [0 => 1];
            /// `[v] -> []` stores the top into a global.
            SetVar(global: u16 as Global) = "set_var", Variable, [1 => 0];
            /// `[v] -> []` declares a global with an initial value (same as `SetVar`).
            DeclareVar(global: u16 as Global) = "declare_var", Variable, [1 => 0];
            /// `[] -> [slots[s]]` pushes a local slot of the current frame (`Undef` if unset).
            GetSlot(slot: u16 as Slot) = "get_slot", Variable, [0 => 1];
            /// `[v] -> []` stores the top into a local slot of the current frame.
            SetSlot(slot: u16 as Slot) = "set_slot", Variable, [1 => 0];
            /// `[i] -> [slots[s][i]]` indexes the array held in a slot (`Undef` if absent).
            SlotArrayGet(slot: u16 as Slot) = "slot_array_get", Variable, [1 => 1];
            /// `[v, i] -> []` stores into the array held in a slot, growing it with `Undef`.
            SlotArraySet(slot: u16 as Slot) = "slot_array_set", Variable, [2 => 0];

            // ---- Arrays & hashes (globals) ---------------------------------------------
            /// `[] -> [globals[g]]` pushes a global array (same as `GetVar`).
            GetArray(global: u16 as Global) = "get_array", Collection, [0 => 1];
            /// `[v] -> []` stores into a global (same as `SetVar`).
            SetArray(global: u16 as Global) = "set_array", Collection, [1 => 0];
            /// `[] -> []` sets a global to an empty array.
            DeclareArray(global: u16 as Global) = "declare_array", Collection, [0 => 0];
            /// `[i] -> [a[i]]` reads an element of a global array (`Undef` if absent).
            ArrayGet(global: u16 as Global) = "array_get", Collection, [1 => 1];
            /// `[v, i] -> []` writes an element of a global array, growing it with `Undef`.
            ArraySet(global: u16 as Global) = "array_set", Collection, [2 => 0];
            /// `[v] -> []` appends to a global array (dropped if the global is no array).
            ArrayPush(global: u16 as Global) = "array_push", Collection, [1 => 0];
            /// `[] -> [v]` removes and pushes the last element (`Undef` if empty).
            ArrayPop(global: u16 as Global) = "array_pop", Collection, [0 => 1];
            /// `[] -> [v]` removes and pushes the first element (`Undef` if empty).
            ArrayShift(global: u16 as Global) = "array_shift", Collection, [0 => 1];
            /// `[] -> [Int(len)]` pushes the length of a global array (0 if no array).
            ArrayLen(global: u16 as Global) = "array_len", Collection, [0 => 1];
            /// `[x1 .. xn] -> [Array]` collects the top `n` values, deepest first.
            MakeArray(count: u16 as Count) = "make_array", Collection, [count => 1];
            /// `[] -> [globals[g]]` pushes a global hash (same as `GetVar`).
            GetHash(global: u16 as Global) = "get_hash", Collection, [0 => 1];
            /// `[v] -> []` stores into a global (same as `SetVar`).
            SetHash(global: u16 as Global) = "set_hash", Collection, [1 => 0];
            /// `[] -> []` sets a global to an empty hash.
            DeclareHash(global: u16 as Global) = "declare_hash", Collection, [0 => 0];
            /// `[k] -> [h{k}]` reads a global hash entry by `str(k)` (`Undef` if absent).
            HashGet(global: u16 as Global) = "hash_get", Collection, [1 => 1];
            /// `[v, k] -> []` inserts or overwrites a global hash entry.
            HashSet(global: u16 as Global) = "hash_set", Collection, [2 => 0];
            /// `[k] -> [v]` removes an entry and pushes its value (`Undef` if absent).
            HashDelete(global: u16 as Global) = "hash_delete", Collection, [1 => 1];
            /// `[k] -> [Bool]` tests whether a global hash has the key.
            HashExists(global: u16 as Global) = "hash_exists", Collection, [1 => 1];
            /// `[] -> [Array]` pushes the keys of a global hash (unspecified order).
            HashKeys(global: u16 as Global) = "hash_keys", Collection, [0 => 1];
            /// `[] -> [Array]` pushes the values of a global hash (unspecified order).
            HashValues(global: u16 as Global) = "hash_values", Collection, [0 => 1];
            /// `[k1, v1 .. kn, vn] -> [Hash]` pairs the top `count` items (items, not pairs).
            MakeHash(count: u16 as Count) = "make_hash", Collection, [count => 1];

            // ---- Arithmetic -----------------------------------------------------------------
            /// `[a, b] -> [a + b]` Int if both Int (wrapping), else Float.
            Add = "add", Arithmetic, [2 => 1];
            /// `[a, b] -> [a - b]` Int if both Int (wrapping), else Float.
            Sub = "sub", Arithmetic, [2 => 1];
            /// `[a, b] -> [a * b]` Int if both Int (wrapping), else Float.
            Mul = "mul", Arithmetic, [2 => 1];
            /// `[a, b] -> [a / b]` always Float; `Undef` when the divisor is zero.
            Div = "div", Arithmetic, [2 => 1];
            /// `[a, b] -> [a % b]` Int if both Int (`% 0` gives 0), else Float fmod.
            Mod = "mod", Arithmetic, [2 => 1];
            /// `[a, b] -> [a ** b]` always Float.
            Pow = "pow", Arithmetic, [2 => 1];
            /// `[a] -> [-a]` wrapping for Int, else Float.
            Negate = "negate", Arithmetic, [1 => 1];
            /// `[a] -> [Int(a + 1)]` always Int (wrapping).
            Inc = "inc", Arithmetic, [1 => 1];
            /// `[a] -> [Int(a - 1)]` always Int (wrapping).
            Dec = "dec", Arithmetic, [1 => 1];

            // ---- Strings ----------------------------------------------------------------------
            /// `[a, b] -> [Str(str(a) + str(b))]`.
            Concat = "concat", String, [2 => 1];
            /// `[s, n] -> [Str]` repeats `str(s)` `max(n, 0)` times.
            StringRepeat = "string_repeat", String, [2 => 1];
            /// `[v] -> [Int]` byte length of a string, element count of a container.
            StringLen = "string_len", String, [1 => 1];

            // ---- Comparison ---------------------------------------------------------------------
            /// `[a, b] -> [Bool(a == b)]` numeric.
            NumEq = "num_eq", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(a != b)]` numeric.
            NumNe = "num_ne", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(a < b)]` numeric.
            NumLt = "num_lt", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(a > b)]` numeric.
            NumGt = "num_gt", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(a <= b)]` numeric.
            NumLe = "num_le", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(a >= b)]` numeric.
            NumGe = "num_ge", Comparison, [2 => 1];
            /// `[a, b] -> [Int(-1 | 0 | 1)]` numeric three-way comparison.
            Spaceship = "spaceship", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(str(a) == str(b))]`.
            StrEq = "str_eq", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(str(a) != str(b))]`.
            StrNe = "str_ne", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(str(a) < str(b))]` byte-wise.
            StrLt = "str_lt", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(str(a) > str(b))]` byte-wise.
            StrGt = "str_gt", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(str(a) <= str(b))]` byte-wise.
            StrLe = "str_le", Comparison, [2 => 1];
            /// `[a, b] -> [Bool(str(a) >= str(b))]` byte-wise.
            StrGe = "str_ge", Comparison, [2 => 1];
            /// `[a, b] -> [Int(-1 | 0 | 1)]` byte-wise three-way string comparison.
            StrCmp = "str_cmp", Comparison, [2 => 1];

            // ---- Logical / bitwise ----------------------------------------------------------------
            /// `[a] -> [Bool(!truthy(a))]`.
            LogNot = "log_not", Logic, [1 => 1];
            /// `[a, b] -> [Bool(truthy(a) && truthy(b))]` (both already evaluated).
            LogAnd = "log_and", Logic, [2 => 1];
            /// `[a, b] -> [Bool(truthy(a) || truthy(b))]` (both already evaluated).
            LogOr = "log_or", Logic, [2 => 1];
            /// `[a, b] -> [Int(a & b)]` on `to_int`.
            BitAnd = "bit_and", Logic, [2 => 1];
            /// `[a, b] -> [Int(a | b)]` on `to_int`.
            BitOr = "bit_or", Logic, [2 => 1];
            /// `[a, b] -> [Int(a ^ b)]` on `to_int`.
            BitXor = "bit_xor", Logic, [2 => 1];
            /// `[a] -> [Int(!a)]` on `to_int`.
            BitNot = "bit_not", Logic, [1 => 1];
            /// `[a, b] -> [Int(a << (b & 63))]`.
            Shl = "shl", Logic, [2 => 1];
            /// `[a, b] -> [Int(a >> (b & 63))]` arithmetic shift.
            Shr = "shr", Logic, [2 => 1];

            // ---- Control flow ----------------------------------------------------------------------
            /// `[] -> []` continues at `target`.
            Jump(target: usize as Target) = "jump", Control, [0 => 0];
            /// `[c] -> []` continues at `target` if `c` is truthy.
            JumpIfTrue(target: usize as Target) = "jump_if_true", Control, [1 => 0];
            /// `[c] -> []` continues at `target` if `c` is falsy.
            JumpIfFalse(target: usize as Target) = "jump_if_false", Control, [1 => 0];
            /// `[c] -> [c]` continues at `target` if `c` is truthy; never pops (for `||`).
            JumpIfTrueKeep(target: usize as Target) = "jump_if_true_keep", Control, [1 => 1];
            /// `[c] -> [c]` continues at `target` if `c` is falsy; never pops (for `&&`).
            JumpIfFalseKeep(target: usize as Target) = "jump_if_false_keep", Control, [1 => 1];

            // ---- Functions & scope ------------------------------------------------------------------
            /// `[a1 .. an] -> [a1 .. an]` calls the function named `func` with a new frame.
            Call(func: u16 as Func, argc: u8 as Count) = "call", Function, [dyn];
            /// `[..] -> []` returns from the current function, dropping its stack region.
            Return = "return", Function, [dyn];
            /// `[.., v] -> [v]` returns `v` from the current function.
            ReturnValue = "return_value", Function, [dyn];
            /// `[] -> []` opens a new, empty slot scope.
            PushFrame = "push_frame", Scope, [0 => 0];
            /// `[..] -> []` closes the scope opened by `PushFrame`, dropping its stack region.
            PopFrame = "pop_frame", Scope, [dyn];

            // ---- I/O ------------------------------------------------------------------------------------
            /// `[x1 .. xn] -> []` writes `str` of each value to stdout, no separator.
            Print(count: u8 as Count) = "print", Io, [count => 0];
            /// `[x1 .. xn] -> []` writes `str` of each value to stdout, then a newline.
            PrintLn(count: u8 as Count) = "print_ln", Io, [count => 0];
            /// `[] -> [Str]` reads one line from stdin without its `\n` (`""` at end of input).
            ReadLine = "read_line", Io, [0 => 1];

            // ---- Ranges ----------------------------------------------------------------------------------
            /// `[from, to] -> [Array]` the inclusive integer range `from..=to`.
            Range = "range", Range, [2 => 1];
            /// `[from, to, step] -> [Array]` the inclusive range counted by `step` (0: empty).
            RangeStep = "range_step", Range, [3 => 1];

            // ---- Higher-order blocks (reserved; no-ops as upstream) ------------------------------------------
            /// `[] -> []` reserved for `map { }` blocks: does nothing (frontends use `Extended`).
            MapBlock(block: u16 as Block) = "map_block", HigherOrder, [0 => 0];
            /// `[] -> []` reserved for `grep { }` blocks: does nothing.
            GrepBlock(block: u16 as Block) = "grep_block", HigherOrder, [0 => 0];
            /// `[] -> []` reserved for `sort { }` blocks: does nothing.
            SortBlock(block: u16 as Block) = "sort_block", HigherOrder, [0 => 0];
            /// `[] -> []` reserved for a default sort: does nothing.
            SortDefault = "sort_default", HigherOrder, [0 => 0];
            /// `[] -> []` reserved for `foreach { }` blocks: does nothing.
            ForEachBlock(block: u16 as Block) = "for_each_block", HigherOrder, [0 => 0];

            // ---- Fused superinstructions -------------------------------------------------------------------
            /// `[] -> [Int(n)]` `n = to_int(slots[s]) + 1`, stored back and pushed.
            PreIncSlot(slot: u16 as Slot) = "pre_inc_slot", Fused, [0 => 1],
                fuses "get_slot {0}\nload_int 1\nadd\ndup\nset_slot {0}";
            /// `[] -> []` if `to_int(slots[s]) >= limit` continue at `target`.
            SlotLtIntJumpIfFalse(slot: u16 as Slot, limit: i32 as Limit, target: usize as Target)
                = "slot_lt_int_jump_if_false", Fused, [0 => 0],
                fuses "get_slot {0}\nload_int {1}\nnum_lt\njump_if_false {2}";
            /// `[] -> []` `n = to_int(slots[s]) + 1` stored back; if `n < limit` continue at `target`.
            SlotIncLtIntJumpBack(slot: u16 as Slot, limit: i32 as Limit, target: usize as Target)
                = "slot_inc_lt_int_jump_back", Fused, [0 => 0],
                fuses "get_slot {0}\nload_int 1\nadd\ndup\nset_slot {0}\nload_int {1}\nnum_lt\njump_if_true {2}";
            /// `[] -> []` `while i < limit { sum += i; i += 1 }` on two Int slots.
            AccumSumLoop(sum_slot: u16 as Slot, i_slot: u16 as Slot, limit: i32 as Limit)
                = "accum_sum_loop", Fused, [0 => 0],
                fuses "top:\nget_slot {1}\nload_int {2}\nnum_lt\njump_if_false end\nget_slot {0}\nget_slot {1}\nadd\nset_slot {0}\nget_slot {1}\nload_int 1\nadd\nset_slot {1}\njump top\nend:";
            /// `[] -> []` `while i < limit { s .= constants[c]; i += 1 }` on slots `s`, `i`.
            ConcatConstLoop(constant: u16 as Const, s_slot: u16 as Slot, i_slot: u16 as Slot, limit: i32 as Limit)
                = "concat_const_loop", Fused, [0 => 0],
                fuses "top:\nget_slot {2}\nload_int {3}\nnum_lt\njump_if_false end\nget_slot {1}\nload_const {0}\nconcat\nset_slot {1}\nget_slot {2}\nload_int 1\nadd\nset_slot {2}\njump top\nend:";
            /// `[] -> []` `while i < limit { push(globals[g], i); i += 1 }` (a non-array global is replaced).
            PushIntRangeLoop(global: u16 as Global, i_slot: u16 as Slot, limit: i32 as Limit)
                = "push_int_range_loop", Fused, [0 => 0],
                fuses "top:\nget_slot {1}\nload_int {2}\nnum_lt\njump_if_false end\nget_slot {1}\narray_push {0}\nget_slot {1}\nload_int 1\nadd\nset_slot {1}\njump top\nend:";
            /// `[] -> []` `slots[a] = Int(to_int(slots[a]) + to_int(slots[b]))` (wrapping).
            AddAssignSlotVoid(dst_slot: u16 as Slot, src_slot: u16 as Slot)
                = "add_assign_slot_void", Fused, [0 => 0],
                fuses "get_slot {0}\nget_slot {1}\nadd\nset_slot {0}";
            /// `[] -> []` `slots[s] = Int(to_int(slots[s]) + 1)`.
            PreIncSlotVoid(slot: u16 as Slot) = "pre_inc_slot_void", Fused, [0 => 0],
                fuses "get_slot {0}\nload_int 1\nadd\nset_slot {0}";

            // ---- Builtins & extensions ------------------------------------------------------------------------
            /// `[args..] -> [r]` calls the builtin registered under `id`; it pops its own arguments.
            CallBuiltin(id: u16 as Builtin, argc: u8 as Count) = "call_builtin", Builtin, [dyn];
            /// `[..] -> [..]` calls the frontend's extension handler with `(id, arg)`.
            Extended(id: u16 as ExtId, arg: u8 as Imm8) = "extended", Extension, [dyn];
            /// `[..] -> [..]` calls the frontend's wide extension handler with `(id, payload)`.
            ExtendedWide(id: u16 as ExtId, payload: usize as Payload) = "extended_wide", Extension, [dyn];

            // ---- Shell -------------------------------------------------------------------------------------------
            /// `[w1 .. wn] -> [Status]` runs a command (in-chunk function, shortcut or host).
            Exec(argc: u8 as Count) = "exec", Shell, [dyn];
            /// `[w1 .. wn] -> [Status(0)]` starts a command in the background via the host.
            ExecBg(argc: u8 as Count) = "exec_bg", Shell, [argc => 1];
            /// `[] -> []` tells the host a pipeline of `n` stages begins.
            PipelineBegin(stages: u8 as Count) = "pipeline_begin", Shell, [0 => 0];
            /// `[] -> []` tells the host the next pipeline stage begins.
            PipelineStage = "pipeline_stage", Shell, [0 => 0];
            /// `[] -> [Status]` ends the pipeline; its status becomes `$?`.
            PipelineEnd = "pipeline_end", Shell, [0 => 1];
            /// `[target] -> []` asks the host to redirect `fd` with `op` (see `op::redirect_op`).
            Redirect(fd: u8 as Fd, op: u8 as RedirectOp) = "redirect", Shell, [1 => 0];
            /// `[] -> []` hands the here-document text `constants[c]` to the host.
            HereDoc(constant: u16 as Const) = "here_doc", Shell, [0 => 0];
            /// `[word] -> []` hands a here-string to the host.
            HereString = "here_string", Shell, [1 => 0];
            /// `[] -> [Str]` asks the host for the output of sub-chunk `sub` (`$(..)`).
            CmdSubst(sub: u16 as SubChunk) = "cmd_subst", Shell, [0 => 1];
            /// `[] -> []` tells the host a subshell begins.
            SubshellBegin = "subshell_begin", Shell, [0 => 0];
            /// `[] -> []` tells the host the subshell ends (its status may become `$?`).
            SubshellEnd = "subshell_end", Shell, [0 => 0];
            /// `[] -> [Str]` asks the host for a `<(..)` path for sub-chunk `sub`.
            ProcessSubIn(sub: u16 as SubChunk) = "process_sub_in", Shell, [0 => 1];
            /// `[] -> [Str]` asks the host for a `>(..)` path for sub-chunk `sub`.
            ProcessSubOut(sub: u16 as SubChunk) = "process_sub_out", Shell, [0 => 1];
            /// `[pattern] -> [Array]` asks the host to expand a glob.
            Glob = "glob", Shell, [1 => 1];
            /// `[pattern] -> [Array]` asks the host to expand a recursive (`**`) glob.
            GlobRecursive = "glob_recursive", Shell, [1 => 1];
            /// `[path] -> [Bool]` asks the host for a file test (see `op::file_test`).
            TestFile(test: u8 as FileTest) = "test_file", Shell, [1 => 1];
            /// `[v] -> []` sets `$?` to `to_int(v)` (truncated to 32 bits).
            SetStatus = "set_status", Shell, [1 => 0];
            /// `[] -> [Status($?)]`.
            GetStatus = "get_status", Shell, [0 => 1];
            /// `[signal] -> []` hands a trap handler (sub-chunk `sub`) to the host.
            TrapSet(sub: u16 as SubChunk) = "trap_set", Shell, [1 => 0];
            /// `[] -> []` lets the host run pending traps.
            TrapCheck = "trap_check", Shell, [0 => 0];
            /// `[name, args..] -> [v]` parameter expansion with modifier `m` (see `op::param_mod`).
            ExpandParam(modifier: u8 as ParamMod) = "expand_param", Shell, [dyn];
            /// `[s] -> [Array]` splits words (host, or on whitespace).
            WordSplit = "word_split", Shell, [1 => 1];
            /// `[s] -> [Array]` brace expansion (host, or `[s]`).
            BraceExpand = "brace_expand", Shell, [1 => 1];
            /// `[s] -> [Str]` tilde expansion (host, or unchanged).
            TildeExpand = "tilde_expand", Shell, [1 => 1];
            /// `[a1 .. an] -> [Status]` calls a shell function by name (host or in-chunk).
            CallFunction(func: u16 as Func, argc: u8 as Count) = "call_function", Shell, [dyn];
            /// `[s, pattern] -> [Bool]` shell pattern match (host, or equality).
            StrMatch = "str_match", Shell, [2 => 1];
            /// `[s, regex] -> [Bool]` regex match (host, or false).
            RegexMatch = "regex_match", Shell, [2 => 1];
            /// `[] -> []` tells the host `n` redirections for a compound command begin.
            WithRedirectsBegin(count: u8 as Count) = "with_redirects_begin", Shell, [0 => 0];
            /// `[] -> []` tells the host the redirected compound command ends.
            WithRedirectsEnd = "with_redirects_end", Shell, [0 => 0];
        }
    };
}
