//! Reading a program file: text assembly or a binary chunk file, told apart by content.
//!
//! A file is a chunk file when it starts with the chunk-file magic (or a prefix of it, or
//! the magic's non-ASCII first byte, so a damaged chunk file gets the chunk-file error
//! rather than "not UTF-8"), or when it is named `*.fvm`; anything else is read as
//! UTF-8 assembly text. Text keeps its [`SourceMap`] so later problems (verifier, runtime)
//! can be reported at `file:line:col`.

use crate::diag;
use crate::Failure;
use fusevm::asm::{assemble_with_map, SourceMap};
use fusevm::chunk_file::{self, MAGIC};
use fusevm::Chunk;
use std::path::Path;

/// A program as loaded from a file.
pub struct Loaded {
    pub chunk: Chunk,
    /// Where each op was written, for text files.
    pub map: Option<SourceMap>,
    /// The file name as the user gave it (used in messages).
    pub path: String,
}

/// Why a file did not load.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Unreadable(String),
    /// The file was read but is not a valid program (assembler or chunk-file error).
    Invalid(String),
}

impl From<LoadError> for Failure {
    /// Both are load errors: exit status 2.
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Unreadable(m) | LoadError::Invalid(m) => Failure::usage(m),
        }
    }
}

/// Reads and assembles or decodes `path`, without running the verifier.
pub fn load_unverified(path: &Path) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| LoadError::Unreadable(format!("fusevm: cannot read {name}: {e}")))?;
    if looks_binary(path, &bytes) {
        let chunk = chunk_file::decode_unverified(&bytes)
            .map_err(|e| LoadError::Invalid(format!("{name}: error: {e}")))?;
        return Ok(Loaded {
            chunk,
            map: None,
            path: name,
        });
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        LoadError::Invalid(format!(
            "{name}: error: neither a chunk file nor UTF-8 assembly text (invalid UTF-8 at byte {})",
            e.valid_up_to()
        ))
    })?;
    let (chunk, map) = assemble_with_map(text, &name)
        .map_err(|e| LoadError::Invalid(format!("{}:{}:{}: error: {}", e.file, e.line, e.col, e.message)))?;
    Ok(Loaded {
        chunk,
        map: Some(map),
        path: name,
    })
}

/// Like [`load_unverified`], then verifies the chunk and its sub-chunks; verifier problems
/// are reported (located) as a load error (exit status 2).
pub fn load(path: &Path) -> Result<Loaded, Failure> {
    let loaded = load_unverified(path)?;
    let problems = diag::verify_diagnostics(&loaded);
    if !problems.is_empty() {
        return Err(Failure::usage(problems.join("\n")));
    }
    Ok(loaded)
}

/// Whether `bytes` should be read as a chunk file.
fn looks_binary(path: &Path, bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(MAGIC.len())];
    let magic_prefix = !head.is_empty() && head == &MAGIC[..head.len()];
    let fvm_name = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("fvm"));
    magic_prefix || bytes.first() == Some(&MAGIC[0]) || fvm_name
}
