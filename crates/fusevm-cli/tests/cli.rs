//! Runs the real `fusevm` binary over `examples/*.fasm` and over broken inputs, checking
//! stdout, stderr and the exit status: 0 success, 1 program failure, 2 usage/load error.
//!
//! Expected results are computed by hand from what each program does (see the comment at
//! each entry), never read off the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn example(name: &str) -> String {
    examples_dir().join(name).display().to_string()
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fusevm-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path.display().to_string()
}

/// Runs `fusevm ARGS` in `dir` (so relative file names stay short in messages).
fn fusevm_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_fusevm"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run the fusevm binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fusevm(args: &[&str]) -> (i32, String, String) {
    fusevm_in(&std::env::temp_dir(), args)
}

/// Every example and exactly what `fusevm run` prints for it.
const EXAMPLES: &[(&str, &str)] = &[
    // fib(25)
    ("fib.fasm", "75025\n"),
    // ack(3, 5) = 2^(5+3) - 3
    ("ackermann.fasm", "253\n"),
    // (0 + 1 + ... + 299)^2 = 44850^2
    ("loops.fasm", "2011522500\n"),
    (
        "strings.fasm",
        "\"1 2 fizz 4 buzz fizz 7 8 fizz buzz 11 fizz 13 14 fizzbuzz\"\n",
    ),
    // the:3 cat:2 saw dog and ran:1, keys sorted
    (
        "arrays_hashes.fasm",
        "{\"and\": 1, \"cat\": 2, \"dog\": 1, \"ran\": 1, \"saw\": 1, \"the\": 3}\n",
    ),
    // 21 doubled by the demo extension
    ("extension.fasm", "42\n"),
    // printed by the program; the stack ends empty, so no result line
    ("hello.fasm", "hello, world\n"),
];

#[test]
fn every_example_is_listed_here() {
    let mut found: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".fasm"))
        .collect();
    found.sort();
    let mut listed: Vec<String> = EXAMPLES.iter().map(|e| e.0.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "give every example an expected output in EXAMPLES");
}

#[test]
fn every_example_runs_and_prints_its_result() {
    for &(name, expected) in EXAMPLES {
        let (code, out, err) = fusevm(&["run", &example(name)]);
        assert_eq!((code, out.as_str(), err.as_str()), (0, expected, ""), "{name}");
    }
}

