//! The proptest adapter: strategies that generate byte vectors and hand them to the same
//! `Unstructured`-based generators and checks the fuzz targets use. Shrinking shrinks the
//! bytes, which shrinks the generated program (shorter input, fewer and smaller choices).

use arbitrary::Unstructured;
use proptest::collection::vec;
use proptest::prelude::*;

/// Input bytes of up to `max_len` bytes, as the fuzz targets receive them.
pub fn bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max_len)
}

/// Values made by `generate` from up to `max_len` input bytes; inputs the generator
/// rejects are skipped.
pub fn generated<T: std::fmt::Debug>(
    max_len: usize,
    generate: fn(&mut Unstructured) -> arbitrary::Result<T>,
) -> impl Strategy<Value = T> {
    bytes(max_len).prop_filter_map("the generator rejected the input", move |b| {
        generate(&mut Unstructured::new(&b)).ok()
    })
}

/// The number of cases: `PROPTEST_CASES` if set, else `default` (CI runs the default).
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
