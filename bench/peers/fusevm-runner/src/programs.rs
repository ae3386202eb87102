//! The seven peer-comparison workloads as fusevm bytecode: the very programs the criterion
//! benches time (`crates/fusevm/benches/programs/workloads.rs`, included by path so there is
//! one copy). They use only ordinary ops, never a hand-picked fused op: the VM's automatic
//! fusion (on by default) decides what to fuse, as it would for any frontend. The peer
//! programs in `../lua`, `../python`, `../perl` and `../awk` run the same loops.

#[path = "../../../../crates/fusevm/benches/programs/workloads.rs"]
mod workloads;

pub use workloads::Program;

/// Builds workload `name` at `size`; `None` for an unknown name or a size out of range.
pub fn build(name: &str, size: i64) -> Option<Program> {
    if size < 0 {
        return None;
    }
    Some(match name {
        "fib_rec" if size <= 40 => workloads::fib_recursive(size),
        "ack" if size <= 12 => workloads::ackermann(3, size),
        "loop_sum" => workloads::loop_sum(size),
        "nested_loop" if size <= 100_000 => workloads::nested_loop(size),
        "string_build" => workloads::string_build(size, "x"),
        "array_push_sum" => workloads::array_push_sum(size),
        "hash_count" => workloads::hash_count(size, 1000),
        _ => return None,
    })
}
