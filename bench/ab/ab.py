#!/usr/bin/env python3
"""Paired A/B timing of two revisions of fusevm's interpreter on the peer workloads.

    bench/ab/ab.py ack:8 fib_rec:27                 # HEAD vs the working tree
    bench/ab/ab.py --base main~3 --rounds 30 ack:8  # an older commit vs the working tree
    bench/ab/ab.py --help

Why: a change to the dispatch loop moves times by 1-5 %, while this shared 2-core machine
drifts by more than that between two runs minutes apart. So both builds run in the same
rounds, alternating (the order swapped every round), and the figure reported is the median
of the per-round ratios base/new with its quartiles: a change is real when the quartile
range clears 1.0. An A/A run (no change) measures the noise floor: on 10 rounds, quartiles
0.983-1.004 (ack) and 0.966-1.000 (fib_rec) here (bench/ab/README.md).

Both builds are `bench/peers/fusevm-runner` (the same workloads and sizes as `run.sh` and
the kit; release, fat LTO, one codegen unit: what an embedding user builds), the base one
from a temporary git worktree of `--base` (removed once built), the new one from this
checkout. Each round runs each runner once as its own process (`--runs` timed runs inside,
CPU time, median): a fresh process per round samples a fresh heap and code placement.
Only the standard library is used.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUNNER = os.path.join("bench", "peers", "fusevm-runner")
sys.path.insert(0, os.path.join(ROOT, "bench", "peers"))
import run as peers  # noqa: E402  (the runner's build and RESULT parsing: one copy)


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def remove_worktree(path):
    subprocess.run(["git", "worktree", "remove", "--force", path], cwd=ROOT, capture_output=True)
    shutil.rmtree(path, ignore_errors=True)
    git("worktree", "prune")


def build_base(rev, scratch):
    """Builds the runner of `rev` from a temporary worktree; returns the binary's path."""
    src = os.path.join(scratch, "src")
    remove_worktree(src)
    git("worktree", "add", "--detach", "--force", src, rev)
    try:
        runner_dir = os.path.join(src, RUNNER)
        if not os.path.exists(os.path.join(runner_dir, "Cargo.toml")):
            sys.exit(f"ab: {rev} has no {RUNNER} (it predates bench/peers)")
        return peers.build_runner(runner_dir, os.path.join(scratch, "base-target"))
    finally:
        remove_worktree(src)


def time_once(binary, workload, size, runs):
    try:
        ns, _units = peers.run_self([binary, workload, str(size), str(runs)], timeout=600)
    except RuntimeError as e:
        sys.exit(f"ab: {binary} {workload} {size} failed: {e}")
    return ns


def parse_case(text):
    name, sep, size = text.partition(":")
    if not sep or not size.lstrip("-").isdigit():
        raise argparse.ArgumentTypeError(f"`{text}`: expected WORKLOAD:SIZE, e.g. ack:8")
    return name, int(size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="+", type=parse_case, metavar="WORKLOAD:SIZE",
                    help="fib_rec ack loop_sum nested_loop string_build array_push_sum hash_count, with a size")
    ap.add_argument("--base", default="HEAD", help="the revision to compare against (default HEAD)")
    ap.add_argument("--rounds", type=int, default=20, help="paired rounds per case (default 20)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs inside each process (default 3)")
    ap.add_argument("--scratch", default=None,
                    help="worktree and build directory (default $CARGO_TARGET_DIR or target, + /fusevm-ab)")
    o = ap.parse_args()
    if o.rounds < 2 or o.runs < 1:
        sys.exit("ab: --rounds must be at least 2 and --runs at least 1")

    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    scratch = os.path.abspath(o.scratch or os.path.join(target, "fusevm-ab"))
    rev = git("rev-parse", "--short", o.base)
    base = build_base(rev, scratch)
    new = peers.build_runner(os.path.join(ROOT, RUNNER), os.path.join(scratch, "new-target"))

    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    print(f"base: {o.base} ({rev}); new: working tree at {git('rev-parse', '--short', 'HEAD')}{dirty}")
    print(f"{o.rounds} paired rounds per case, {o.runs} timed runs per process; "
          "speedup = base ns / new ns per round (> 1: new is faster)\n")
    print("| workload | size | base ns/unit | new ns/unit | speedup (median) | quartiles |")
    print("|---|---|---:|---:|---:|---|")
    for workload, size in o.cases:
        b_ns, n_ns, ratios = [], [], []
        for r in range(o.rounds):
            order = [(base, b_ns), (new, n_ns)] if r % 2 == 0 else [(new, n_ns), (base, b_ns)]
            for binary, sink in order:
                sink.append(time_once(binary, workload, size, o.runs))
            ratios.append(b_ns[-1] / n_ns[-1])
        q1, median, q3 = statistics.quantiles(ratios, n=4)
        print(f"| {workload} | {size} | {statistics.median(b_ns):.2f} | {statistics.median(n_ns):.2f} "
              f"| **{median:.3f}** | {q1:.3f}–{q3:.3f} |", flush=True)


if __name__ == "__main__":
    main()
