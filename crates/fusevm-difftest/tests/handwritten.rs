//! Hand-written differential programs, one or more per op group.
//!
//! Every program runs on both VMs and must agree (`assert_same` also fails if the case was
//! discarded). On top of that each test asserts the value the spec (`shared/spec/ops.md`,
//! `quirks.md`) predicts, so a harness that compared nothing could not pass.

use fusevm_difftest::run::{BUILTIN_SORT, BUILTIN_SUM, BUILTIN_UNREGISTERED};
use fusevm_difftest::POp::*;
use fusevm_difftest::{assert_same, compare, s, Outcome, PConst, POp, Program, RunResult, Verdict, NV};
use std::collections::{BTreeMap, HashMap};

// ---------------------------------------------------------------------------------------
// helpers

/// A tiny label assembler for programs with jumps and functions.
#[derive(Default)]
struct Asm {
    ops: Vec<POp>,
    labels: HashMap<&'static str, usize>,
    fixups: Vec<(usize, &'static str)>,
}

impl Asm {
    fn op(&mut self, op: POp) -> &mut Self {
        self.ops.push(op);
        self
    }

    fn ops(&mut self, ops: &[POp]) -> &mut Self {
        self.ops.extend_from_slice(ops);
        self
    }

    fn label(&mut self, name: &'static str) -> &mut Self {
        self.labels.insert(name, self.ops.len());
        self
    }

    /// A jump-carrying op whose target is the label `to` (or `"end"`).
    fn jump(&mut self, op: POp, to: &'static str) -> &mut Self {
        self.fixups.push((self.ops.len(), to));
        self.ops.push(op);
        self
    }

