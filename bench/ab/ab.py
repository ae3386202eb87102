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
from a git worktree of `--base` (under the target directory), the new one from this
checkout. Each round runs each runner once as its own process (`--runs` timed runs inside,
CPU time, median): a fresh process per round samples a fresh heap and code placement.
Only the standard library is used.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join("bench", "peers", "fusevm-runner")
RESULT = re.compile(r"ns_per_unit=([0-9.]+)")


def log(msg):
    print(f"ab: {msg}", file=sys.stderr, flush=True)


def git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def build(checkout, target_dir):
    """Builds the runner of `checkout` into `target_dir`; returns the binary's path."""
    manifest = os.path.join(checkout, RUNNER, "Cargo.toml")
    if not os.path.exists(manifest):
        sys.exit(f"ab: {manifest} does not exist (the base revision predates bench/peers?)")
    subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", manifest],
                   env=dict(os.environ, CARGO_TARGET_DIR=target_dir), check=True)
    return os.path.join(target_dir, "release", "fusevm-peers-runner")


def base_checkout(rev, scratch):
    """A worktree of `rev` at `scratch/src`, made afresh."""
    path = os.path.join(scratch, "src")
    if os.path.exists(path):
        subprocess.run(["git", "worktree", "remove", "--force", path], cwd=ROOT, capture_output=True)
        shutil.rmtree(path, ignore_errors=True)
    git("worktree", "prune")
    git("worktree", "add", "--detach", "--force", path, rev)
    return path


def time_once(binary, workload, size, runs):
    out = subprocess.run([binary, workload, str(size), str(runs)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"ab: {binary} {workload} {size} failed: {out.stderr.strip()}")
    m = RESULT.search(out.stdout)
    if not m:
        sys.exit(f"ab: no RESULT line from {binary}: {out.stdout!r}")
    return float(m.group(1))


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
    log(f"building base {o.base} ({rev}) and the working tree")
    base = build(base_checkout(rev, scratch), os.path.join(scratch, "base-target"))
    new = build(ROOT, os.path.join(scratch, "new-target"))

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