#[test]
fn asm_disasm_asm_round_trip_is_exact_for_every_example() {
    let dir = scratch("roundtrip");
    for &(name, expected) in EXAMPLES {
        let stem = name.trim_end_matches(".fasm");
        let (a_fvm, b_fasm, b_fvm) = (
            format!("{stem}.fvm"),
            format!("{stem}.dis.fasm"),
            format!("{stem}.2.fvm"),
        );
        assert_eq!(
            fusevm_in(&dir, &["asm", &example(name), "-o", &a_fvm]).0,
            0,
            "{name}"
        );
        let (code, text, err) = fusevm_in(&dir, &["disasm", &a_fvm]);
        assert_eq!((code, err.as_str()), (0, ""), "{name}");
        write(&dir, &b_fasm, &text);
        assert_eq!(fusevm_in(&dir, &["asm", &b_fasm, "-o", &b_fvm]).0, 0, "{name}");
        let first = std::fs::read(dir.join(&a_fvm)).expect("a.fvm");
        let second = std::fs::read(dir.join(&b_fvm)).expect("b.fvm");
        assert_eq!(
            first, second,
            "{name}: asm -> disasm -> asm changed the chunk file"
        );
        assert_eq!(
            fusevm_in(&dir, &["disasm", &b_fvm]).1,
            text,
            "{name}: disasm is stable"
        );
        // The chunk file runs like the text.
        let (code, out, _) = fusevm_in(&dir, &["run", &a_fvm]);
        assert_eq!((code, out.as_str()), (0, expected), "{name}.fvm");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn disasm_of_text_is_assemblable_text_and_can_go_to_a_file() {
    let dir = scratch("disasm-text");
    let (code, _, _) = fusevm_in(&dir, &["disasm", &example("loops.fasm"), "-o", "loops.dis.fasm"]);
    assert_eq!(code, 0);
    let (code, out, _) = fusevm_in(&dir, &["run", "loops.dis.fasm"]);
    assert_eq!((code, out.as_str()), (0, "2011522500\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn runtime_errors_exit_1_with_file_line_col_ip_and_source_line() {
    let dir = scratch("runtime");
    write(
        &dir,
        "undef.fasm",
        "; calls a function that does not exist\n    load_int 1\n    call nowhere, 0\n",
    );
    let (code, out, err) = fusevm_in(&dir, &["run", "undef.fasm"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.starts_with("undef.fasm:3:5: runtime error [undefined-function]: undefined function: nowhere"),
        "{err}"
    );
    assert!(err.contains("at ip 1") && err.contains("line 3"), "{err}");

    // With `.line`, the text position and the program's own line number both show; a
    // chunk file (no columns) names its source and line.
    write(
        &dir,
        "lined.fasm",
        ".source \"prog.awk\"\n.line 40\n    load_int 1\n    call nowhere, 0\n",
    );
    let (code, _, err) = fusevm_in(&dir, &["run", "lined.fasm"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("lined.fasm:4:5: runtime error") && err.contains("line 40"),
        "{err}"
    );
    assert_eq!(fusevm_in(&dir, &["asm", "lined.fasm", "-o", "lined.fvm"]).0, 0);
    let (code, _, err) = fusevm_in(&dir, &["run", "lined.fvm"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("prog.awk:40: runtime error [undefined-function]"),
        "{err}"
    );
    assert!(err.contains("at ip 1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn limit_flags_stop_runaway_programs() {
    let dir = scratch("limits");
    write(&dir, "spin.fasm", "top:\n    jump top\n");
    write(
        &dir,
        "deep.fasm",
        "    call down, 0\n.func down\n    call down, 0\n",
    );
    write(
        &dir,
        "big.fasm",
        "    load_const \"ab\"\n    load_int 1000\n    string_repeat\n",
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "--fuel", "1000", "spin.fasm"],
            "spin.fasm:2:5: runtime error [out-of-fuel]",
        ),
        (
            &["run", "--timeout", "0.2", "spin.fasm"],
            "spin.fasm:2:5: runtime error [interrupted]",
        ),
        (
            &["run", "--max-depth", "50", "deep.fasm"],
            "deep.fasm:3:5: runtime error [call-depth]",
        ),
        (
            &["run", "--max-string", "100", "big.fasm"],
            "big.fasm:3:5: runtime error [string-too-long]",
        ),
    ];
    for (args, expected) in cases {
        let (code, _, err) = fusevm_in(&dir, args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.starts_with(expected), "{args:?}: {err}");
    }
    // Within its limits the same program runs.
    let (code, out, _) = fusevm_in(&dir, &["run", "--max-string", "2000", "big.fasm"]);
    assert_eq!(
        (code, out.len()),
        (0, 2000 + 3),
        "a 2000-byte string literal and a newline"
    );
    let (code, _, err) = fusevm_in(&dir, &["run", "--timeout=0", "spin.fasm"]);
    assert_eq!(code, 2);
    assert!(err.contains("--timeout"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn verify_reports_every_error_with_file_line_col() {
    let dir = scratch("verify");
    write(
        &dir,
        "bad.fasm",
        "; three problems in the chunk, one in a sub-chunk\n\
         \x20   load_int 1\n\
         \x20   load_const 5\n\
         \x20   jump 99\n\
         .entry 7, 0\n\
         .sub\n\
         \x20   cmd_subst 3\n\
         .end\n",
    );
    let (code, out, err) = fusevm_in(&dir, &["verify", "bad.fasm", &example("fib.fasm")]);
    assert_eq!(code, 1);
    assert_eq!(out, format!("{}: ok\n", example("fib.fasm")));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 5, "{err}");
    // Columns point at the offending operand (`5` at 16, `99` at 10, `3` at 15).
    assert!(
        lines[0].starts_with("bad.fasm:3:16: error: operand `constant`: constant index 5"),
        "{err}"
    );
    assert!(
        lines[1].starts_with("bad.fasm:4:10: error: operand `target`: jump target 99"),
        "{err}"
    );
    assert!(
        lines[2].starts_with("bad.fasm:5:1: error: function entry names index 7"),
        "{err}"
    );
    assert!(
        lines[3].starts_with("bad.fasm:7:15: error: in sub-chunk 0: operand `sub`"),
        "{err}"
    );
    assert_eq!(lines[4], "fusevm: 4 error(s) in 1 of 2 file(s)");

    // `run` refuses the same file as a load error, with the same messages.
    let (code, out, run_err) = fusevm_in(&dir, &["run", "bad.fasm"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(run_err.lines().collect::<Vec<_>>(), lines[..4]);
    // ... and `asm` writes nothing.
    assert_eq!(fusevm_in(&dir, &["asm", "bad.fasm", "-o", "bad.fvm"]).0, 2);
    assert!(!dir.join("bad.fvm").exists());

    let (code, out, err) = fusevm_in(&dir, &["verify", &example("loops.fasm")]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.ends_with("loops.fasm: ok\n"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn assembler_errors_say_where_and_what_was_expected() {
    let dir = scratch("asm-errors");
    let cases = [
        (
            "missing.fasm",
            "    load_int 1\n    load_int\n",
            "missing.fasm:2:13: error: expected operand `value` of `load_int`",
        ),
        (
            "mnemonic.fasm",
            "    lod_int 1\n",
            "mnemonic.fasm:1:5: error: unknown mnemonic `lod_int`",
        ),
        (
            "label.fasm",
            "    jump nowhere\n",
            "label.fasm:1:10: error: undefined label `nowhere`",
        ),
        (
            "range.fasm",
            "    get_slot 70000\n",
            "range.fasm:1:14: error: expected an integer in 0..=65535",
        ),
        (
            "sub.fasm",
            ".sub\n    nop\n",
            "sub.fasm:1:1: error: `.sub` has no matching `.end`",
        ),
    ];
    for (name, text, expected) in cases {
        write(&dir, name, text);
        let (code, _, err) = fusevm_in(&dir, &["run", name]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.starts_with(expected), "{name}: {err}");
        let (code, _, err) = fusevm_in(&dir, &["verify", name]);
        assert_eq!(code, 1, "{name}");
        assert!(err.starts_with(expected), "{name}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupted_chunk_files_exit_2_with_a_message() {
    let dir = scratch("corrupt");
    assert_eq!(
        fusevm_in(&dir, &["asm", &example("fib.fasm"), "-o", "good.fvm"]).0,
        0
    );
    let good = std::fs::read(dir.join("good.fvm")).expect("good.fvm");
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x10;
    let mut version = good.clone();
    version[8] = 9;
    let mut magic = good.clone();
    magic[2] = b'X';
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.fvm",
            good[..good.len() / 2].to_vec(),
            "truncated chunk file",
        ),
        (
            "header.fvm",
            good[..12].to_vec(),
            "truncated chunk file: 12 bytes",
        ),
        ("flipped.fvm", flipped, "corrupted chunk file: checksum"),
        ("version.fvm", version, "format version 9 is not supported"),
        ("magic.fvm", magic, "not a fusevm chunk file"),
        ("empty.fvm", Vec::new(), "truncated chunk file: 0 bytes"),
        ("binary.fasm", vec![0x89, 0xff, 0x00], "not a fusevm chunk file"),
        (
            "latin1.fasm",
            b"load_const \"\xe9\"\n".to_vec(),
            "neither a chunk file nor UTF-8",
        ),
    ];
    for (name, bytes, expected) in &cases {
        std::fs::write(dir.join(name), bytes).expect("write");
        for cmd in ["run", "disasm", "stats"] {
            let (code, out, err) = fusevm_in(&dir, &[cmd, name]);
            assert_eq!(code, 2, "{cmd} {name}: {err}");
            assert!(out.is_empty() || cmd == "stats", "{cmd} {name}: {out}");
            assert!(
                err.starts_with(&format!("{name}: error: ")),
                "{cmd} {name}: {err}"
            );
            assert!(err.contains(expected), "{cmd} {name}: {err}");
        }
        let (code, _, err) = fusevm_in(&dir, &["verify", name]);
        assert_eq!(code, 1, "verify {name}: {err}");
        assert!(err.contains(expected), "verify {name}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn jit_tiers_are_refused_until_they_exist() {
    let fib = example("fib.fasm");
    let (code, out, _) = fusevm(&["run", "--jit=off", &fib]);
    assert_eq!((code, out.as_str()), (0, "75025\n"));
    for tier in ["linear", "block", "trace"] {
        let (code, out, err) = fusevm(&["run", &format!("--jit={tier}"), &fib]);
        assert_eq!((code, out.as_str()), (2, ""), "{tier}");
        assert!(
            err.contains(&format!("--jit={tier}: tier not available in this build")),
            "{err}"
        );
    }
    let (code, _, err) = fusevm(&["run", "--jit=fast", &fib]);
    assert_eq!(code, 2);
    assert!(
        err.contains("possible values: off, linear, block, trace"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(fusevm(&[]).0, 2);
    assert_eq!(fusevm(&["frobnicate"]).0, 2);
    assert_eq!(fusevm(&["asm", &example("fib.fasm")]).0, 2, "asm needs -o");
    assert_eq!(fusevm(&["verify"]).0, 2);
    let (code, _, err) = fusevm(&["run", "/nonexistent/dir/x.fasm"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("fusevm: cannot read /nonexistent/dir/x.fasm"),
        "{err}"
    );
    let (code, _, _) = fusevm(&["verify", "/nonexistent/dir/x.fasm"]);
    assert_eq!(code, 2, "an unreadable file is a usage error, not an invalid one");
    let (code, out, _) = fusevm(&["--help"]);
    assert_eq!(code, 0);
    for cmd in ["run", "asm", "disasm", "verify", "stats"] {
        assert!(out.contains(cmd), "--help lists `{cmd}`: {out}");
    }
}

#[test]
fn extension_handler_can_be_turned_off() {
    // Without a handler `extended` ops do nothing: the stack stays empty, nothing prints.
    let (code, out, err) = fusevm(&["run", "--ext", "none", &example("extension.fasm")]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

#[test]
fn fusion_can_be_turned_off_without_changing_results() {
    for &(name, expected) in EXAMPLES {
        let (code, out, _) = fusevm(&["run", "--no-fusion", &example(name)]);
        assert_eq!((code, out.as_str()), (0, expected), "{name}");
    }
}

#[test]
fn stats_reports_result_time_fuel_and_fusion() {
    // fib(25) makes 2 * fib(26) - 1 = 242785 calls and no backward jumps: one fuel unit each.
    let (code, out, err) = fusevm(&["stats", &example("fib.fasm")]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("\nresult: 75025\n"), "{out}");
    assert!(out.contains("\ntime: load + verify "), "{out}");
    assert!(out.contains("): 242785\n"), "fuel line: {out}");
    assert!(out.contains("automatic fusion: "), "{out}");
    // The profile: every call runs `n < 2` (get_slot; load_int), and each of the
    // 121392 calls that recurse also runs `n - 1` and `n - 2`: 242785 + 2 * 121392.
    assert!(out.contains("485569   18.2%  get_slot load_int\n"), "{out}");
    assert!(out.contains("242785  100.0%  fib\n"), "{out}");
    // loops.fasm: 300 * 300 inner back-edges plus 300 outer ones.
    let (code, out, _) = fusevm(&["stats", &example("loops.fasm")]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\nresult: 2011522500\n") && out.contains("): 90300\n"),
        "{out}"
    );
    // Written with a fused test at ip 4 (`slot_lt_int_jump_if_false`), the loop's unfused
    // inner test at ip 7..=10 is a fusion site.
    assert!(out.contains("ip 7 (line 16)"), "{out}");
    let (code, out, _) = fusevm(&["stats", "--no-fusion", &example("loops.fasm")]);
    assert_eq!(code, 0);
    assert!(out.contains("automatic fusion: off"), "{out}");
    // A failing program: the report, then the located error and status 1.
    let dir = scratch("stats");
    write(&dir, "spin.fasm", "top:\n    jump top\n");
    let (code, out, err) = fusevm_in(&dir, &["stats", "--fuel", "500", "spin.fasm"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("result: runtime error") && out.contains("): 500\n"),
        "{out}"
    );
    assert!(
        err.starts_with("spin.fasm:2:5: runtime error [out-of-fuel]"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_fasm_block_in_docs_asm_md_prints_what_it_says() {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/asm.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/asm.md");
    let dir = scratch("docs");
    let mut blocks = 0;
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("```fasm\n") {
        let body_start = start + "```fasm\n".len();
        let len = rest[body_start..].find("```").expect("closed block");
        let body = &rest[body_start..body_start + len];
        rest = &rest[body_start + len + 3..];
        blocks += 1;
        let expected = body
            .lines()
            .find_map(|l| l.trim().strip_prefix("; prints: "))
            .unwrap_or_else(|| panic!("block {blocks} of docs/asm.md has no `; prints:` line"));
        let name = format!("block{blocks}.fasm");
        write(&dir, &name, body);
        let (code, out, err) = fusevm_in(&dir, &["run", &name]);
        assert_eq!(
            (code, out.trim_end(), err.as_str()),
            (0, expected, ""),
            "docs/asm.md block {blocks}"
        );
    }
    assert!(blocks >= 5, "found {blocks} fasm blocks");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chunk_files_that_fail_verification_name_ip_and_line() {
    // A chunk file with a valid checksum whose chunk does not verify (written through the
    // library: `fusevm asm` refuses to write one).
    let dir = scratch("unverified-fvm");
    let chunk = fusevm::asm::assemble("    load_int 1\n    jump 99\n", "src.fasm").expect("assembles");
    std::fs::write(dir.join("bad.fvm"), fusevm::chunk_file::encode(&chunk)).expect("write");
    let (code, _, err) = fusevm_in(&dir, &["verify", "bad.fvm"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("bad.fvm: error: invalid chunk: ip 1 `jump 99` (line 2): operand `target`"),
        "{err}"
    );
    for cmd in ["run", "disasm", "asm"] {
        let args: &[&str] = if cmd == "asm" {
            &[cmd, "bad.fvm", "-o", "out.fvm"]
        } else {
            &[cmd, "bad.fvm"]
        };
        let (code, out, err) = fusevm_in(&dir, args);
        assert_eq!((code, out.as_str()), (2, ""), "{cmd}");
        assert!(err.contains("ip 1 `jump 99`"), "{cmd}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
