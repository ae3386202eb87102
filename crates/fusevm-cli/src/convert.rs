//! `fusevm asm` and `fusevm disasm`: between assembly text and chunk files.
//!
//! Both load (and verify) their input first, so `asm` never writes a file that would not
//! load, and `disasm` of a chunk file prints text that `asm` turns back into the very same
//! bytes (the disassembler's round-trip guarantee plus the chunk file's canonical encoding).

use crate::load::load;
use crate::Failure;
use fusevm::asm::disassemble;
use fusevm::chunk_file;
use std::io::Write;
use std::path::Path;

/// Assembles (or re-encodes) `input` into the chunk file `output`.
pub fn asm(input: &Path, output: &Path) -> Result<(), Failure> {
    let loaded = load(input)?;
    let bytes = chunk_file::encode(&loaded.chunk);
    std::fs::write(output, &bytes)
        .map_err(|e| Failure::usage(format!("fusevm: cannot write {}: {e}", output.display())))
}

/// Prints `file` as assembly text, to `output` or stdout.
pub fn disasm(file: &Path, output: Option<&Path>) -> Result<(), Failure> {
    let loaded = load(file)?;
    let text = disassemble(&loaded.chunk);
    match output {
        Some(out) => std::fs::write(out, text)
            .map_err(|e| Failure::usage(format!("fusevm: cannot write {}: {e}", out.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure::usage(format!("fusevm: cannot write to stdout: {e}")))
        }
    }
}
