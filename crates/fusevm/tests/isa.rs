//! Table-driven properties of the instruction set: sizes pinned, upstream's declaration
//! order, unique mnemonics, and every fused op proven equal to the sequence it declares
//! (`OpInfo::fuses`) on many inputs.

use fusevm::asm::assemble;
use fusevm::isa::{OperandKind, OP_COUNT, OP_INFO};
use fusevm::{Op, VMResult, Value, VM};

#[test]
fn op_and_value_sizes_are_pinned() {
    assert!(
        std::mem::size_of::<Op>() <= 16,
        "Op is {} bytes",
        std::mem::size_of::<Op>()
    );
    assert_eq!(std::mem::size_of::<Value>(), 16);
    assert_eq!(std::mem::align_of::<Value>(), 8);
    // The stack's `pop` returns `Option<Value>`: the tag's spare values hold `None`.
    assert_eq!(std::mem::size_of::<Option<Value>>(), 16);
}

/// Upstream's declaration order (spec/ops.md § 1): serde's binary encoders and `op_hash`
/// depend on it.
const UPSTREAM_ORDER: &str =
    "Nop LoadInt LoadFloat LoadConst LoadTrue LoadFalse LoadUndef Pop Dup Dup2 Swap Rot \
GetVar SetVar DeclareVar GetSlot SetSlot SlotArrayGet SlotArraySet GetArray SetArray DeclareArray ArrayGet \
ArraySet ArrayPush ArrayPop ArrayShift ArrayLen MakeArray GetHash SetHash DeclareHash HashGet HashSet \
HashDelete HashExists HashKeys HashValues MakeHash Add Sub Mul Div Mod Pow Negate Inc Dec Concat \
StringRepeat StringLen NumEq NumNe NumLt NumGt NumLe NumGe Spaceship StrEq StrNe StrLt StrGt StrLe StrGe \
StrCmp LogNot LogAnd LogOr BitAnd BitOr BitXor BitNot Shl Shr Jump JumpIfTrue JumpIfFalse JumpIfTrueKeep \
JumpIfFalseKeep Call Return ReturnValue PushFrame PopFrame Print PrintLn ReadLine Range RangeStep MapBlock \
GrepBlock SortBlock SortDefault ForEachBlock PreIncSlot SlotLtIntJumpIfFalse SlotIncLtIntJumpBack \
AccumSumLoop ConcatConstLoop PushIntRangeLoop AddAssignSlotVoid PreIncSlotVoid CallBuiltin Extended \
ExtendedWide Exec ExecBg PipelineBegin PipelineStage PipelineEnd Redirect HereDoc HereString CmdSubst \
SubshellBegin SubshellEnd ProcessSubIn ProcessSubOut Glob GlobRecursive TestFile SetStatus GetStatus \
TrapSet TrapCheck ExpandParam WordSplit BraceExpand TildeExpand CallFunction StrMatch RegexMatch \
WithRedirectsBegin WithRedirectsEnd";

#[test]
fn declaration_order_is_upstreams() {
    let names: Vec<&str> = OP_INFO.iter().map(|i| i.name).collect();
    let expected: Vec<&str> = UPSTREAM_ORDER.split_whitespace().collect();
    assert_eq!(OP_COUNT, 134);
    assert_eq!(names, expected);
}

#[test]
fn serde_uses_upstreams_external_tagging() {
    assert_eq!(serde_json::to_string(&Op::Add).unwrap(), "\"Add\"");
    assert_eq!(serde_json::to_string(&Op::LoadInt(5)).unwrap(), "{\"LoadInt\":5}");
    assert_eq!(
        serde_json::to_string(&Op::Call(1, 2)).unwrap(),
        "{\"Call\":[1,2]}"
    );
    // bincode writes the variant index: `Add` is variant 39.
    assert_eq!(&bincode::serialize(&Op::Add).unwrap()[..4], &39u32.to_le_bytes());
}

#[test]
fn every_op_has_a_unique_mnemonic_a_doc_and_its_number() {
    let mut seen = std::collections::HashSet::new();
    for (i, info) in OP_INFO.iter().enumerate() {
        assert!(seen.insert(info.mnemonic), "duplicate mnemonic {}", info.mnemonic);
        assert!(
            info.doc.contains("->"),
            "{} doc lacks stack notation: {:?}",
            info.name,
            info.doc
        );
        let (code, found) = fusevm::isa::OpInfo::by_mnemonic(info.mnemonic).unwrap();
        assert_eq!((code as usize, found.name), (i, info.name));
    }
}

/// Inputs each fused op is checked on: slot values, loop limits.
const SLOT_VALUES: &[i64] = &[-3, 0, 1, 4, 9, i64::MAX - 1, i64::MAX];
const LIMITS: &[i64] = &[-2, 0, 3, 10];

/// Renders an operand for a template. Integer slots come from slots 0 and 1; a string
/// slot (`s_slot`) is slot 2, which holds a string, as the fused op's contract requires.
fn operand_text(name: &str, kind: OperandKind, slot: &mut u16, limit: i64) -> String {
    match kind {
        OperandKind::Slot if name == "s_slot" => "2".into(),
        OperandKind::Slot => {
            *slot += 1;
            (*slot - 1).to_string()
        }
        OperandKind::Limit => limit.to_string(),
        OperandKind::Target => "taken".into(),
        OperandKind::Const | OperandKind::Global => "0".into(),
        other => panic!("no test operand for {other:?}"),
    }
}

/// Runs `body` after setting slots 0 and 1, then reports every observable.
fn observe(body: &str, a: i64, b: i64) -> String {
    let text = format!(
        ".const \"ab\"\n.name arr\ndeclare_array 0\nload_int {a}\nset_slot 0\nload_int {b}\nset_slot 1\nload_const \"x\"\nset_slot 2\n\
         {body}\nload_int 111\njump done\ntaken:\nload_int 222\ndone:\n"
    );
    let chunk = assemble(&text, "fused.fasm").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut vm = VM::new(chunk);
    let r = match vm.run() {
        VMResult::Ok(v) => format!("{v:?}"),
        other => format!("{other:?}"),
    };
    format!(
        "result {r}, stack {:?}, slots {:?}, globals {:?}",
        vm.stack, vm.frames[0].slots, vm.globals
    )
}

#[test]
fn every_fused_op_equals_the_sequence_it_replaces() {
    let mut checked = 0;
    for info in OP_INFO.iter().filter(|i| i.fuses.is_some()) {
        let template = info.fuses.unwrap();
        let has_limit = info.operands.iter().any(|(_, k)| *k == OperandKind::Limit);
        let limits: &[i64] = if has_limit { LIMITS } else { &[0] };
        for &limit in limits {
            for &a in SLOT_VALUES {
                for &b in SLOT_VALUES {
                    let mut slot = 0u16;
                    let texts: Vec<String> = info
                        .operands
                        .iter()
                        .map(|(n, k)| operand_text(n, *k, &mut slot, limit))
                        .collect();
                    let fused = format!("{} {}", info.mnemonic, texts.join(", "));
                    let mut expansion = template.to_string();
                    for (k, t) in texts.iter().enumerate() {
                        expansion = expansion.replace(&format!("{{{k}}}"), t);
                    }
                    let (x, y) = (observe(&fused, a, b), observe(&expansion, a, b));
                    assert_eq!(x, y, "{} with slots ({a}, {b}), limit {limit}", info.name);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} fused cases ran");
}
