#!/usr/bin/env bash
# The one codegen path: grpcio-tools turns proto/ into gen/ (_pb2.py, _pb2.pyi, _pb2_grpc.py).
# Usage: scripts/gen.sh [OUT_DIR]   (default gen/; `make check-gen` generates elsewhere and diffs)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gen}
mkdir -p "$out"
find "$out" -name '*_pb2*.py*' -delete
mapfile -t protos < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)
(cd proto && "${PYTHON:-../.venv/bin/python}" -m grpc_tools.protoc -I . \
  --python_out="$(realpath "../$out" 2>/dev/null || realpath "$out")" \
  --pyi_out="$(realpath "../$out" 2>/dev/null || realpath "$out")" \
  --grpc_python_out="$(realpath "../$out" 2>/dev/null || realpath "$out")" \
  "${protos[@]}")
find "$out" -type d -empty -delete
