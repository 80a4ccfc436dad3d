#!/usr/bin/env bash
# Installs the project's toolchain on a fresh machine; a second run downloads nothing.
#   - uv (pinned) in ~/.cache/t1/tools, then the locked virtualenv in .venv (uv's cache: ~/.cache/uv)
#   - the buf CLI from npm (pinned in tools/buf/package-lock.json; npm's cache: ~/.npm)
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
TOOLS="${T1_CACHE_DIR:-$HOME/.cache/t1}/tools"

if [ ! -x "$TOOLS/bin/uv" ] || [ "$("$TOOLS/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "[bootstrap] installing uv $UV_VERSION into $TOOLS"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PYTHON_DOWNLOADS=never
"$TOOLS/bin/uv" sync --frozen --quiet

if [ ! -x tools/buf/node_modules/.bin/buf ] || [ tools/buf/package-lock.json -nt tools/buf/node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing buf from npm"
  (cd tools/buf && npm ci --no-audit --no-fund --loglevel=error)
fi
