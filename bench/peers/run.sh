#!/usr/bin/env bash
# Peer comparison: the bench/peers workloads on fusevm (this checkout, release + fat LTO) and on
# Lua 5.4, LuaJIT (-joff and JIT on), Python 3, Perl, mawk and gawk. Installs missing peers with
# apt-get when run as root, builds bench/peers/fusevm-runner, measures, and writes
# bench/peers/results.md, results.json and chart.svg. See bench/peers/README.md.
#
#   bench/peers/run.sh            # full sizes, 5 rounds
#   bench/peers/run.sh --quick    # the kit's quick sizes
#   bench/peers/run.sh --help     # all options (--rounds, --runs, --only, --engines, ...)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v python3 >/dev/null || { echo "run.sh: python3 is required" >&2; exit 2; }
command -v cargo >/dev/null || { echo "run.sh: cargo is required" >&2; exit 2; }
exec python3 "$here/run.py" "$@"
