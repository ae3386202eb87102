//! Chunk files (`.fvm`): a [`Chunk`] as bytes on disk, with a magic number, a format
//! version and a checksum, loaded by a decoder that no input can crash.
//!
//! [`encode`] writes a chunk; [`decode`] checks the magic, the version, the size and the
//! checksum, decodes the payload with bounds on every length and nesting depth, and runs
//! the verifier on the chunk and every sub-chunk. A truncated, corrupted or hostile file is
//! a [`ChunkFileError`], never a panic, a huge allocation or a stack overflow.
//!
//! ```
//! use fusevm::{chunk_file, ChunkBuilder, Op};
//! let mut b = ChunkBuilder::new();
//! b.emit(Op::LoadInt(42), 1);
//! let bytes = chunk_file::encode(&b.build());
//! let chunk = chunk_file::decode(&bytes).unwrap();
//! assert!(matches!(chunk.ops[..], [Op::LoadInt(42)]));
//! assert!(chunk_file::decode(&bytes[..bytes.len() - 1]).is_err());
//! ```
//!
//! # Byte layout (format version 1)
//!
//! All fixed-size integers are little-endian.
//!
//! | Offset | Size | Field |
//! |---:|---:|---|
//! | 0 | 8 | magic: `89 46 56 4D 0D 0A 1A 0A` (`\x89FVM\r\n\x1a\n`, see [`MAGIC`]) |
//! | 8 | 4 | format version, `u32` ([`FORMAT_VERSION`]) |
//! | 12 | 4 | payload length `N`, `u32` |
//! | 16 | 4 | CRC-32 (IEEE 802.3, as zlib) of bytes `0..16` followed by the payload |
//! | 20 | `N` | payload: the root chunk |
//!
//! The file is exactly `20 + N` bytes. Like PNG's, the magic's first byte is not ASCII and
//! its `\r\n` / `\x1a` catch text-mode transfers that rewrite line endings.
//!
//! The payload uses two integer encodings: **uvar**, unsigned LEB128 (7 bits per byte, low
//! group first, high bit set on every byte but the last; minimal: no trailing zero group),
//! and **svar**, a signed integer zigzag-mapped (`0, -1, 1, -2 …` → `0, 1, 2, 3 …`) then
//! written as a uvar. A *string* is a uvar byte length then that many UTF-8 bytes.
//!
//! A **chunk** is, in order:
//!
//! 1. `source`: string;
//! 2. `names`: uvar count (≤ 65536), then each name as a string;
//! 3. `constants`: uvar count (≤ 65536), then each value (below);
//! 4. `ops`: uvar count, then each op: its opcode byte ([`Op::opcode`](crate::Op::opcode), declaration order
//!    of the op table), then its operands in declaration order, a `Float` operand as the 8
//!    bytes of its IEEE-754 bits and every other operand as an svar (range-checked
//!    against the operand's Rust type);
//! 5. `lines`: uvar count, then each line as a uvar (`u32`);
//! 6. `sub_entries`: uvar count, then each entry as two uvars (name index `u16`, op index);
//! 7. `block_ranges`: uvar count (≤ 65536), then each range as two uvars (start, end);
//! 8. `sub_chunks`: uvar count (≤ 65536), then each sub-chunk as a chunk (nesting ≤ 64).
//!
//! A **value** is a tag byte and its payload: `0` undef; `1` bool (one byte, 0 or 1);
//! `2` int (svar, `i64`); `3` float (8 bytes of bits); `4` string; `5` array (uvar count,
//! values); `6` hash (uvar count, then key string and value per entry, keys in strictly
//! increasing byte order); `7` status (svar, `i32`); `8` ref (one value); `9` native
//! function (uvar, `u16`). Arrays, hashes and refs nest at most 64 deep.
//!
//! The encoding is canonical: every file [`decode`] accepts is byte for byte what
//! [`encode`] writes for the chunk it returns. `op_hash` is not stored; [`decode`]
//! recomputes it.
//!
//! # Versioning
//!
//! [`FORMAT_VERSION`] changes whenever the layout or the op numbering changes; a file of
//! another version is refused ([`ChunkFileError::UnsupportedVersion`]) rather than misread.

