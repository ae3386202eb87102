//! Chunk-file inputs. Raw bytes mostly die at the magic or the checksum, so two more
//! shapes get past them: any payload behind a correct header, and the encoding of a
//! generated chunk mutated in place. Both have their length and CRC-32 recomputed, so
//! the decoder's payload parsing and the verifier are what gets fuzzed.

use crate::chunks::{raw_chunk, valid_chunk};
use crate::Config;
use arbitrary::{Result, Unstructured};
use fusevm::chunk_file::{encode, FORMAT_VERSION, HEADER_LEN, MAGIC};
use fusevm::Chunk;

/// A file with a correct header (magic, version, length, checksum) around `payload`.
pub fn framed(payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&[0; 8]);
    bytes.extend_from_slice(payload);
    fix_header(&mut bytes);
    bytes
}

/// Rewrites the length and checksum fields to match the payload after `HEADER_LEN`.
pub fn fix_header(bytes: &mut [u8]) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let len = u32::try_from(bytes.len() - HEADER_LEN).unwrap_or(u32::MAX);
    bytes[12..16].copy_from_slice(&len.to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&bytes[..16]);
    crc.update(&bytes[HEADER_LEN..]);
    let sum = crc.finalize();
    bytes[16..20].copy_from_slice(&sum.to_le_bytes());
}

/// A generated chunk (valid or raw) and its encoding.
pub fn encoded_chunk(u: &mut Unstructured) -> Result<(Chunk, Vec<u8>)> {
    let chunk = if u.arbitrary()? {
        valid_chunk(u, &Config::FUZZ)?
    } else {
        raw_chunk(u, &Config::FUZZ)?
    };
    let bytes = encode(&chunk);
    Ok((chunk, bytes))
}

/// Up to 8 payload mutations (byte flips, interesting bytes, inserts, deletes, a
/// truncation), then the header is fixed so the checksum still matches.
pub fn mutate(u: &mut Unstructured, bytes: &mut Vec<u8>) -> Result<()> {
    for _ in 0..u.int_in_range(1..=8u8)? {
        if bytes.len() <= HEADER_LEN {
            bytes.push(u.arbitrary()?);
            continue;
        }
        let at = u.int_in_range(HEADER_LEN..=bytes.len() - 1)?;
        match u.int_in_range(0..=4u8)? {
            0 => bytes[at] ^= 1 << u.int_in_range(0..=7u8)?,
            1 => bytes[at] = *u.choose(&[0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x3f])?,
            2 => bytes.insert(at, u.arbitrary()?),
            3 => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
    fix_header(bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fusevm::chunk_file::decode;
    use fusevm::{ChunkBuilder, Op};

    #[test]
    fn framing_an_encoded_payload_reproduces_the_file() {
        let mut b = ChunkBuilder::new();
        b.emit(Op::LoadInt(42), 1);
        let bytes = encode(&b.build());
        assert_eq!(framed(&bytes[HEADER_LEN..]), bytes);
        assert!(decode(&framed(&bytes[HEADER_LEN..])).is_ok());
    }

    #[test]
    fn mutated_files_keep_a_valid_checksum() {
        // Every mutation leaves a file whose failure, if any, is past the checksum.
        let mut b = ChunkBuilder::new();
        b.emit(Op::LoadInt(42), 1);
        let original = encode(&b.build());
        for seed in 0..64u8 {
            let noise: Vec<u8> = (0..64u8)
                .map(|i| seed.wrapping_mul(31).wrapping_add(i.wrapping_mul(7)))
                .collect();
            let mut bytes = original.clone();
            mutate(&mut Unstructured::new(&noise), &mut bytes).expect("mutate");
            if let Err(e) = decode(&bytes) {
                let text = e.to_string();
                assert!(
                    !text.contains("checksum") && !text.contains("truncated"),
                    "{text}"
                );
            }
        }
    }
}
