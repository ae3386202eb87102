//! Assembler errors: each is located at the exact line and column and says what was
//! expected; nesting limits turn would-be stack overflows into errors.

use crate::asm::{assemble, parse_value};

/// Assembles `src` expecting an error; returns `line:col: message`.
fn err(src: &str) -> String {
    match assemble(src, "e.fasm") {
        Ok(c) => panic!("expected an error for {src:?}, got {:?}", c.ops),
        Err(e) => {
            assert_eq!(e.file, "e.fasm");
            format!("{}:{}: {}", e.line, e.col, e.message)
        }
    }
}

#[test]
fn errors_are_located_and_say_what_was_expected() {
    assert_eq!(err("nop\n  frob 1\n"), "2:3: unknown mnemonic `frob`");
    assert_eq!(
        err("get_slot"),
        "1:9: expected operand `slot` of `get_slot`, found end of line"
    );
    assert_eq!(
        err("call 1"),
        "1:7: expected operand `argc` of `call`, found end of line"
    );
    assert_eq!(
        err("add 1"),
        "1:5: expected end of line after the 0 operand(s) of `add`, found `1`"
    );
    assert_eq!(
        err("get_slot 1, 2"),
        "1:13: expected end of line after the 1 operand(s) of `get_slot`, found `2`"
    );
    assert_eq!(
        err("print 256"),
        "1:7: expected an integer in 0..=255 for operand `count`, found `256`"
    );
    assert_eq!(
        err("print -1"),
        "1:7: expected an integer in 0..=255 for operand `count`, found `-1`"
    );
    assert_eq!(
        err("\n get_slot 65536"),
        "2:11: expected an integer in 0..=65535 for operand `slot`, found `65536`"
    );
    assert_eq!(
        err("slot_lt_int_jump_if_false 0, 2147483648, 0"),
        "1:30: expected an integer in -2147483648..=2147483647 for operand `limit`, found `2147483648`"
    );
    assert_eq!(
        err("load_int 9223372036854775808").split(": ").next(),
        Some("1:10")
    );
    assert_eq!(
        err("load_float 9007199254740993"),
        "1:12: expected a float for operand `value`, found `9007199254740993` (not exactly representable as f64)"
    );
    assert_eq!(
        err("load_float x"),
        "1:12: expected a float literal (1.5, -0.0, 1e21, NaN, inf, -inf), found `x`"
    );
    assert_eq!(
        err("get_slot x"),
        "1:10: expected an integer (a slot index), found `x`"
    );
    assert_eq!(err("nop\njump nowhere\nnop"), "2:6: undefined label `nowhere`");
    assert_eq!(
        err("a: nop\n a: nop"),
        "2:2: duplicate label `a` (first defined on line 1)"
    );
    assert_eq!(
        err("1: nop"),
        "1:1: expected a label name (an identifier), found `1`"
    );
    assert_eq!(
        err("nop\nload_const \"abc"),
        "2:12: unterminated string literal (no closing `\"`)"
    );
    assert_eq!(
        err("load_const \"a\\qb\""),
        "1:14: expected an escape (\\n \\t \\r \\0 \\\\ \\\" \\u{..}), found `\\q`"
    );
    assert_eq!(
        err("load_const \"\\u{110000}\""),
        "1:13: expected a unicode escape `\\u{HEX}` naming a valid character"
    );
    assert_eq!(
        err(".const [1, 2"),
        "1:13: expected `,` or `]`, found end of line"
    );
    assert_eq!(err(".const [1 2]"), "1:11: expected `,` or `]`, found `2`");
    assert_eq!(
        err(".const status(x)"),
        "1:15: expected an i32 inside `status(..)`"
    );
    assert_eq!(
        err(".const {\"a\": 1, \"a\": 2}"),
        "1:17: duplicate hash key \"a\""
    );
    assert_eq!(
        err(".const nope"),
        "1:8: expected a value (undef, true, false, a number, \"string\", [..], {..}, status(N), native(N), ref(v)), found `nope`"
    );
    assert_eq!(
        err("load_const 1.5 2"),
        "1:16: expected end of line after the 1 operand(s) of `load_const`, found `2`"
    );
    assert_eq!(err("nop\n.end"), "2:1: `.end` without a matching `.sub`");
    assert_eq!(err("nop\n  .sub\nnop\n"), "2:3: `.sub` has no matching `.end`");
    assert_eq!(err(".sub\n jump x\n.end"), "2:7: undefined label `x`");
    assert_eq!(
        err("jump \"x\""),
        "1:6: expected a jump target (label or op index), found `\"x\"`"
    );
    assert_eq!(
        err("get_var 1.5"),
        "1:9: expected a name (identifier, \"string\" or name index), found `1.5`"
    );
    assert_eq!(err(".frob"), "1:1: unknown directive `.frob`");
    assert_eq!(err(".line -1"), "1:7: expected a line number (u32), found `-1`");
    assert_eq!(
        err(".source"),
        "1:8: expected a file name (\"string\" or identifier), found end of line"
    );
    assert_eq!(
        err(", nop"),
        "1:1: expected a mnemonic, a directive or a label, found `,`"
    );
    assert_eq!(err("é nop"), "1:1: unknown mnemonic `é`");
    assert_eq!(
        err("load_const \"é\" x"),
        "1:16: expected end of line after the 1 operand(s) of `load_const`, found `x`"
    );
    let e = assemble("nop\n  frob", "f.fasm").unwrap_err();
    assert_eq!(e.to_string(), "f.fasm:2:3: unknown mnemonic `frob`");
}

#[test]
fn nesting_limits_are_errors_not_overflows() {
    let deep_value = format!(".const {}1{}", "[".repeat(100), "]".repeat(100));
    assert!(err(&deep_value).contains("nested too deeply"));
    let deep_sub = ".sub\n".repeat(100);
    assert!(err(&deep_sub).contains("nested too deeply"));
    assert!(parse_value(&"ref(".repeat(1000)).is_err());
}
