#!/usr/bin/env bash
# Contract testing of stubborn by an independent tool: schemathesis (PyPI) generates requests
# from each spec in specs/, in negative mode (requests that break the contract) and positive
# mode, and checks that the broken ones are rejected with a 4xx and that nothing gets a 5xx.
#   pip install schemathesis && bash bench/schemathesis.sh [MAX_EXAMPLES]
set -uo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
cargo build --release --quiet --bin stubborn || exit 1
status=0
port=4031
for spec in specs/petstore.yaml specs/todo-3.1.yaml specs/multi-file/openapi.yaml specs/schema-zoo.yaml specs/validation.yaml; do
  target/release/stubborn mock "$spec" --port $port >/dev/null 2>&1 &
  pid=$!
  sleep 0.5
  base=$(grep -m1 '^  - url:' "$spec" >/dev/null; echo "http://127.0.0.1:$port")
  for mode in negative positive; do
    echo "== $spec ($mode)"
    checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection
    schemathesis run "$spec" --url "$base" --mode "$mode" -n "$N" --checks "$checks" \
      --generation-deterministic --no-color 2>&1 | tail -25
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  kill $pid; wait $pid 2>/dev/null
  port=$((port+1))
done
exit $status