    fn finish(&mut self) -> Vec<POp> {
        let end = self.ops.len();
        for &(at, to) in &self.fixups {
            let target = if to == "end" { end } else { self.labels[to] };
            self.ops[at] = self.ops[at].with_target(target);
        }
        std::mem::take(&mut self.ops)
    }
}

fn prog(consts: Vec<PConst>, ops: Vec<POp>) -> Program {
    Program::new(ops).consts(consts)
}

fn run(ops: Vec<POp>) -> Outcome {
    assert_same(&Program::new(ops))
}

fn run_c(consts: Vec<PConst>, ops: Vec<POp>) -> Outcome {
    assert_same(&prog(consts, ops))
}

#[track_caller]
fn ok(o: &Outcome) -> NV {
    match &o.result {
        RunResult::Ok(v) => v.clone(),
        other => panic!("expected Ok(..), got {other:?}"),
    }
}

fn int(n: i64) -> NV {
    NV::Int(n)
}

fn fl(f: f64) -> NV {
    NV::float(f)
}

fn st(text: &str) -> NV {
    NV::str(text)
}

fn arr(items: Vec<NV>) -> NV {
    NV::Array(items)
}

/// Runs `[LoadConst a, LoadConst b, op]` and returns the result.
#[track_caller]
fn binop(a: PConst, b: PConst, op: POp) -> NV {
    ok(&run_c(vec![a, b], vec![LoadConst(0), LoadConst(1), op]))
}

/// Runs `[LoadConst a, op]` and returns the result.
#[track_caller]
fn unop(a: PConst, op: POp) -> NV {
    ok(&run_c(vec![a], vec![LoadConst(0), op]))
}

use PConst::{Bool as B, Float as F, Int as I, Status as S, Undef as U};

// ---------------------------------------------------------------------------------------
// coercions

#[test]
fn numeric_strings_never_promote_to_int() {
    assert_eq!(binop(s("5"), I(3), Add), fl(8.0));
    assert_eq!(binop(s("3.7"), I(0), Add), fl(3.7));
    assert_eq!(binop(s(" 42"), I(1), Add), fl(1.0));
    assert_eq!(binop(s("1e3"), I(1), Sub), fl(999.0));
    assert_eq!(binop(s("+5"), s("-7"), Mul), fl(-35.0));
}

#[test]
fn inf_and_nan_strings_and_floats() {
    assert_eq!(binop(s("inf"), I(1), Add), fl(f64::INFINITY));
    assert_eq!(binop(s("NaN"), s("NaN"), NumEq), NV::Bool(false));
    assert_eq!(binop(F(f64::NAN), F(f64::NAN), NumNe), NV::Bool(true));
    assert_eq!(binop(F(f64::INFINITY), F(f64::NEG_INFINITY), Add), fl(f64::NAN));
    // NaN is truthy: JumpIfFalse is not taken.
    let o = run_c(
        vec![F(f64::NAN)],
        vec![LoadConst(0), JumpIfFalse(4), LoadInt(1), Jump(5), LoadInt(2)],
    );
    assert_eq!(ok(&o), int(1));
}

#[test]
fn bool_undef_status_operands_go_float() {
    assert_eq!(binop(B(true), I(40), Add), fl(41.0));
    assert_eq!(binop(U, I(1), Add), fl(1.0));
    assert_eq!(binop(S(3), I(1), Add), fl(4.0));
    assert_eq!(binop(B(false), B(true), NumLt), NV::Bool(true));
    assert_eq!(binop(S(2), I(2), NumEq), NV::Bool(true));
}

#[test]
fn to_int_table_through_bitor() {
    let cases: Vec<(PConst, i64)> = vec![
        (s("3.7"), 0),
        (s(" 42"), 0),
        (s("+5"), 5),
        (s("9223372036854775808"), 0),
        (F(1e300), i64::MAX),
        (F(-1e300), i64::MIN),
        (F(f64::NAN), 0),
        (F(-2.9), -2),
        (PConst::Array(vec![I(1), s("x"), U]), 3),
        (S(300), 300),
        (PConst::Hash(BTreeMap::new()), 0),
        (B(true), 1),
        (U, 0),
    ];
    for (v, want) in cases {
        assert_eq!(binop(v.clone(), I(0), BitOr), int(want), "to_int({v:?})");
    }
}

#[test]
fn truthiness_table_through_lognot() {
    let cases: Vec<(PConst, bool)> = vec![
        (U, false),
        (I(0), false),
        (F(-0.0), false),
        (F(f64::NAN), true),
        (s(""), false),
        (s("0"), false),
        (s("00"), true),
        (s("0.0"), true),
        (s(" "), true),
        (S(0), true),
        (S(1), false),
        (PConst::Array(vec![]), false),
        (PConst::Array(vec![U]), true),
        (PConst::NativeFn(0), true),
        (PConst::Ref(Box::new(U)), true),
    ];
    for (v, truthy) in cases {
        assert_eq!(unop(v.clone(), LogNot), NV::Bool(!truthy), "truthy({v:?})");
    }
}

#[test]
fn stringification_of_every_kind() {
    let mut h = BTreeMap::new();
    h.insert("k".to_string(), I(1));
    let cases: Vec<(PConst, &str)> = vec![
        (F(1.0), "1"),
        (F(-0.0), "-0"),
        (F(1e21), "1000000000000000000000"),
        (F(1e-7), "0.0000001"),
        (F(f64::NAN), "NaN"),
        (F(f64::NEG_INFINITY), "-inf"),
        (B(true), "1"),
        (B(false), ""),
        (S(-2), "-2"),
        (PConst::Array(vec![U, B(false), I(1)]), "  1"),
        (
            PConst::Array(vec![I(1), PConst::Array(vec![I(2), I(3)])]),
            "1 2 3",
        ),
        (PConst::Hash(h), "(hash)"),
        (PConst::Ref(Box::new(I(1))), "(ref)"),
        (PConst::NativeFn(3), "(builtin:3)"),
    ];
    for (v, want) in cases {
        assert_eq!(binop(v.clone(), s(""), Concat), st(want), "str({v:?})");
    }
}

// ---------------------------------------------------------------------------------------
// arithmetic

#[test]
fn integer_arithmetic_wraps() {
    assert_eq!(ok(&run(vec![LoadInt(i64::MAX), LoadInt(1), Add])), int(i64::MIN));
    assert_eq!(ok(&run(vec![LoadInt(i64::MIN), LoadInt(1), Sub])), int(i64::MAX));
    assert_eq!(ok(&run(vec![LoadInt(i64::MAX), LoadInt(2), Mul])), int(-2));
    assert_eq!(ok(&run(vec![LoadInt(i64::MIN), Negate])), int(i64::MIN));
    assert_eq!(ok(&run(vec![LoadInt(i64::MAX), Inc])), int(i64::MIN));
    assert_eq!(ok(&run(vec![LoadInt(i64::MIN), Dec])), int(i64::MAX));
}

#[test]
fn div_is_float_and_zero_divisor_is_undef() {
    assert_eq!(ok(&run(vec![LoadInt(7), LoadInt(2), Div])), fl(3.5));
    assert_eq!(ok(&run(vec![LoadInt(20), LoadInt(5), Div])), fl(4.0));
    assert_eq!(ok(&run(vec![LoadInt(1), LoadInt(0), Div])), NV::Undef);
    assert_eq!(ok(&run(vec![LoadInt(1), LoadFloat(-0.0), Div])), NV::Undef);
    assert_eq!(binop(I(1), s("abc"), Div), NV::Undef);
    assert_eq!(binop(I(1), U, Div), NV::Undef);
    // Undef-fill on a short stack: Undef / 1.
    assert_eq!(ok(&run(vec![LoadInt(1), Div])), fl(0.0));
}

#[test]
fn mod_signs_and_zero() {
    assert_eq!(ok(&run(vec![LoadInt(-7), LoadInt(2), Mod])), int(-1));
    assert_eq!(ok(&run(vec![LoadInt(7), LoadInt(-2), Mod])), int(1));
    assert_eq!(ok(&run(vec![LoadInt(5), LoadInt(0), Mod])), int(0));
    assert_eq!(ok(&run(vec![LoadFloat(5.5), LoadInt(2), Mod])), fl(1.5));
    assert_eq!(ok(&run(vec![LoadFloat(-7.5), LoadInt(2), Mod])), fl(-1.5));
    assert_eq!(ok(&run(vec![LoadFloat(5.0), LoadFloat(0.0), Mod])), fl(f64::NAN));
    assert_eq!(ok(&run(vec![LoadInt(i64::MIN), LoadInt(1), Mod])), int(0));
}

#[test]
fn pow_is_always_float() {
    assert_eq!(ok(&run(vec![LoadInt(2), LoadInt(3), Pow])), fl(8.0));
    assert_eq!(ok(&run(vec![LoadInt(2), LoadInt(-1), Pow])), fl(0.5));
    assert_eq!(ok(&run(vec![LoadInt(0), LoadInt(0), Pow])), fl(1.0));
    assert_eq!(binop(s("2"), s("10"), Pow), fl(1024.0));
    assert_eq!(ok(&run(vec![LoadFloat(-8.0), LoadFloat(0.5), Pow])), fl(f64::NAN));
}

#[test]
fn negate_inc_dec_of_non_ints() {
    assert_eq!(unop(s("5"), Negate), fl(-5.0));
    assert_eq!(unop(B(true), Negate), fl(-1.0));
    assert_eq!(unop(U, Negate), fl(-0.0));
    assert_eq!(ok(&run(vec![Negate])), fl(-0.0));
    assert_eq!(unop(F(1.5), Inc), int(2));
    assert_eq!(unop(s("3.7"), Inc), int(1));
    assert_eq!(unop(s("abc"), Inc), int(1));
    assert_eq!(unop(F(2.9), Dec), int(1));
    assert_eq!(unop(F(1e300), Inc), int(i64::MIN));
    assert_eq!(unop(S(5), Dec), int(4));
}

// ---------------------------------------------------------------------------------------
// comparisons, logic, bitwise

#[test]
fn string_comparisons_are_bytewise() {
    assert_eq!(binop(s("10"), s("9"), StrLt), NV::Bool(true));
    assert_eq!(binop(I(1), F(1.0), StrEq), NV::Bool(true));
    assert_eq!(binop(s("2"), s("10"), StrCmp), int(1));
    assert_eq!(binop(s("abc"), s("abd"), StrGe), NV::Bool(false));
    assert_eq!(binop(s("héllo"), s("hello"), StrGt), NV::Bool(true));
    assert_eq!(binop(U, s(""), StrLe), NV::Bool(true));
    assert_eq!(binop(s("a"), s("a"), StrNe), NV::Bool(false));
}

#[test]
fn numeric_comparisons_and_spaceship() {
    assert_eq!(binop(s("10"), s("9"), NumGt), NV::Bool(true));
    assert_eq!(binop(s("abc"), I(0), NumEq), NV::Bool(true));
    assert_eq!(binop(I(3), I(5), Spaceship), int(-1));
    assert_eq!(binop(F(2.5), I(2), Spaceship), int(1));
    assert_eq!(binop(F(f64::NAN), I(2), Spaceship), int(0));
    assert_eq!(binop(I(i64::MAX), I(i64::MAX - 1), NumGe), NV::Bool(true));
    assert_eq!(binop(F(f64::NAN), F(1.0), NumLe), NV::Bool(false));
}

#[test]
fn shifts_mask_the_count() {
    assert_eq!(ok(&run(vec![LoadInt(1), LoadInt(64), Shl])), int(1));
    assert_eq!(ok(&run(vec![LoadInt(1), LoadInt(-1), Shl])), int(i64::MIN));
    assert_eq!(ok(&run(vec![LoadInt(-16), LoadInt(2), Shr])), int(-4));
    assert_eq!(ok(&run(vec![LoadInt(5), LoadInt(65), Shr])), int(2));
    assert_eq!(binop(s("3"), I(2), Shl), int(12));
    assert_eq!(binop(F(2.9), I(1), Shl), int(4));
    assert_eq!(ok(&run(vec![LoadInt(i64::MIN), LoadInt(i64::MAX), Shr])), int(-1));
}

#[test]
fn bitwise_and_logic_ops() {
    assert_eq!(unop(F(2.5), BitNot), int(-3));
    assert_eq!(ok(&run(vec![LoadInt(12), LoadInt(10), BitAnd])), int(8));
    assert_eq!(binop(s("12"), F(3.9), BitOr), int(15));
    assert_eq!(ok(&run(vec![LoadInt(-1), LoadInt(5), BitXor])), int(-6));
    assert_eq!(ok(&run(vec![LogNot])), NV::Bool(true));
    assert_eq!(binop(s("0"), s("00"), LogAnd), NV::Bool(false));
    assert_eq!(binop(s("0"), s("0.0"), LogOr), NV::Bool(true));
    assert_eq!(ok(&run(vec![LoadInt(1), LogAnd])), NV::Bool(false));
}

// ---------------------------------------------------------------------------------------
// strings

#[test]
fn concat_repeat_len() {
    assert_eq!(binop(I(42), s(" items"), Concat), st("42 items"));
    assert_eq!(binop(s("ab"), I(3), StringRepeat), st("ababab"));
    assert_eq!(binop(s("ab"), I(0), StringRepeat), st(""));
    assert_eq!(binop(s("ab"), I(-1), StringRepeat), st(""));
    assert_eq!(binop(s("ab"), s("2"), StringRepeat), st("abab"));
    assert_eq!(unop(s("héllo"), StringLen), int(6));
    assert_eq!(unop(I(12345), StringLen), int(5));
    assert_eq!(unop(F(1.5), StringLen), int(3));
    assert_eq!(unop(B(false), StringLen), int(0));
    assert_eq!(unop(PConst::Array(vec![U, U]), StringLen), int(2));
    assert_eq!(ok(&run(vec![LoadInt(1), Concat])), st("1"));
}

// ---------------------------------------------------------------------------------------
// stack ops and underflow

#[test]
fn pair_helper_ops_ignore_underflow() {
    for op in [
        Add, Sub, Mul, Mod, NumEq, NumNe, NumLt, NumGt, NumLe, NumGe, Spaceship,
    ] {
        let o = run(vec![LoadInt(1), op]);
        assert_eq!(ok(&o), int(1), "{op:?} on [1]");
        assert!(o.stack.is_empty());
        assert_eq!(run(vec![op]).result, RunResult::Halted, "{op:?} on []");
    }
}

#[test]
fn other_ops_fill_missing_operands_with_undef() {
    assert_eq!(ok(&run(vec![LoadInt(1), Pow])), fl(0.0));
    assert_eq!(ok(&run(vec![LoadInt(1), StrEq])), NV::Bool(false));
    assert_eq!(ok(&run(vec![LoadInt(1), StrCmp])), int(-1));
    assert_eq!(ok(&run(vec![LoadInt(3), Shl])), int(0));
    assert_eq!(ok(&run(vec![LoadInt(6), BitAnd])), int(0));
    assert_eq!(ok(&run(vec![LoadInt(1), LogOr])), NV::Bool(true));
    assert_eq!(ok(&run(vec![StringLen])), int(0));
    assert_eq!(ok(&run(vec![Inc])), int(1));
    assert_eq!(ok(&run(vec![Concat])), st(""));
    assert_eq!(ok(&run(vec![StringRepeat])), st(""));
}

#[test]
fn dup_swap_rot_pop_on_short_stacks() {
    let o = run(vec![Dup]);
    assert_eq!(ok(&o), NV::Undef);
    let o = run(vec![LoadInt(1), Dup2]);
    assert_eq!((ok(&o), o.stack.len()), (int(1), 0));
    let o = run(vec![LoadInt(1), Swap]);
    assert_eq!((ok(&o), o.stack.len()), (int(1), 0));
    let o = run(vec![LoadInt(1), LoadInt(2), Rot]);
    assert_eq!((ok(&o), o.stack.clone()), (int(2), vec![int(1)]));
    assert_eq!(run(vec![Pop, Pop]).result, RunResult::Halted);
    let o = run(vec![LoadInt(1), LoadInt(2), LoadInt(3), Rot]);
    assert_eq!((ok(&o), o.stack.clone()), (int(1), vec![int(2), int(3)]));
    let o = run(vec![LoadInt(1), LoadInt(2), Dup2]);
    assert_eq!(o.stack, vec![int(1), int(2), int(1)]);
}

// ---------------------------------------------------------------------------------------
// variables, arrays, hashes

#[test]
fn globals_grow_and_declare_var_pops() {
    let p = Program::new(vec![
        LoadInt(5),
        SetVar(6),
        GetVar(30),
        LoadInt(7),
        DeclareVar(0),
        DeclareArray(1),
    ])
    .names(&["a", "b"]);
    let o = assert_same(&p);
    assert_eq!(ok(&o), NV::Undef);
    assert_eq!(o.globals[0], int(7));
    assert_eq!(o.globals[1], arr(vec![]));
    assert_eq!(o.globals[6], int(5));
}

#[test]
fn array_ops_on_a_declared_array() {
    let ops = vec![
        DeclareArray(0),
        LoadInt(10),
        ArrayPush(0),
        LoadConst(0),
        ArrayPush(0),
        LoadInt(30),
        LoadInt(4),
        ArraySet(0), // grows with Undef to index 4
        LoadInt(1),
        ArrayGet(0),
        LoadInt(-1),
        ArrayGet(0), // negative: Undef
        LoadFloat(0.9),
        ArrayGet(0), // index 0
        ArrayLen(0),
        ArrayPop(0),
        ArrayShift(0),
        ArrayLen(0),
    ];
    let o = assert_same(&prog(vec![s("x")], ops).names(&["arr"]));
    assert_eq!(
        o.stack,
        vec![st("x"), NV::Undef, int(10), int(5), int(30), int(10)]
    );
    assert_eq!(ok(&o), int(3));
    assert_eq!(o.globals[0], arr(vec![st("x"), NV::Undef, NV::Undef]));
}

#[test]
fn array_ops_on_non_container_globals() {
    let ops = vec![
        LoadInt(5),
        ArrayPush(0), // undeclared: dropped
        LoadInt(7),
        SetVar(1),
        LoadInt(0),
        ArrayGet(1),
        ArrayLen(1),
        ArrayPop(1),
        ArrayShift(3),
        LoadInt(9),
        LoadInt(0),
        ArraySet(1), // not an array: dropped
        LoadInt(1),
        HashGet(1),
        LoadInt(1),
        HashExists(2),
        HashKeys(1),
    ];
    let o = assert_same(&Program::new(ops).names(&["a", "b"]));
    assert_eq!(
        o.stack,
        vec![
            NV::Undef,
            int(0),
            NV::Undef,
            NV::Undef,
            NV::Undef,
            NV::Bool(false)
        ]
    );
    assert_eq!(ok(&o), arr(vec![]));
    assert_eq!(o.globals, vec![NV::Undef, int(7)]);
}

#[test]
fn hash_ops_and_key_stringification() {
    let ops = vec![
        DeclareHash(0),
        LoadInt(1),
        LoadInt(5),
        HashSet(0), // {"5": 1}
        LoadConst(0),
        LoadFloat(1.0),
        HashSet(0), // {"1": "v"}
        LoadInt(2),
        LoadTrue,
        HashSet(0), // "1" overwritten with 2
        LoadInt(3),
        LoadUndef,
        HashSet(0), // {"": 3}
        LoadInt(1),
        HashGet(0),
        LoadConst(1),
        HashExists(0),
        LoadInt(5),
        HashDelete(0),
        LoadInt(5),
        HashDelete(0),
        LoadInt(99),
        HashGet(0),
    ];
    let o = assert_same(&prog(vec![s("v"), s("")], ops).names(&["h"]));
    assert_eq!(o.stack, vec![int(2), NV::Bool(true), int(1), NV::Undef]);
    assert_eq!(ok(&o), NV::Undef);
    let mut want = BTreeMap::new();
    want.insert("1".to_string(), int(2));
    want.insert(String::new(), int(3));
    assert_eq!(o.globals[0], NV::Hash(want));
}

#[test]
fn hash_keys_and_values_sorted() {
    let ops = vec![
        LoadConst(0),
        LoadInt(1),
        LoadConst(1),
        LoadInt(2),
        LoadConst(2),
        LoadInt(3),
        MakeHash(6),
        SetHash(0),
        HashKeys(0),
        CallBuiltin(BUILTIN_SORT, 1),
        HashValues(0),
        CallBuiltin(BUILTIN_SORT, 1),
        GetHash(0),
        StringLen,
    ];
    let o = assert_same(&prog(vec![s("b"), s("a"), s("c")], ops).names(&["h"]));
    assert_eq!(
        o.stack,
        vec![
            arr(vec![st("a"), st("b"), st("c")]),
            arr(vec![int(1), int(2), int(3)])
        ]
    );
    assert_eq!(ok(&o), int(3));
}

#[test]
fn make_array_and_make_hash_counts() {
    let o = run(vec![LoadInt(1), LoadInt(2), LoadInt(3), MakeArray(3)]);
    assert_eq!(ok(&o), arr(vec![int(1), int(2), int(3)]));
    let o = run(vec![LoadInt(1), LoadInt(2), MakeArray(5)]);
    assert_eq!(ok(&o), arr(vec![int(1), int(2)]));
    assert_eq!(ok(&run(vec![MakeArray(0)])), arr(vec![]));
    let o = run(vec![LoadInt(1), LoadInt(2), LoadInt(3), MakeHash(3)]);
    let mut want = BTreeMap::new();
    want.insert("1".to_string(), int(2));
    assert_eq!(ok(&o), NV::Hash(want));
    let o = run(vec![LoadInt(1), LoadInt(2), LoadInt(1), LoadInt(3), MakeHash(4)]);
    let mut want = BTreeMap::new();
    want.insert("1".to_string(), int(3));
    assert_eq!(ok(&o), NV::Hash(want));
    let o = run(vec![LoadInt(9), LoadInt(1), LoadInt(2), MakeHash(2)]);
    assert_eq!(o.stack, vec![int(9)]);
}

#[test]
fn slot_array_ops() {
    let ops = vec![
        LoadInt(1),
        LoadInt(2),
        MakeArray(2),
        SetSlot(0),
        LoadConst(0),
        LoadInt(3),
        SlotArraySet(0), // grows: [1, 2, Undef, "z"]
        LoadInt(3),
        SlotArrayGet(0),
        LoadInt(-1),
        SlotArrayGet(0),
        LoadInt(7),
        SetSlot(1),
        LoadInt(5),
        LoadInt(0),
        SlotArraySet(1), // not an array: dropped
        LoadInt(0),
        SlotArrayGet(1),
    ];
    let o = run_c(vec![s("z")], ops);
    assert_eq!(o.stack, vec![st("z"), NV::Undef]);
    assert_eq!(ok(&o), NV::Undef);
    assert_eq!(
        o.frames[0].slots,
        vec![arr(vec![int(1), int(2), NV::Undef, st("z")]), int(7)]
    );
}

#[test]
fn ranges_normal_cases() {
    assert_eq!(
        ok(&run(vec![LoadInt(1), LoadInt(4), Range])),
        arr(vec![int(1), int(2), int(3), int(4)])
    );
    assert_eq!(ok(&run(vec![LoadInt(5), LoadInt(1), Range])), arr(vec![]));
    assert_eq!(binop(s("2"), F(3.9), Range), arr(vec![int(2), int(3)]));
    let step = |a, b, c| ok(&run(vec![LoadInt(a), LoadInt(b), LoadInt(c), RangeStep]));
    assert_eq!(step(10, 1, -3), arr(vec![int(10), int(7), int(4), int(1)]));
    assert_eq!(step(1, 10, 4), arr(vec![int(1), int(5), int(9)]));
    assert_eq!(step(1, 10, 0), arr(vec![]));
    assert_eq!(step(1, 10, -1), arr(vec![]));
    assert_eq!(ok(&run(vec![Range])), arr(vec![int(0)]));
}

// ---------------------------------------------------------------------------------------
// control flow

#[test]
fn keep_jumps_never_pop() {
    let o = run(vec![LoadInt(1), JumpIfTrueKeep(3), LoadInt(2), LoadInt(3)]);
    assert_eq!((o.stack.clone(), ok(&o)), (vec![int(1)], int(3)));
    let o = run(vec![LoadInt(0), JumpIfTrueKeep(3), LoadInt(2), LoadInt(3)]);
    assert_eq!(o.stack, vec![int(0), int(2)]);
    // Empty stack: the peek sees Undef; nothing is pushed.
    let o = run(vec![JumpIfTrueKeep(2), LoadInt(2)]);
    assert_eq!((o.stack.len(), ok(&o)), (0, int(2)));
    let o = run(vec![JumpIfFalseKeep(2), LoadInt(2)]);
    assert_eq!(o.result, RunResult::Halted);
    let o = run(vec![LoadUndef, JumpIfFalseKeep(3), LoadInt(9)]);
    assert_eq!((o.stack.len(), ok(&o)), (0, NV::Undef));
}

#[test]
fn jumps_exactly_to_the_end() {
    let o = run(vec![LoadInt(1), Jump(3), LoadInt(2)]);
    assert_eq!(ok(&o), int(1));
    let o = run(vec![LoadInt(1), LoadTrue, JumpIfTrue(4), LoadInt(2)]);
    assert_eq!(ok(&o), int(1));
    let o = run(vec![JumpIfFalse(2), LoadInt(2)]);
    assert_eq!(o.result, RunResult::Halted);
    assert_eq!(run(vec![]).result, RunResult::Halted);
}

#[test]
fn status_truthiness_in_branches() {
    let mut a = Asm::default();
    a.ops(&[LoadInt(0), SetStatus, GetStatus])
        .jump(JumpIfFalse(0), "no");
    a.op(LoadConst(0))
        .jump(Jump(0), "end")
        .label("no")
        .op(LoadConst(1));
    let o = run_c(vec![s("yes"), s("no")], a.finish());
    assert_eq!(ok(&o), st("yes"));
}

#[test]
fn counted_loop_builds_a_string() {
    // s = ""; for i in 0..5 { s = s . i }
    let mut a = Asm::default();
    a.ops(&[LoadConst(0), SetSlot(0), LoadInt(0), SetSlot(1)])
        .label("top");
    a.ops(&[GetSlot(0), GetSlot(1), Concat, SetSlot(0)]);
    a.ops(&[GetSlot(1), Inc, Dup, SetSlot(1), LoadInt(5), NumLt])
        .jump(JumpIfTrue(0), "top");
    a.op(GetSlot(0));
    let o = run_c(vec![s("")], a.finish());
    assert_eq!(ok(&o), st("01234"));
}

// ---------------------------------------------------------------------------------------
// functions and frames

fn fib_program(n: i64) -> Program {
    let mut a = Asm::default();
    a.ops(&[LoadInt(n), Call(0, 1)]).jump(Jump(0), "end");
    a.label("fib")
        .ops(&[SetSlot(0), GetSlot(0), LoadInt(2), NumLt])
        .jump(JumpIfFalse(0), "rec");
    a.ops(&[GetSlot(0), ReturnValue]);
    a.label("rec").ops(&[
        GetSlot(0),
        Dec,
        Call(0, 1),
        GetSlot(0),
        LoadInt(2),
        Sub,
        Call(0, 1),
        Add,
        ReturnValue,
    ]);
    let entry = a.labels["fib"];
    Program::new(a.finish()).names(&["fib"]).sub(0, entry)
}

#[test]
fn recursive_fib() {
    let o = assert_same(&fib_program(15));
    assert_eq!(ok(&o), int(610));
    assert_eq!(o.frames.len(), 1);
}

#[test]
fn ackermann_small() {
    // ack(m, n): m == 0 -> n + 1; n == 0 -> ack(m - 1, 1); else ack(m - 1, ack(m, n - 1))
    let mut a = Asm::default();
    a.ops(&[LoadInt(2), LoadInt(3), Call(0, 2)]).jump(Jump(0), "end");
    a.label("ack")
        .ops(&[SetSlot(1), SetSlot(0), GetSlot(0), LoadInt(0), NumEq])
        .jump(JumpIfFalse(0), "m");
    a.ops(&[GetSlot(1), Inc, ReturnValue]);
    a.label("m")
        .ops(&[GetSlot(1), LoadInt(0), NumEq])
        .jump(JumpIfFalse(0), "both");
    a.ops(&[GetSlot(0), Dec, LoadInt(1), Call(0, 2), ReturnValue]);
    a.label("both").ops(&[
        GetSlot(0),
        Dec,
        GetSlot(0),
        GetSlot(1),
        Dec,
        Call(0, 2),
        Call(0, 2),
        ReturnValue,
    ]);
    let entry = a.labels["ack"];
    let o = assert_same(&Program::new(a.finish()).names(&["ack"]).sub(0, entry));
    assert_eq!(ok(&o), int(9));
}

#[test]
fn call_frames_slots_and_stack_truncation() {
    // main: slot0 = "main"; push 7, f(1, 2, 3); leftover values in f are discarded.
    let mut a = Asm::default();
    a.ops(&[
        LoadConst(0),
        SetSlot(0),
        LoadInt(7),
        LoadInt(1),
        LoadInt(2),
        LoadInt(3),
        Call(0, 3),
        GetSlot(0),
    ]);
    a.jump(Jump(0), "end");
    a.label("f")
        .ops(&[SetSlot(2), SetSlot(1), SetSlot(0), LoadInt(99), LoadInt(98)]);
    a.ops(&[GetSlot(0), GetSlot(1), Add, GetSlot(2), Mul, ReturnValue]);
    let entry = a.labels["f"];
    let o = assert_same(&prog(vec![s("main")], a.finish()).names(&["f"]).sub(0, entry));
    assert_eq!(ok(&o), st("main"));
    assert_eq!(o.stack, vec![int(7), int(9)]);
    assert_eq!(o.frames[0].slots, vec![st("main")]);
}

#[test]
fn plain_return_discards_everything_above_the_base() {
    let mut a = Asm::default();
    a.ops(&[LoadInt(1), LoadInt(2), Call(0, 1)]).jump(Jump(0), "end");
    a.label("f").ops(&[LoadInt(5), Return]);
    let entry = a.labels["f"];
    let o = assert_same(&Program::new(a.finish()).names(&["f"]).sub(0, entry));
    assert_eq!(ok(&o), int(1));
    assert!(o.stack.is_empty());
}

#[test]
fn call_of_an_undefined_function_is_an_error() {
    let p = Program::new(vec![LoadInt(1), Call(1, 1), LoadInt(2)])
        .names(&["f", "nofunc"])
        .sub(0, 3);
    let o = assert_same(&p);
    match &o.result {
        RunResult::Error(m) => assert!(m.starts_with("undefined function: nofunc"), "{m}"),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn falling_off_the_end_inside_a_function_keeps_frames() {
    let mut a = Asm::default();
    a.ops(&[LoadInt(1), Call(0, 1)]).jump(Jump(0), "end");
    a.label("f")
        .ops(&[SetSlot(0), LoadInt(5), SetSlot(3), LoadInt(6)])
        .jump(Jump(0), "end");
    let entry = a.labels["f"];
    let o = assert_same(&Program::new(a.finish()).names(&["f"]).sub(0, entry));
    assert_eq!(ok(&o), int(6));
    assert_eq!(o.frames.len(), 2);
    assert_eq!(o.frames[1].slots, vec![int(1), NV::Undef, NV::Undef, int(5)]);
}

#[test]
fn push_frame_pop_frame_scopes() {
    let ops = vec![
        LoadInt(1),
        SetSlot(0),
        LoadInt(50),
        PushFrame,
        GetSlot(0), // Undef in the new scope
        LoadInt(2),
        SetSlot(0),
        LoadInt(3),
        PopFrame, // truncates to the scope's base: the Undef and 3 go
        GetSlot(0),
    ];
    let o = run(ops);
    assert_eq!(ok(&o), int(1));
    assert_eq!(o.stack, vec![int(50)]);
    assert_eq!(o.frames.len(), 1);
}

#[test]
fn slots_inside_called_frames_and_scopes() {
    let mut a = Asm::default();
    a.ops(&[LoadInt(4), SetSlot(2), Call(0, 0), GetSlot(2)])
        .jump(Jump(0), "end");
    a.label("f").ops(&[
        GetSlot(2),
        PushFrame,
        LoadInt(8),
        SetSlot(2),
        PopFrame,
        LoadInt(1),
        SetSlot(2),
        ReturnValue,
    ]);
    let entry = a.labels["f"];
    let o = assert_same(&Program::new(a.finish()).names(&["f"]).sub(0, entry));
    assert_eq!(o.stack, vec![NV::Undef]);
    assert_eq!(ok(&o), int(4));
}

// ---------------------------------------------------------------------------------------
// fused ops

#[test]
fn fused_slot_ops_coerce_with_to_int() {
    let ops = vec![
        LoadFloat(1.9),
        SetSlot(0),
        LoadFloat(1.9),
        SetSlot(1),
        AddAssignSlotVoid(0, 1), // Int(2)
        LoadConst(0),
        SetSlot(2),
        PreIncSlot(2), // "41" -> 42
        LoadConst(1),
        SetSlot(3),
        PreIncSlotVoid(3), // "3.7" -> 0 + 1
        PreIncSlotVoid(9), // Undef -> 1
    ];
    let o = run_c(vec![s("41"), s("3.7")], ops);
    assert_eq!(ok(&o), int(42));
    let slots = &o.frames[0].slots;
    assert_eq!(slots[..4].to_vec(), vec![int(2), fl(1.9), int(42), int(1)]);
    assert_eq!(slots[9], int(1));
}

#[test]
fn accum_and_concat_and_range_loops() {
    let ops = vec![
        LoadConst(0),
        SetSlot(0),
        LoadFloat(2.7),
        SetSlot(1),
        AccumSumLoop(0, 1, 5), // sum "10" + 2 + 3 + 4 = 19, i = 5
        LoadConst(1),
        SetSlot(2),
        LoadInt(1),
        SetSlot(3),
        ConcatConstLoop(2, 2, 3, 4), // "x" . "ab" x 3
        LoadInt(7),
        SetVar(0),
        LoadInt(2),
        SetSlot(4),
        PushIntRangeLoop(0, 4, 5), // non-array global replaced by [2, 3, 4]
        AccumSumLoop(5, 6, -3),    // no iteration: still writes Int(0), Int(0)
    ];
    let o = assert_same(&prog(vec![s("10"), s("x"), s("ab")], ops).names(&["a"]));
    assert_eq!(o.result, RunResult::Halted);
    let sl = &o.frames[0].slots;
    assert_eq!(
        sl.clone(),
        vec![int(19), int(5), st("xababab"), int(4), int(5), int(0), int(0)]
    );
    assert_eq!(o.globals[0], arr(vec![int(2), int(3), int(4)]));
}

#[test]
fn fused_jumps_in_loops() {
    // i = 0; do { n += 1 } while (++i < 4) ; then a top-tested loop that never runs.
    let mut a = Asm::default();
    a.ops(&[LoadInt(0), SetSlot(0), LoadFloat(0.5), SetSlot(1)])
        .label("top");
    a.op(PreIncSlotVoid(1)).jump(SlotIncLtIntJumpBack(0, 4, 0), "top");
    a.label("t2")
        .jump(SlotLtIntJumpIfFalse(0, 3, 0), "out")
        .op(PreIncSlotVoid(2))
        .jump(Jump(0), "t2");
    a.label("out").op(GetSlot(1));
    let o = run(a.finish());
    assert_eq!(ok(&o), int(4));
    assert_eq!(o.frames[0].slots, vec![int(4), int(4)]);
}

// ---------------------------------------------------------------------------------------
// builtins, extensions, higher-order stubs

#[test]
fn call_builtin_registered_and_not() {
    let o = run(vec![LoadInt(1), LoadInt(2), CallBuiltin(BUILTIN_UNREGISTERED, 2)]);
    assert_eq!((ok(&o), o.stack.clone()), (int(2), vec![int(1)]));
    let o = run(vec![
        LoadInt(5),
        LoadInt(1),
        LoadInt(2),
        CallBuiltin(BUILTIN_SUM, 2),
    ]);
    assert_eq!((ok(&o), o.stack.clone()), (int(3), vec![int(5)]));
}

#[test]
fn extended_without_and_with_handler() {
    let ops = vec![LoadInt(1), Extended(1, 2), ExtendedWide(3, 4)];
    let o = run(ops.clone());
    assert_eq!((ok(&o), o.stack.len()), (int(1), 0));
    let o = assert_same(&Program::new(ops).with_handlers());
    assert_eq!(o.stack, vec![int(1), int(1002)]);
    assert_eq!(ok(&o), int(3004));
}

#[test]
fn higher_order_stubs_do_nothing() {
    let o = run(vec![
        LoadInt(1),
        MapBlock(0),
        GrepBlock(1),
        SortBlock(2),
        SortDefault,
        ForEachBlock(3),
    ]);
    assert_eq!((ok(&o), o.stack.len()), (int(1), 0));
}

// ---------------------------------------------------------------------------------------
// shell ops that are pure without a host

#[test]
fn set_status_truncates_and_get_status() {
    let o = run_c(vec![I(300_000_000_000)], vec![LoadConst(0), SetStatus, GetStatus]);
    assert_eq!(ok(&o), NV::Status(-647_710_720));
    assert_eq!(o.last_status, -647_710_720);
    let o = run_c(
        vec![s("7")],
        vec![
            LoadConst(0),
            SetStatus,
            PipelineBegin(2),
            PipelineStage,
            PipelineEnd,
        ],
    );
    assert_eq!((ok(&o), o.last_status), (NV::Status(7), 7));
    let o = run(vec![LoadInt(3), SetStatus, SubshellBegin, SubshellEnd, GetStatus]);
    assert_eq!(ok(&o), NV::Status(3));
}

#[test]
fn word_split_brace_tilde_match() {
    assert_eq!(
        unop(s(" a b  c\t"), WordSplit),
        arr(vec![st("a"), st("b"), st("c")])
    );
    assert_eq!(unop(s("{a,b}"), BraceExpand), arr(vec![st("{a,b}")]));
    assert_eq!(unop(s("~/x"), TildeExpand), st("~/x"));
    assert_eq!(binop(s("ab"), s("ab"), StrMatch), NV::Bool(true));
    assert_eq!(binop(s("ab"), s("a*"), StrMatch), NV::Bool(false));
    assert_eq!(binop(s("ab"), s("a.*"), RegexMatch), NV::Bool(false));
    assert_eq!(unop(I(12), WordSplit), arr(vec![st("12")]));
}

#[test]
fn expand_param_pops_by_modifier() {
    // DEFAULT (0) pops name + 1 arg; SUBST_ALL (10) pops 2 args; LENGTH (4) and unknown
    // modifiers pop only the name. No host: always Str("").
    let base = [LoadInt(1), LoadInt(2), LoadInt(3), LoadInt(4)];
    for (m, left) in [(0u8, 2usize), (10, 1), (4, 3), (99, 3)] {
        let mut ops = base.to_vec();
        ops.push(ExpandParam(m));
        let o = run(ops);
        assert_eq!(ok(&o), st(""), "modifier {m}");
        assert_eq!(o.stack.len(), left, "modifier {m}");
    }
}

#[test]
fn redirects_heredocs_traps_and_substitutions() {
    let ops = vec![
        LoadInt(1),
        LoadInt(2),
        Redirect(1, 0), // pops the target
        HereDoc(0),     // pops nothing
        LoadInt(3),
        HereString, // pops one
        LoadInt(4),
        TrapSet(0), // pops the signal
        TrapCheck,
        WithRedirectsBegin(1),
        WithRedirectsEnd,
        CmdSubst(0),
        ProcessSubIn(0),
        ProcessSubOut(0),
    ];
    let o = assert_same(&prog(vec![s("doc")], ops).with_sub_chunks(1));
    assert_eq!(o.stack, vec![int(1), st(""), st("")]);
    assert_eq!(ok(&o), st(""));
}

// ---------------------------------------------------------------------------------------
// the harness itself

#[test]
fn harness_reports_a_known_difference() {
    // B1 (excluded from the generators): at top level upstream's `Return` re-runs the chunk
    // with no frames (result Undef), ours halts with the stack top (5). The harness must see it.
    let p = Program::new(vec![LoadInt(5), SetSlot(0), GetSlot(0), Return]);
    match compare(&p) {
        Verdict::Mismatch(m) => assert!(m.contains("program:") && m.contains("upstream:"), "{m}"),
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn harness_discards_upstream_panics_and_our_limits() {
    // B5: upstream panics on i64::MIN % -1 (ours gives 0).
    match compare(&Program::new(vec![LoadInt(i64::MIN), LoadInt(-1), Mod])) {
        Verdict::Skipped(why) => assert!(why.contains("upstream panicked"), "{why}"),
        other => panic!("expected a discard, got {other:?}"),
    }
    // B9: a huge repeat hits our string limit before upstream could abort on allocation.
    match compare(&Program::new(vec![LoadTrue, LoadInt(1 << 40), StringRepeat])) {
        Verdict::Skipped(why) => assert!(why.contains("limit"), "{why}"),
        other => panic!("expected a discard, got {other:?}"),
    }
}