mod wire;

pub use wire::{MAX_POOL_LEN, MAX_SUB_CHUNK_DEPTH, MAX_VALUE_DEPTH};

use crate::verify::{verify, VerifyError};
use crate::Chunk;
use std::fmt;

/// The first eight bytes of every chunk file: `\x89FVM\r\n\x1a\n`.
pub const MAGIC: [u8; 8] = *b"\x89FVM\r\n\x1a\n";

/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Size of the fixed header (magic, version, payload length, checksum).
pub const HEADER_LEN: usize = 20;

/// Why a chunk file could not be loaded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChunkFileError {
    /// The file does not start with [`MAGIC`]: it is not a chunk file.
    BadMagic {
        /// The file's first bytes (up to eight).
        found: Vec<u8>,
    },
    /// The file ends before its header or its declared payload does.
    Truncated {
        /// Bytes the header (or the header plus the declared payload) needs.
        expected: u64,
        /// Bytes the file has.
        found: u64,
    },
    /// The file has bytes after its declared payload.
    TrailingBytes { expected: u64, found: u64 },
    /// A format version this build does not read.
    UnsupportedVersion { found: u32, supported: u32 },
    /// The stored checksum does not match the contents: the file is corrupted.
    ChecksumMismatch { stored: u32, computed: u32 },
    /// The checksum matches but the payload does not decode (a bug in the writer, or a
    /// crafted file): what was wrong and at which file offset.
    Malformed { offset: u64, message: String },
    /// The chunk decoded but failed verification. `sub_chunk` is the path of sub-chunk
    /// indices from the root to the failing chunk (empty for the root itself).
    Verify {
        sub_chunk: Vec<usize>,
        error: VerifyError,
    },
}

impl fmt::Display for ChunkFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChunkFileError::BadMagic { found } => {
                write!(f, "not a fusevm chunk file: it starts with")?;
                if found.is_empty() {
                    write!(f, " nothing (empty file)")?;
                }
                for b in found {
                    write!(f, " {b:02x}")?;
                }
                write!(f, ", a chunk file starts with 89 46 56 4d 0d 0a 1a 0a")
            }
            ChunkFileError::Truncated { expected, found } => write!(
                f,
                "truncated chunk file: {found} bytes, the header says it needs {expected}"
            ),
            ChunkFileError::TrailingBytes { expected, found } => write!(
                f,
                "chunk file has {} bytes after its end ({found} bytes, the header says {expected})",
                found.saturating_sub(*expected)
            ),
            ChunkFileError::UnsupportedVersion { found, supported } => write!(
                f,
                "chunk file format version {found} is not supported (this build reads version {supported})"
            ),
            ChunkFileError::ChecksumMismatch { stored, computed } => write!(
                f,
                "corrupted chunk file: checksum {computed:08x} does not match the stored {stored:08x}"
            ),
            ChunkFileError::Malformed { offset, message } => {
                write!(f, "malformed chunk file at byte {offset}: {message}")
            }
            ChunkFileError::Verify { sub_chunk, error } => {
                if !sub_chunk.is_empty() {
                    let path: Vec<String> = sub_chunk.iter().map(|i| i.to_string()).collect();
                    write!(f, "in sub-chunk {}: ", path.join("."))?;
                }
                write!(f, "{error}")
            }
        }
    }
}

