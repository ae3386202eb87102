# bench/peers/awk/bench.awk: the peer-comparison workloads in POSIX awk (mawk and gawk).
# Usage: awk -v wl=WORKLOAD -v n=SIZE -f bench.awk      (wl=none: start-up only)
#
# Same shapes as the fusevm bytecode (bench/peers/fusevm-runner/src/programs.rs): explicit
# `while` loops, function locals as extra parameters. awk has no CPU clock, so this program
# does not time itself: run.sh measures the whole process's CPU time and subtracts that of a
# `wl=none` process (interpreter start-up and parsing). The work runs once and is checked.
# Prints
#   RESULT engine=awk workload=W size=N units=U runs=1
# A wrong result prints FAIL on stderr and exits 1.

function fib(n) {
    if (n < 2) return n
    return fib(n - 1) + fib(n - 2)
}

function ack(m, n) {
    if (m == 0) return n + 1
    if (n == 0) return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))
}

function loop_sum(n,    s, i) {
    s = 0; i = 0
    while (i < n) {
        s = s + i
        i = i + 1
    }
    return s
}

function nested_loop(n,    s, i, j) {
    s = 0; i = 0
    while (i < n) {
        j = 0
        while (j < n) {
            s = s + i * j
            j = j + 1
        }
        i = i + 1
    }
    return s
}

function string_build(n,    s, i) {
    s = ""; i = 0
    while (i < n) {
        s = s "x"
        i = i + 1
    }
    return length(s)
}

function array_push_sum(n,    a, len, i, s) {
    len = 0; i = 0
    while (i < n) {
        a[len] = i    # awk has no push: append at the tracked length
        len = len + 1
        i = i + 1
    }
    s = 0; i = 0
    while (i < len) {
        s = s + a[i]
        i = i + 1
    }
    return s
}

function hash_count(n,    h, i, k, s, keys) {
    i = 0
    while (i < n) {
        k = (i % 1000) ""
        h[k] = h[k] + 1
        i = i + 1
    }
    s = 0; keys = 0; i = 0
    while (i < 1000) {
        k = i ""
        if (k in h) {
            s = s + h[k]
            keys = keys + 1
        }
        i = i + 1
    }
    return s "/" keys
}

# Sets the globals `expected` and `units` without running the workload's code.
function reference(w, n,    tri, a, b, t, k, calls) {
    tri = n * (n - 1) / 2
    if (w == "fib_rec") {
        a = 0; b = 1
        for (k = 0; k < n; k++) { t = a + b; a = b; b = t }
        expected = a; units = 2 * b - 1    # fib(n), calls = 2 fib(n+1) - 1
    } else if (w == "ack") {
        calls = 15    # calls(3,0); calls(3,k) = 1 + calls(3,k-1) + calls(2, ack(3,k-1))
        for (k = 1; k <= n; k++) {
            a = 2 ^ (k + 2) - 3
            calls = 1 + calls + 2 * a * a + 7 * a + 5
        }
        expected = 2 ^ (n + 3) - 3; units = calls
    } else if (w == "loop_sum" || w == "array_push_sum") {
        expected = tri; units = n
    } else if (w == "nested_loop") {
        expected = tri * tri; units = n * n
    } else if (w == "string_build") {
        expected = n; units = n
    } else if (w == "hash_count") {
        expected = n "/" (n < 1000 ? n : 1000); units = n
    } else {
        return 0
    }
    return 1
}

BEGIN {
    if (wl == "none") exit 0
    n = n + 0
    if (!reference(wl, n)) {
        print "usage: awk -v wl=WORKLOAD -v n=SIZE -f bench.awk" > "/dev/stderr"
        exit 2
    }
    if (wl == "fib_rec") got = fib(n)
    else if (wl == "ack") got = ack(3, n)
    else if (wl == "loop_sum") got = loop_sum(n)
    else if (wl == "nested_loop") got = nested_loop(n)
    else if (wl == "string_build") got = string_build(n)
    else if (wl == "array_push_sum") got = array_push_sum(n)
    else got = hash_count(n)
    # %.0f: integral results beyond 2^31 would print in exponent form through CONVFMT.
    if (wl != "hash_count") { got = sprintf("%.0f", got); expected = sprintf("%.0f", expected) }
    if (got "" != expected "") {
        printf "FAIL engine=awk workload=%s size=%d: got %s, expected %s\n", wl, n, got, expected > "/dev/stderr"
        exit 1
    }
    printf "RESULT engine=awk workload=%s size=%d units=%.0f runs=1\n", wl, n, units
}
