"""bench/peers/python/bench.py: the peer-comparison workloads in Python 3.

Usage: python3 bench.py WORKLOAD SIZE [RUNS]

Same shapes as the fusevm bytecode (bench/peers/fusevm-runner/src/programs.rs): explicit
`while` loops (not `for ... in range`, which would be a different, faster loop), locals, a
module-level recursive function. One untimed warm-up run, then RUNS timed runs (default 3) with
time.process_time_ns() (process CPU time); every run's result is checked. Prints
  RESULT engine=python3 workload=W size=N units=U runs=R ns_per_unit=X
with the median run. A wrong result prints FAIL on stderr and exits 1.
"""

import sys
import time

# ack(3, n) recurses about 2**(n+3) deep.
sys.setrecursionlimit(1_000_000)


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))


def w_fib_rec(n):
    return fib(n)


def w_ack(n):
    return ack(3, n)


def w_loop_sum(n):
    s = 0
    i = 0
    while i < n:
        s = s + i
        i = i + 1
    return s


def w_nested_loop(n):
    s = 0
    i = 0
    while i < n:
        j = 0
        while j < n:
            s = s + i * j
            j = j + 1
        i = i + 1
    return s


def w_string_build(n):
    s = ""
    i = 0
    while i < n:
        s = s + "x"
        i = i + 1
    return len(s)


def w_array_push_sum(n):
    a = []
    i = 0
    while i < n:
        a.append(i)
        i = i + 1
    s = 0
    i = 0
    while i < len(a):
        s = s + a[i]
        i = i + 1
    return s


def w_hash_count(n):
    h = {}
    i = 0
    while i < n:
        k = str(i % 1000)
        h[k] = h.get(k, 0) + 1
        i = i + 1
    s = 0
    keys = 0
    i = 0
    while i < 1000:
        c = h.get(str(i))
        if c is not None:
            s = s + c
            keys = keys + 1
        i = i + 1
    return (s, keys)


WORK = {
    "fib_rec": w_fib_rec,
    "ack": w_ack,
    "loop_sum": w_loop_sum,
    "nested_loop": w_nested_loop,
    "string_build": w_string_build,
    "array_push_sum": w_array_push_sum,
    "hash_count": w_hash_count,
}


def reference(w, n):
    """The expected result and the number of work units, computed without the workload's code."""
    tri = n * (n - 1) // 2
    if w == "fib_rec":
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        return a, 2 * b - 1  # fib(n), calls = 2 fib(n+1) - 1
    if w == "ack":
        calls = 15  # calls(3,0); calls(3,k) = 1 + calls(3,k-1) + calls(2, ack(3,k-1))
        for k in range(1, n + 1):
            a = 2 ** (k + 2) - 3
            calls = 1 + calls + 2 * a * a + 7 * a + 5
        return 2 ** (n + 3) - 3, calls
    return {
        "loop_sum": (tri, n),
        "nested_loop": (tri * tri, n * n),
        "string_build": (n, n),
        "array_push_sum": (tri, n),
        "hash_count": ((n, min(n, 1000)), n),
    }[w]


def main():
    try:
        w, n = sys.argv[1], int(sys.argv[2])
        runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
        if w not in WORK or runs < 1 or n < 0:
            raise ValueError
    except (IndexError, ValueError):
        print("usage: bench.py WORKLOAD SIZE [RUNS]", file=sys.stderr)
        sys.exit(2)
    expected, units = reference(w, n)
    work = WORK[w]

    def check(got):
        if got != expected:
            print(f"FAIL engine=python3 workload={w} size={n}: got {got}, expected {expected}",
                  file=sys.stderr)
            sys.exit(1)

    check(work(n))
    times = []
    for _ in range(runs):
        t0 = time.process_time_ns()
        got = work(n)
        times.append(time.process_time_ns() - t0)
        check(got)
    times.sort()
    median = times[len(times) // 2]
    print(f"RESULT engine=python3 workload={w} size={n} units={units} runs={runs} "
          f"ns_per_unit={median / max(units, 1):.3f}")


main()
