#!/usr/bin/env bash
# `npm run demo [-- --orders N --rate R --exit]`: installs what is missing,
# starts the brokers, the explorer and the shop's five services, sends sample
# orders, prints one order's trace as a tree. Ctrl-C stops everything it started.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/brokers.sh start
exec node --import tsx scripts/demo/main.ts "$@"
