#!/usr/bin/env bash
# `npm run bench [-- --quick] [names...]`: benchmarks (never part of `npm test`'s pass/fail).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/brokers.sh start
exec node --import tsx bench/run.ts "$@"
