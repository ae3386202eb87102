#!/usr/bin/env python3
"""Runs the peer comparison: fusevm beside Lua 5.4, LuaJIT, Python 3, Perl, mawk and gawk.

Called by run.sh (see README.md in this directory for what is measured and why). Writes
results.md (tables + machine header), results.json (every round's figures) and chart.svg
next to this file, or into --out DIR.

Standard library only: the chart is SVG written by hand (matplotlib is not assumed).
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
RUNNER_DIR = os.path.join(HERE, "fusevm-runner")

# (key, unit, quick size, full size, how the size reads). Same as the kit's workloads.
WORKLOADS = [
    ("fib_rec", "call", 27, 30, "fib({})"),
    ("ack", "call", 7, 8, "ack(3,{})"),
    ("loop_sum", "iteration", 1_000_000, 10_000_000, "{}"),
    ("nested_loop", "inner iteration", 1000, 1000, "{0}×{0}"),
    ("string_build", "append", 100_000, 100_000, "{}"),
    ("array_push_sum", "element", 300_000, 1_000_000, "{}"),
    ("hash_count", "increment", 300_000, 1_000_000, "{}"),
]

# Engine label -> (executable to look for, Debian package providing it, kind).
# kind "self": the program times its own work loop (CPU clock) and prints ns_per_unit.
# kind "process": run.py times the whole process (CPU time from wait4) minus a start-up run.
PEERS = [
    ("lua5.4", "lua5.4", "lua5.4", "self"),
    ("luajit -joff", "luajit", "luajit", "self"),
    ("luajit (JIT on)", "luajit", "luajit", "self"),
    ("python3", "python3", None, "self"),
    ("perl", "perl", None, "self"),
    ("mawk", "mawk", "mawk", "process"),
    ("gawk", "gawk", "gawk", "process"),
]

RESULT_RE = re.compile(r"^RESULT (.*)$", re.M)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(cmd):
    """First line of a command's combined output, or '?' when it cannot run."""
    try:
        out = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30)
        text = (out.stdout + out.stderr).strip()
        return text.splitlines()[0].strip() if text else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


# ------------------------------------------------------------------------------ setup


def install_missing(no_install):
    """apt-get installs the peers that are missing (when root and allowed)."""
    missing = sorted({pkg for _, exe, pkg, _ in PEERS if pkg and shutil.which(exe) is None})
    if not missing:
        return
    if no_install or os.geteuid() != 0 or shutil.which("apt-get") is None:
        log(f"run: not installing missing peers {missing} (need root + apt-get, no --no-install)")
        return
    log(f"run: apt-get install -y {' '.join(missing)}")
    cmd = ["apt-get", "install", "-y", *missing]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, stdout=subprocess.DEVNULL)
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL)


def build_runner(runner_dir=RUNNER_DIR, target=None):
    """Builds fusevm-runner (release, fat LTO) from `runner_dir` into `target` (default
    $CARGO_TARGET_DIR, else its own target/) and returns the binary's path."""
    target = target or os.environ.get("CARGO_TARGET_DIR") or os.path.join(runner_dir, "target")
    log(f"run: building {runner_dir} (cargo build --release)")
    manifest = os.path.join(runner_dir, "Cargo.toml")
    proc = subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", manifest],
                          env=dict(os.environ, CARGO_TARGET_DIR=target))
    if proc.returncode != 0:
        sys.exit("run: fusevm-runner did not build")
    return os.path.join(target, "release", "fusevm-peers-runner")


def engine_commands(runner, runs):
    """Label -> function(workload, size) -> argv, for the engines present."""
    lua = os.path.join(HERE, "lua", "bench.lua")
    awk = os.path.join(HERE, "awk", "bench.awk")
    cmds = {"fusevm": ("self", lambda w, n: [runner, w, str(n), str(runs)])}
    for label, exe, _, kind in PEERS:
        if shutil.which(exe) is None:
            continue
        if label == "lua5.4":
            f = lambda w, n: ["lua5.4", lua, w, str(n), str(runs)]
        elif label == "luajit -joff":
            f = lambda w, n: ["luajit", "-joff", lua, w, str(n), str(runs)]
        elif label == "luajit (JIT on)":
            f = lambda w, n: ["luajit", lua, w, str(n), str(runs)]
        elif label == "python3":
            f = lambda w, n: [sys.executable, os.path.join(HERE, "python", "bench.py"), w, str(n), str(runs)]
        elif label == "perl":
            f = lambda w, n: ["perl", os.path.join(HERE, "perl", "bench.pl"), w, str(n), str(runs)]
        else:
            f = (lambda a: lambda w, n: [a, "-v", f"wl={w}", "-v", f"n={n}", "-f", awk])(exe)
        cmds[label] = (kind, f)
    return cmds


