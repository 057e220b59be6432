#!/usr/bin/env bash
# Load benchmark of `stubborn proxy`: one upstream (the bare hyper yardstick, answering a body
# that keeps specs/petstore.yaml's contract for GET /pets) hit directly, and through
# `stubborn proxy specs/petstore.yaml` (request and response validated, call log and log line
# on), in one run, on this machine. Needs wrk. Loopback only; every run is bounded.
#
#   bash bench/proxy.sh            # 10 s per scenario
#   DURATION=30s bash bench/proxy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
TARGET=${CARGO_TARGET_DIR:-target}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
cargo build --release --quiet --bin stubborn --example bare_hyper

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # name port cmd...
  local name=$1 port=$2; shift 2
  "$@" >/dev/null 2>&1 &
  pids+=($!)
  eval "pid_$name=$!"
  for _ in $(seq 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "server on $port did not start"; exit 1
}

start upstream 4030 "$TARGET"/release/examples/bare_hyper 4030
start proxy 4031 "$TARGET"/release/stubborn proxy specs/petstore.yaml http://127.0.0.1:4030 --port 4031

# Through the proxy, the answer must be the upstream's and keep the contract.
headers=$(curl -sS -o /dev/null -D - http://127.0.0.1:4031/pets)
echo "$headers" | grep -qi '^x-stubborn-source: upstream' || { echo "not proxied: $headers"; exit 1; }
if echo "$headers" | grep -qi '^x-stubborn-violations'; then echo "violations: $headers"; exit 1; fi

TICK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # pid url -> "req/s µs-per-request(pid)"
  local pid=$1 url=$2
  local t0 t1 out
  t0=$(cpu "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$url")
  t1=$(cpu "$pid")
  echo "$out" | awk -v a="$t0" -v b="$t1" -v t="$TICK" '
    /requests in/ {n = $1} /Requests\/sec/ {r = $2}
    END {printf "%.0f %.2f\n", r, (b - a) / t * 1e6 / n}'
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "wrk -t$THREADS -c$CONNS -d$DURATION, GET /pets"
read -r direct direct_us < <(run "$pid_upstream" http://127.0.0.1:4030/pets)
read -r proxied proxy_us < <(run "$pid_proxy" http://127.0.0.1:4031/pets)
printf '%-44s %10s %8s\n' scenario req/s "CPU µs/request (proxy)"
printf '%-44s %10.0f\n' "the upstream directly" "$direct"
printf '%-44s %10.0f %8s\n' "through stubborn proxy (both sides validated)" "$proxied" "$proxy_us"
awk -v a="$proxied" -v b="$direct" 'BEGIN {printf "proxy / direct: %.0f%%\n", 100*a/b}'
