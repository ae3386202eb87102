//! Whole-chunk generators: raw chunks (anything the fields can hold, so the verifier has
//! work to do) and valid chunks (every index in range, so execution gets deep).

use crate::ops::{self, Mode, Pools};
use crate::{values, Config};
use arbitrary::{Result, Unstructured};
use fusevm::Chunk;

/// A chunk whose ops, operands and pools are arbitrary: indices may point past their
/// pools, jump targets past the end, the line table may be shorter or longer than the op
/// list, function entries may name missing names. Sub-chunks are raw too.
pub fn raw_chunk(u: &mut Unstructured, cfg: &Config) -> Result<Chunk> {
    chunk(u, cfg, Mode::Raw, cfg.sub_depth)
}

/// A chunk that passes `fusevm::verify::verify`: every constant, name and sub-chunk index
/// is inside its pool, every jump target is at most the op count, every function entry
/// names a real name and points into the chunk, and there is one line per op.
pub fn valid_chunk(u: &mut Unstructured, cfg: &Config) -> Result<Chunk> {
    chunk(u, cfg, Mode::Valid, cfg.sub_depth)
}

fn chunk(u: &mut Unstructured, cfg: &Config, mode: Mode, depth: u32) -> Result<Chunk> {
    // Valid chunks get at least one entry per pool so every op kind can be generated.
    let min = usize::from(mode == Mode::Valid);
    let mut c = Chunk::new();
    let n_consts = u.int_in_range(min..=cfg.max_constants.max(min))?;
    for _ in 0..n_consts {
        c.constants.push(values::value(u, 2)?);
    }
    let n_names = u.int_in_range(min..=cfg.max_names.max(min))?;
    for _ in 0..n_names {
        // Names are looked up by text too (`Exec`, `CallFunction`); duplicates are legal.
        let name = if u.ratio(1u8, 4)? && !c.names.is_empty() {
            u.choose(&c.names)?.clone()
        } else {
            values::string(u, 12)?
        };
        c.names.push(name);
    }
    let n_subs = if depth == 0 { 0 } else { u.int_in_range(min..=2)? };
    for _ in 0..n_subs {
        let sub = chunk(
            u,
            &Config {
                max_ops: cfg.max_ops / 4,
                ..*cfg
            },
            mode,
            depth - 1,
        )?;
        c.sub_chunks.push(sub);
    }
    if mode == Mode::Valid && c.sub_chunks.is_empty() {
        c.sub_chunks.push(Chunk::new());
    }
    let n_ops = u.int_in_range(0..=cfg.max_ops)?;
    let pools = Pools {
        ops: n_ops,
        constants: c.constants.len(),
        names: c.names.len(),
        sub_chunks: c.sub_chunks.len(),
    };
    for _ in 0..n_ops {
        c.ops.push(ops::op(u, mode, &pools, cfg.io)?);
    }
    lines(u, &mut c, mode)?;
    entries(u, &mut c, mode)?;
    for _ in 0..u.int_in_range(0..=2u8)? {
        c.block_ranges.push((u.arbitrary()?, u.arbitrary()?));
    }
    c.source = values::string(u, 16)?;
    // Like `ChunkBuilder::build`, so anything keyed on it sees a realistic value.
    c.op_hash = c.compute_op_hash();
    Ok(c)
}

/// One line per op, mostly; raw chunks sometimes get a short or long table.
fn lines(u: &mut Unstructured, c: &mut Chunk, mode: Mode) -> Result<()> {
    let n = match mode {
        Mode::Raw if u.ratio(1u8, 8)? => u.int_in_range(0..=c.ops.len() + 2)?,
        _ => c.ops.len(),
    };
    let mut line = 1u32;
    for _ in 0..n {
        line = line.saturating_add(u.int_in_range(0..=2)?);
        c.lines
            .push(if u.ratio(1u8, 32)? { u.arbitrary()? } else { line });
    }
    Ok(())
}

/// Function entries: valid ones name real names and enter inside the chunk.
fn entries(u: &mut Unstructured, c: &mut Chunk, mode: Mode) -> Result<()> {
    for _ in 0..u.int_in_range(0..=3u8)? {
        let entry = match mode {
            Mode::Valid => {
                let name = u.int_in_range(0..=c.names.len().saturating_sub(1))? as u16;
                (name, u.int_in_range(0..=c.ops.len())?)
            }
            Mode::Raw if u.ratio(7u8, 8)? => (
                u.int_in_range(0..=c.names.len() as u16)?,
                u.int_in_range(0..=c.ops.len() + 1)?,
            ),
            Mode::Raw => (u.arbitrary()?, u.arbitrary()?),
        };
        c.sub_entries.push(entry);
    }
    Ok(())
}