def versions():
    """One line per engine: what exactly was measured."""
    return {
        "fusevm": f"fusevm {crate_version()} @ {git_rev()} (interpreter, default features), "
                  + sh("rustc --version"),
        "lua5.4": sh("lua5.4 -v"),
        "luajit": sh("luajit -v"),
        "python3": f"{platform.python_implementation()} {platform.python_version()}",
        "perl": "perl " + sh("perl -e 'print $^V'"),
        "mawk": sh("mawk -W version 2>&1"),
        "gawk": sh("gawk --version"),
    }


def crate_version():
    try:
        with open(os.path.join(ROOT, "crates", "fusevm", "Cargo.toml")) as f:
            m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M)
            return m.group(1) if m else "?"
    except OSError:
        return "?"


def git_rev():
    rev = sh(f"git -C {ROOT} rev-parse --short HEAD")
    dirty = subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", "crates/fusevm"],
                           capture_output=True).returncode
    return rev + ("+uncommitted changes" if dirty == 1 else "")


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
            model = m.group(1).strip() if m else "?"
    except OSError:
        pass
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    return f"{os.cpu_count()} CPUs (`nproc` = {sh('nproc')}), {model}, {mem} RAM, {platform.system()} {platform.release()}"


def machine_short():
    model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")
    return f"{sh('nproc')} CPUs, {model}, Linux {platform.release()}"


# ------------------------------------------------------------------------------ measuring


