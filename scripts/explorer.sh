#!/usr/bin/env bash
# `npm run explorer [-- options]`: installs what is missing, builds the web UI
# when its sources are newer than the build, then runs the explorer in the
# foreground (Ctrl-C stops it cleanly). Options go to `tracewire explorer`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
ui_src="packages/explorer/src/ui"
ui_out="packages/explorer/dist/ui/index.html"
if [ -d "$ui_src" ] && { [ ! -f "$ui_out" ] || [ -n "$(find "$ui_src" packages/explorer/index.html -newer "$ui_out" -print -quit 2>/dev/null)" ]; }; then
  echo "explorer: building the web UI" >&2
  npm run build:ui -w @tracewire/explorer >&2 || echo "explorer: UI build failed; the API still runs" >&2
fi
exec node packages/explorer/bin/tracewire.js explorer "$@"
