#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the brokers, runs every test with
# Node's own test runner. Extra arguments narrow the run to matching files.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --browser
bash scripts/brokers.sh start

if [ "$#" -gt 0 ]; then
  mapfile -t files < <(find packages services test -name '*.test.ts' -not -path '*/node_modules/*' | sort | grep -E "$(IFS='|'; echo "$*")")
else
  mapfile -t files < <(find packages services test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
fi
# tsx and Vite strip types without checking them: the type check is part of the tests.
echo "test: npm run typecheck" >&2
npm run typecheck --silent

mkdir -p test-results
# The OpenSearch store's tests need the local two-node cluster; start it only when they run.
if printf '%s\n' "${files[@]}" | grep -q opensearch; then bash scripts/opensearch.sh start; fi
# One file at a time: some files stop and restart the shared brokers (Kafka
# outage, RabbitMQ faults) and must not overlap others. On a 2-core machine the
# runner's default is 1 anyway; saying so keeps bigger machines correct.
exec node --import tsx --test --test-concurrency=1 --test-timeout=360000 --test-reporter=spec "${files[@]}"