def run_self(argv, timeout):
    """Runs a self-timing program; returns (ns_per_unit, units) or raises RuntimeError."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout} s")
    m = RESULT_RE.search(p.stdout)
    if p.returncode != 0 or not m:
        raise RuntimeError(first_line(p.stderr) or f"exit {p.returncode}, no RESULT line")
    fields = dict(kv.split("=", 1) for kv in m.group(1).split())
    return float(fields["ns_per_unit"]), int(float(fields["units"]))


def cpu_time_of(argv, timeout):
    """Runs argv; returns (user+sys CPU seconds of the child, stdout, stderr, exit status)."""
    out_path = os.path.join(SCRATCH, "out")
    err_path = os.path.join(SCRATCH, "err")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise RuntimeError(f"timed out after {timeout} s")
            time.sleep(0.002)
        proc.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path) as o, open(err_path) as e:
        return ru.ru_utime + ru.ru_stime, o.read(), e.read(), proc.returncode


def run_process(argv, startup_argv, timeout):
    """Whole-process CPU time minus a start-up-only run of the same interpreter and script."""
    startup, _, _, _ = cpu_time_of(startup_argv, timeout)
    cpu, out, err, rc = cpu_time_of(argv, timeout)
    m = RESULT_RE.search(out)
    if rc != 0 or not m:
        raise RuntimeError(first_line(err) or f"exit {rc}, no RESULT line")
    fields = dict(kv.split("=", 1) for kv in m.group(1).split())
    units = int(float(fields["units"]))
    return max(cpu - startup, 0.0) * 1e9 / max(units, 1), units


def first_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[0].strip() if lines else ""


def measure(cmds, workloads, rounds, timeout):
    """rows[w][engine] = list of per-round ns/unit; fails[w][engine] = message."""
    rows = {w: {e: [] for e in cmds} for w, *_ in workloads}
    fails = {w: {} for w, *_ in workloads}
    units_seen = {}
    engines = list(cmds)
    for r in range(rounds):
        t0 = time.monotonic()
        # Rotate the engine order every round so no engine always runs right after a heavy one.
        order = engines[r % len(engines):] + engines[:r % len(engines)]
        for w, _, n, _ in workloads:
            for e in order:
                if e in fails[w]:
                    continue
                kind, f = cmds[e]
                try:
                    if kind == "self":
                        ns, units = run_self(f(w, n), timeout)
                    else:
                        ns, units = run_process(f(w, n), f("none", 0), timeout)
                except RuntimeError as err:
                    fails[w][e] = str(err)
                    log(f"run: {e} {w}: FAIL {err}")
                    continue
                # Every engine must agree on the amount of work (a cross-check of the peers).
                seen = units_seen.setdefault(w, (e, units))
                if seen[1] != units:
                    fails[w][e] = f"reported {units} units of work, {seen[0]} reported {seen[1]}"
                    continue
                rows[w][e].append(ns)
        log(f"run: round {r + 1}/{rounds} done in {time.monotonic() - t0:.0f} s")
    return rows, fails


# ------------------------------------------------------------------------------ report


def fmt_ns(x):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_ratio(r):
    return f"{r:.0f}" if r >= 100 else f"{r:.1f}" if r >= 10 else f"{r:.2f}"


def short(n):
    """1000000 -> '1e6', 300000 -> '3e5', 27 -> 27 (sizes as the kit writes them)."""
    if n >= 10_000:
        e = int(math.log10(n))
        m = n / 10**e
        if m == int(m):
            return f"{int(m)}e{e}" if m != 1 else f"1e{e}"
    return n


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def summarize(rows, fails, workloads, engines):
    """med[w][e] = median ns/unit; ratio[w][e] = median over rounds of e / fusevm (same round)."""
    med, ratio, spread = {}, {}, {}
    for w, *_ in workloads:
        med[w], ratio[w], spread[w] = {}, {}, {}
        base = rows[w].get("fusevm", [])
        for e in engines:
            xs = rows[w][e]
            med[w][e] = statistics.median(xs) if xs and e not in fails[w] else None
            if e != "fusevm" and med[w][e] is not None and base and "fusevm" not in fails[w]:
                rs = [x / b for x, b in zip(xs, base) if b > 0]
                if rs:
                    ratio[w][e] = statistics.median(rs)
                    spread[w][e] = (min(rs), max(rs))
    return med, ratio, spread


def write_markdown(path, meta, workloads, engines, med, ratio, spread, fails, rounds):
    peers = [e for e in engines if e != "fusevm"]
    L = []
    L.append("# fusevm beside other interpreters")
    L.append("")
    L.append(f"Generated by `bench/peers/run.sh{meta['args']}` on **{meta['date']}**.")
    L.append("")
    load = f" (load average at the end of the run: {meta['load']})" if "load" in meta else ""
    L.append(f"- **Machine:** {meta['machine']}{load}. A shared, noisy VM: absolute figures move "
             "by 10–30 % between runs; the per-round ratios are steadier than the ns columns.")
    L.append(f"- **Method:** {rounds} round{'s' if rounds != 1 else ''}; each round starts one process per engine and "
             "workload. CPU time (user + system), not wall time. fusevm, Lua, LuaJIT, Python and "
             "Perl time their own work loop with the process CPU clock (one untimed warm-up run, "
             f"then the median of {meta['runs']} timed runs); awk has no clock, so its whole process is "
             "measured and a start-up-only run subtracted. Every run checks its result. Cells are "
             "the median over the rounds.")
    L.append("- **Versions:**")
    for k, v in meta["versions"].items():
        L.append(f"  - {k}: {v}")
    L.append("")
    L.append("## ns per unit of work (lower is better)")
    L.append("")
    L.append("| workload | size | unit | " + " | ".join(engines) + " |")
    L.append("|---|---|---|" + "---:|" * len(engines))
    for w, unit, n, label in workloads:
        cells = []
        for e in engines:
            if e in fails[w]:
                cells.append("fail¹")
            else:
                c = fmt_ns(med[w][e])
                cells.append(f"**{c}**" if e == "fusevm" else c)
        L.append(f"| {w} | {label} | {unit} | " + " | ".join(cells) + " |")
    L.append("")
    L.append("## fusevm speedup vs each engine (engine time / fusevm time; > 1: fusevm is faster)")
    L.append("")
    L.append("| workload | " + " | ".join(peers) + " |")
    L.append("|---|" + "---:|" * len(peers))
    for w, *_ in workloads:
        cells = []
        for e in peers:
            if e in ratio[w]:
                lo, hi = spread[w][e]
                cells.append(f"{fmt_ratio(ratio[w][e])} <sub>({fmt_ratio(lo)}–{fmt_ratio(hi)})</sub>")
            else:
                cells.append("—")
        L.append(f"| {w} | " + " | ".join(cells) + " |")
    gm = [geomean([ratio[w].get(e) for w, *_ in workloads]) for e in peers]
    counts = [sum(1 for w, *_ in workloads if e in ratio[w]) for e in peers]
    L.append("| **geomean** | " + " | ".join(
        f"**{g:.2f}** ({c})" if g else "—" for g, c in zip(gm, counts)) + " |")
    # string_build is quadratic in the engines whose strings are immutable (a copy per append),
    # so its ratios are large enough to carry the geomean: show it without them too.
    rest = [(w, *_r) for w, *_r in workloads if w != "string_build"]
    if len(rest) < len(workloads):
        gm = [geomean([ratio[w].get(e) for w, *_ in rest]) for e in peers]
        counts = [sum(1 for w, *_ in rest if e in ratio[w]) for e in peers]
        L.append("| geomean without string_build | " + " | ".join(
            f"{g:.2f} ({c})" if g else "—" for g, c in zip(gm, counts)) + " |")
    L.append("")
    L.append("Each speedup is the median over the rounds of (engine ns/unit ÷ fusevm ns/unit) "
             "measured in the same round; the range in small print is the lowest and highest "
             "round. The geomean is over the workloads the engine ran (count in parentheses)."
             + ("" if len(rest) == len(workloads) else
                " `string_build` is quadratic in Lua, LuaJIT, CPython and mawk here (each `s .. \"x\"` "
             "copies the string; fusevm, Perl and gawk append in place), which is why it gets a "
             "geomean row of its own."))
    all_fails = [(w, e, msg) for w, *_ in workloads for e, msg in fails[w].items()]
    if all_fails:
        L.append("")
        L.append("¹ Failures (not timed):")
        L.append("")
        for w, e, msg in all_fails:
            L.append(f"- {e}, {w}: `{msg}`")
    L.append("")
    L.append("![ns per unit, log scale](chart.svg)")
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


COLORS = {
    "fusevm": "#d9480f",
    "lua5.4": "#1c7ed6",
    "luajit -joff": "#4dabf7",
    "luajit (JIT on)": "#a5d8ff",
    "python3": "#2f9e44",
    "perl": "#7048e8",
    "mawk": "#868e96",
    "gawk": "#495057",
}


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_svg(path, meta, workloads, engines, med, fails):
    """Grouped horizontal bars, one group per workload, log-scale ns/unit axis."""
    vals = [med[w][e] for w, *_ in workloads for e in engines if med[w][e]]
    lo = 10 ** math.floor(math.log10(min(vals)))
    hi = 10 ** math.ceil(math.log10(max(vals)))
    bar_h, gap, left, plot_w, top = 11, 14, 250, 560, 64
    width = left + plot_w + 90
    group_h = bar_h * len(engines) + gap
    height = top + group_h * len(workloads) + 30

    def x(v):
        return left + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">'
           'fusevm beside other interpreters: ns per unit of work (log scale, shorter is faster)</text>',
           f'<text x="{width / 2}" y="40" text-anchor="middle" fill="#555">'
           f'{esc(meta["date"])}; {esc(meta["machine_short"])}; median of {meta["rounds"]} rounds, CPU time</text>']
    # Grid: one line per decade.
    d = lo
    while d <= hi * 1.0001:
        gx = x(d)
        out.append(f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" y2="{top + group_h * len(workloads)}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{gx:.1f}" y="{top + group_h * len(workloads) + 14}" text-anchor="middle" '
                   f'fill="#555">{d:g} ns</text>')
        d *= 10
    for gi, (w, unit, n, label) in enumerate(workloads):
        gy = top + gi * group_h
        out.append(f'<text x="8" y="{gy + bar_h * len(engines) / 2 - 2:.1f}" font-weight="bold">{esc(w)}</text>')
        out.append(f'<text x="8" y="{gy + bar_h * len(engines) / 2 + 12:.1f}" fill="#555">'
                   f'{esc(label)}, per {esc(unit)}</text>')
        for ei, e in enumerate(engines):
            y = gy + ei * bar_h
            out.append(f'<text x="{left - 6}" y="{y + bar_h - 2}" text-anchor="end" font-size="9.5" '
                       f'fill="#333">{esc(e)}</text>')
            v = med[w][e]
            if v is None:
                why = "failed" if e in fails[w] else "n/a"
                out.append(f'<text x="{left + 4}" y="{y + bar_h - 2}" font-size="9.5" fill="#c92a2a">{why}</text>')
                continue
            bw = max(x(v) - left, 1)
            weight = ' stroke="#000" stroke-width="0.6"' if e == "fusevm" else ""
            out.append(f'<rect x="{left}" y="{y + 1}" width="{bw:.1f}" height="{bar_h - 2}" '
                       f'fill="{COLORS.get(e, "#999")}"{weight}/>')
            out.append(f'<text x="{left + bw + 4:.1f}" y="{y + bar_h - 2}" font-size="9.5">{fmt_ns(v)}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ------------------------------------------------------------------------------ main


def main():
    global SCRATCH
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (the kit's quick sizes)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds (processes per engine and workload)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs inside each self-timing process")
    ap.add_argument("--only", help="comma-separated workloads")
    ap.add_argument("--engines", help="comma-separated engine labels (fusevm is always included)")
    ap.add_argument("--no-install", action="store_true", help="do not apt-get install missing peers")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per process")
    ap.add_argument("--out", default=HERE, help="directory for results.md, results.json, chart.svg")
    ap.add_argument("--render", metavar="JSON",
                    help="no measuring: rewrite results.md and chart.svg from a results.json")
    a = ap.parse_args()
    if a.render:
        render(a.render, a.out)
        return
    if a.rounds < 1 or a.runs < 1:
        sys.exit("run: --rounds and --runs must be >= 1")

    workloads = [(w, unit, q if a.quick else f, lab.format(short(q if a.quick else f)))
                 for w, unit, q, f, lab in WORKLOADS]
    if a.only:
        keep = a.only.split(",")
        unknown = set(keep) - {w for w, *_ in WORKLOADS}
        if unknown:
            sys.exit(f"run: unknown workloads {sorted(unknown)}")
        workloads = [wl for wl in workloads if wl[0] in keep]

    install_missing(a.no_install)
    runner = build_runner()
    cmds = engine_commands(runner, a.runs)
    if a.engines:
        keep = set(a.engines.split(",")) | {"fusevm"}
        cmds = {e: c for e, c in cmds.items() if e in keep}
    engines = list(cmds)
    absent = [label for label, *_ in PEERS if label not in cmds]
    if absent:
        log(f"run: not measured (absent or not selected): {', '.join(absent)}")

    os.makedirs(a.out, exist_ok=True)
    SCRATCH = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"fusevm-peers-{os.getpid()}")
    os.makedirs(SCRATCH, exist_ok=True)
    started = time.monotonic()
    rows, fails = measure(cmds, workloads, a.rounds, a.timeout)
    shutil.rmtree(SCRATCH, ignore_errors=True)

    med, ratio, spread = summarize(rows, fails, workloads, engines)
    args = " ".join(sys.argv[1:])
    meta = {
        "args": f" {args}" if args else "",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "machine_short": machine_short(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "versions": versions(),
        "rounds": a.rounds,
        "runs": a.runs,
        "elapsed_s": round(time.monotonic() - started),
    }
    write_markdown(os.path.join(a.out, "results.md"), meta, workloads, engines, med, ratio, spread,
                   fails, a.rounds)
    write_svg(os.path.join(a.out, "chart.svg"), meta, workloads, engines, med, fails)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "workloads": [{"key": w, "unit": u, "size": n} for w, u, n, _ in workloads],
                   "ns_per_unit_rounds": rows, "failures": fails}, f, indent=1)
        f.write("\n")
    log(f"run: wrote {os.path.join(a.out, 'results.md')}, chart.svg, results.json "
        f"({meta['elapsed_s']} s of measuring)")
    for w, *_ in workloads:
        line = "  ".join(f"{e}={fmt_ns(med[w][e])}" for e in engines)
        log(f"  {w:15s} {line}")


def render(json_path, out):
    """Rewrites results.md and chart.svg from the figures of an earlier run."""
    with open(json_path) as f:
        data = json.load(f)
    meta = data["meta"]
    known = {w: (lab, u) for w, u, q, full, lab in WORKLOADS}
    workloads = []
    for wl in data["workloads"]:
        label = known[wl["key"]][0].format(short(wl["size"]))
        workloads.append((wl["key"], wl["unit"], wl["size"], label))
    rows = data["ns_per_unit_rounds"]
    engines = list(rows[workloads[0][0]])
    fails = data["failures"]
    med, ratio, spread = summarize(rows, fails, workloads, engines)
    write_markdown(os.path.join(out, "results.md"), meta, workloads, engines, med, ratio, spread,
                   fails, meta["rounds"])
    write_svg(os.path.join(out, "chart.svg"), meta, workloads, engines, med, fails)
    log(f"run: rewrote results.md and chart.svg in {out} from {json_path}")


SCRATCH = None

if __name__ == "__main__":
    main()