impl std::error::Error for ChunkFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ChunkFileError::Verify { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Writes `chunk` (with its sub-chunks) as a chunk file.
///
/// Every chunk a [`ChunkBuilder`](crate::ChunkBuilder) or the assembler can build reads
/// back with [`decode`] (if it verifies). A chunk assembled by hand beyond the format's
/// limits (more than 65536 entries in a `u16`-indexed pool, constants or sub-chunks nested
/// deeper than 64, a payload over 4 GiB) is still written, and [`decode`] refuses it.
pub fn encode(chunk: &Chunk) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + 16 * chunk.ops.len() + 64);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&[0; 8]); // length and checksum, filled in below
    wire::write_chunk(&mut out, chunk);
    // Saturating: a payload over 4 GiB gets a length that cannot match, so it fails to load.
    let len = u32::try_from(out.len() - HEADER_LEN).unwrap_or(u32::MAX);
    out[12..16].copy_from_slice(&len.to_le_bytes());
    let crc = checksum(&out[..16], &out[HEADER_LEN..]);
    out[16..20].copy_from_slice(&crc.to_le_bytes());
    out
}

/// Reads a chunk file: checks magic, version, size and checksum, decodes the payload with
/// limits, and verifies the chunk and its sub-chunks.
pub fn decode(bytes: &[u8]) -> Result<Chunk, ChunkFileError> {
    let chunk = decode_unverified(bytes)?;
    verify_tree(&chunk, &mut Vec::new())?;
    Ok(chunk)
}

/// Like [`decode`] but without running the verifier: for tools that report every
/// verifier problem themselves (`fusevm verify`). Never run the result without verifying.
pub fn decode_unverified(bytes: &[u8]) -> Result<Chunk, ChunkFileError> {
    let payload = check_header(bytes)?;
    let mut reader = wire::Reader::new(payload);
    let malformed = |e: wire::WireError| ChunkFileError::Malformed {
        offset: (HEADER_LEN + e.offset) as u64,
        message: e.message,
    };
    let chunk = reader.chunk(0).map_err(malformed)?;
    if reader.remaining() > 0 {
        return Err(ChunkFileError::Malformed {
            offset: (HEADER_LEN + reader.offset()) as u64,
            message: format!("{} bytes left over after the root chunk", reader.remaining()),
        });
    }
    Ok(chunk)
}

/// Checks the header against the file and returns the payload.
fn check_header(bytes: &[u8]) -> Result<&[u8], ChunkFileError> {
    let found = bytes.len() as u64;
    let head = &bytes[..bytes.len().min(MAGIC.len())];
    if head != &MAGIC[..head.len()] {
        return Err(ChunkFileError::BadMagic { found: head.to_vec() });
    }
    let word = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let truncated = |expected: usize| ChunkFileError::Truncated {
        expected: expected as u64,
        found,
    };
    // A short file that matches the magic so far: the version is the next thing checked.
    let version = word(8).ok_or_else(|| truncated(HEADER_LEN))?;
    if version != FORMAT_VERSION {
        return Err(ChunkFileError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let (Some(len), Some(stored)) = (word(12), word(16)) else {
        return Err(truncated(HEADER_LEN));
    };
    let expected = HEADER_LEN as u64 + u64::from(len);
    if found < expected {
        return Err(ChunkFileError::Truncated { expected, found });
    }
    if found > expected {
        return Err(ChunkFileError::TrailingBytes { expected, found });
    }
    let payload = &bytes[HEADER_LEN..];
    let computed = checksum(&bytes[..16], payload);
    if computed != stored {
        return Err(ChunkFileError::ChecksumMismatch { stored, computed });
    }
    Ok(payload)
}

/// CRC-32 of the header's first 16 bytes followed by the payload.
fn checksum(header: &[u8], payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(header);
    h.update(payload);
    h.finalize()
}

/// Verifies `chunk` and, depth first, its sub-chunks; `path` is `chunk`'s sub-chunk path.
/// The recursion depth is bounded by the decoder's sub-chunk nesting limit.
fn verify_tree(chunk: &Chunk, path: &mut Vec<usize>) -> Result<(), ChunkFileError> {
    verify(chunk).map_err(|error| ChunkFileError::Verify {
        sub_chunk: path.clone(),
        error,
    })?;
    for (i, sub) in chunk.sub_chunks.iter().enumerate() {
        path.push(i);
        verify_tree(sub, path)?;
        path.pop();
    }
    Ok(())
}
