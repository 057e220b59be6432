#!/usr/bin/env bash
# Contract testing of stubborn by an independent tool, schemathesis (PyPI):
#  - negative mode: requests that break the contract must be rejected with a 4xx, none may get
#    a 5xx (checks negative_data_rejection, not_a_server_error);
#  - positive mode against `stubborn mock --dynamic`: every response must conform to its
#    schema (response_schema_conformance, content_type_conformance, not_a_server_error).
# Undocumented 4xx answers to bad requests are expected (stubborn answers problem+json when the
# operation documents no error response), so status_code_conformance is not run in negative mode.
#
#   pip install schemathesis && bash bench/schemathesis.sh [MAX_EXAMPLES] [SPEC...]
set -uo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
shift || true
SPECS=("$@")
[ ${#SPECS[@]} -gt 0 ] || SPECS=(specs/petstore.yaml specs/todo-3.1.yaml specs/multi-file/openapi.yaml specs/schema-zoo.yaml specs/validation.yaml specs/scenarios.yaml)
cargo build --release --quiet --bin stubborn || exit 1
status=0
port=4031
run() { # spec mode checks extra-mock-args...
  local spec=$1 mode=$2 checks=$3; shift 3
  target/release/stubborn mock "$spec" --port $port "$@" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
  local out
  out=$(schemathesis run "$spec" --url "http://127.0.0.1:$port" --mode "$mode" -n "$N" \
    --checks "$checks" --generation-deterministic --no-color 2>&1)
  local rc=$?
  local cases failures
  cases=$(echo "$out" | grep -oE '[0-9]+ generated' | tail -1)
  failures=$(echo "$out" | grep -E '^\s+❌ ST' | sed 's/^ *//' | tr '\n' ';')
  printf '%-34s %-9s %-16s %s\n' "$spec" "$mode" "${cases:-?}" "${failures:-no failures}"
  [ $rc -eq 0 ] || { status=1; [ -n "${VERBOSE:-}" ] && echo "$out"; }
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  port=$((port+1))
}
for spec in "${SPECS[@]}"; do
  run "$spec" negative not_a_server_error,negative_data_rejection
  run "$spec" positive not_a_server_error,response_schema_conformance,content_type_conformance --dynamic
done
exit $status
