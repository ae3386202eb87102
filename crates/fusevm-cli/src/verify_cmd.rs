//! `fusevm verify`: every problem in every file, located.
//!
//! Assembler errors (the first one per file: the assembler stops there) and every verifier
//! error of the chunk and its sub-chunks go to stderr as `file:line:col: error: ...`; a
//! valid file gets `FILE: ok` on stdout. Exit status 1 if any file is invalid, 2 if one
//! cannot be read.

use crate::diag::verify_diagnostics;
use crate::load::{load_unverified, LoadError};
use crate::Failure;
use std::path::PathBuf;

/// Checks `files`.
pub fn verify(files: &[PathBuf]) -> Result<(), Failure> {
    let mut invalid = 0usize;
    let mut errors = 0usize;
    for file in files {
        let problems = match load_unverified(file) {
            Ok(loaded) => verify_diagnostics(&loaded),
            Err(LoadError::Invalid(message)) => vec![message],
            Err(unreadable @ LoadError::Unreadable(_)) => return Err(unreadable.into()),
        };
        if problems.is_empty() {
            println!("{}: ok", file.display());
            continue;
        }
        invalid += 1;
        errors += problems.len();
        for p in &problems {
            eprintln!("{p}");
        }
    }
    if invalid == 0 {
        return Ok(());
    }
    Err(Failure::failed(format!(
        "fusevm: {errors} error(s) in {invalid} of {} file(s)",
        files.len()
    )))
}
