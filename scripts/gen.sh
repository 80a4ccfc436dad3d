#!/usr/bin/env bash
# The one codegen path: grpcio-tools turns proto/ into gen/ (_pb2.py, _pb2.pyi, _pb2_grpc.py);
# mypy-protobuf's plugin adds typed stubs for the gRPC modules (_pb2_grpc.pyi).
# Usage: scripts/gen.sh [OUT_DIR]   (default gen/; `make check-gen` generates elsewhere and diffs)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gen}
mkdir -p "$out"
find "$out" -name '*_pb2*.py*' -delete
mapfile -t protos < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)
dest=$(realpath "$out")
venv=$(realpath .venv)
(cd proto && "$venv/bin/python" -m grpc_tools.protoc -I . \
  --plugin=protoc-gen-mypy_grpc="$venv/bin/protoc-gen-mypy_grpc" \
  --python_out="$dest" --pyi_out="$dest" --grpc_python_out="$dest" --mypy_grpc_out="$dest" \
  "${protos[@]}" 2> >(grep -v "^Writing mypy to" >&2))
find "$out" -type d -empty -delete
