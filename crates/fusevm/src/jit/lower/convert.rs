//! Conversions between the native representations of values: the `Value::to_float`,
//! `to_int` and `is_truthy` rules for the numeric variants, and moving a value into a
//! wider kind (tagging) or a narrower one (after a guard removed tags).
//!
//! Payload invariant of tagged values (relied on below): `Undef` and `VM` carry 0, `Bool`
//! 0/1, `Int` the integer, `Float` its bits. So `to_int` of anything but a float is the
//! payload, and `to_float` of anything but a float is the payload converted.

use super::kind::{JVal, Kind, TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_UNDEF, TAG_VM};
use super::Lowerer;
use cranelift_codegen::ir::condcodes::CondCode;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, InstructionData, MemFlagsData, Value as Reg, ValueDef};

/// Whether a value is an `Int`, as far as compile time knows.
pub(super) enum IsInt {
    Yes,
    No,
    /// Decided at run time: this `i8` is 1 for an `Int`.
    Dyn(Reg),
}

impl Lowerer<'_> {
    /// `Value::to_float` (`f64`).
    pub(super) fn float_of(&mut self, v: &JVal) -> Reg {
        match *v {
            JVal::Float(r) => r,
            JVal::Int(r) => self.b.ins().fcvt_from_sint(types::F64, r),
            JVal::Bool(r) => {
                let w = self.b.ins().uextend(types::I64, r);
                self.b.ins().fcvt_from_sint(types::F64, w)
            }
            JVal::Undef | JVal::Vm => self.b.ins().f64const(0.0),
            JVal::Tagged { kind, tag, payload } => {
                let as_int = self.b.ins().fcvt_from_sint(types::F64, payload);
                if !kind.meets(Kind::FLOAT) {
                    return as_int;
                }
                let bits = self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload);
                let is_float = self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_FLOAT as i64);
                self.b.ins().select(is_float, bits, as_int)
            }
        }
    }

    /// `Value::to_int` (`i64`): floats truncate, saturating, NaN → 0 (Rust's `as`).
    pub(super) fn int_of(&mut self, v: &JVal) -> Reg {
        match *v {
            JVal::Int(r) => r,
            JVal::Float(r) => self.b.ins().fcvt_to_sint_sat(types::I64, r),
            JVal::Bool(r) => self.b.ins().uextend(types::I64, r),
            JVal::Undef | JVal::Vm => self.b.ins().iconst(types::I64, 0),
            JVal::Tagged { kind, tag, payload } => {
                if !kind.meets(Kind::FLOAT) {
                    return payload;
                }
                let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload);
                let from_float = self.b.ins().fcvt_to_sint_sat(types::I64, f);
                let is_float = self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_FLOAT as i64);
                self.b.ins().select(is_float, from_float, payload)
            }
        }
    }

    /// `Value::is_truthy` (`i8` 0/1): `Undef` false, `Bool` itself, numbers non-zero
    /// (a NaN is true: `NaN != 0.0`).
    pub(super) fn truthy(&mut self, v: &JVal) -> Reg {
        match *v {
            JVal::Bool(r) => r,
            JVal::Int(r) => self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0),
            JVal::Float(r) => self.float_nonzero(r),
            JVal::Undef | JVal::Vm => self.b.ins().iconst(types::I8, 0),
            JVal::Tagged { kind, tag, payload } => {
                let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, payload, 0);
                if !kind.meets(Kind::FLOAT) {
                    return nonzero;
                }
                let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload);
                let f_nonzero = self.float_nonzero(f);
                let is_float = self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_FLOAT as i64);
                self.b.ins().select(is_float, f_nonzero, nonzero)
            }
        }
    }

    /// The negation of a condition (`i8` 0/1). A comparison is re-emitted with the
    /// complementary condition code (NaN-correct), so the branch can still use the flags.
    pub(crate) fn negate(&mut self, cond: Reg) -> Reg {
        if let ValueDef::Result(inst, 0) = self.b.func.dfg.value_def(cond) {
            let data = self.b.func.dfg.insts[inst];
            if let InstructionData::IntCompare { cond: cc, args, .. } = data {
                return self.b.ins().icmp(cc.complement(), args[0], args[1]);
            }
            if let InstructionData::FloatCompare { cond: cc, args, .. } = data {
                return self.b.ins().fcmp(cc.complement(), args[0], args[1]);
            }
        }
        self.b.ins().bxor_imm_s(cond, 1)
    }

    /// `f != 0.0` (unordered counts as not equal, like Rust).
    fn float_nonzero(&mut self, f: Reg) -> Reg {
        let zero = self.b.ins().f64const(0.0);
        self.b.ins().fcmp(FloatCC::NotEqual, f, zero)
    }

    pub(super) fn is_int(&mut self, v: &JVal) -> IsInt {
        match *v {
            JVal::Int(_) => IsInt::Yes,
            JVal::Tagged { kind, tag, .. } if kind.meets(Kind::INT) => {
                IsInt::Dyn(self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_INT as i64))
            }
            JVal::Tagged { .. } | JVal::Float(_) | JVal::Bool(_) | JVal::Undef | JVal::Vm => IsInt::No,
        }
    }

    /// Whether both are `Int` (the pair ops' integer path).
    pub(super) fn both_int(&mut self, a: &JVal, b: &JVal) -> IsInt {
        match (self.is_int(a), self.is_int(b)) {
            (IsInt::No, _) | (_, IsInt::No) => IsInt::No,
            (IsInt::Yes, IsInt::Yes) => IsInt::Yes,
            (IsInt::Dyn(c), IsInt::Yes) | (IsInt::Yes, IsInt::Dyn(c)) => IsInt::Dyn(c),
            (IsInt::Dyn(x), IsInt::Dyn(y)) => IsInt::Dyn(self.b.ins().band(x, y)),
        }
    }

    /// The integer of a value known (or tested) to be an `Int`; meaningless otherwise.
    pub(super) fn int_payload(&mut self, v: &JVal) -> Reg {
        match *v {
            JVal::Int(r) => r,
            JVal::Tagged { payload, .. } => payload,
            JVal::Float(_) | JVal::Bool(_) | JVal::Undef | JVal::Vm => self.b.ins().iconst(types::I64, 0),
        }
    }

    /// `(tag, payload)` of any value, keeping the payload invariant.
    pub(super) fn tag_and_payload(&mut self, v: &JVal) -> (Reg, Reg) {
        let (tag, payload) = match *v {
            JVal::Tagged { tag, payload, .. } => return (tag, payload),
            JVal::Int(r) => (TAG_INT, r),
            JVal::Float(r) => (
                TAG_FLOAT,
                self.b.ins().bitcast(types::I64, MemFlagsData::new(), r),
            ),
            JVal::Bool(r) => (TAG_BOOL, self.b.ins().uextend(types::I64, r)),
            JVal::Undef => (TAG_UNDEF, self.b.ins().iconst(types::I64, 0)),
            JVal::Vm => (TAG_VM, self.b.ins().iconst(types::I64, 0)),
        };
        (self.b.ins().iconst(types::I8, tag as i64), payload)
    }

    /// `v` represented as a value of kind `target` (which must cover `v`'s kind).
    /// `None` when it does not.
    pub(crate) fn widen(&mut self, v: &JVal, target: Kind) -> Option<JVal> {
        let k = v.kind();
        if !target.covers(k) {
            return None;
        }
        if k == target {
            return Some(*v);
        }
        let (tag, payload) = self.tag_and_payload(v);
        Some(JVal::Tagged {
            kind: target,
            tag,
            payload,
        })
    }

    /// A tagged value whose possible tags a guard reduced to `kind`, in `kind`'s
    /// representation (unboxed when one tag is left).
    pub(super) fn narrow(&mut self, tag: Reg, payload: Reg, kind: Kind) -> JVal {
        match kind.single() {
            Some(TAG_INT) => JVal::Int(payload),
            Some(TAG_FLOAT) => JVal::Float(self.b.ins().bitcast(types::F64, MemFlagsData::new(), payload)),
            Some(TAG_BOOL) => JVal::Bool(self.b.ins().ireduce(types::I8, payload)),
            Some(TAG_VM) => JVal::Vm,
            Some(_) => JVal::Undef,
            None => JVal::Tagged { kind, tag, payload },
        }
    }

    /// An `Int`-or-`Float` result chosen at run time: `int` when `is_int`, else `float`.
    pub(super) fn int_or_float(&mut self, is_int: Reg, int: Reg, float: Reg) -> JVal {
        let fbits = self.b.ins().bitcast(types::I64, MemFlagsData::new(), float);
        let payload = self.b.ins().select(is_int, int, fbits);
        let ti = self.b.ins().iconst(types::I8, TAG_INT as i64);
        let tf = self.b.ins().iconst(types::I8, TAG_FLOAT as i64);
        let tag = self.b.ins().select(is_int, ti, tf);
        JVal::Tagged {
            kind: Kind::INT.union(Kind::FLOAT),
            tag,
            payload,
        }
    }
}
