#!/usr/bin/env bash
# Load benchmark: stubborn against a bare hyper server answering a fixed body, in one run, on
# this machine. Needs wrk (Debian: apt-get install wrk). Loopback only; every run is bounded.
#
#   bash bench/load.sh            # 10 s per scenario
#   DURATION=30s bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
cargo build --release --quiet --bin stubborn --example bare_hyper

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # name port cmd...
  local port=$2; shift 2
  "$@" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "server on $port did not start"; exit 1
}

start bare 4020 target/release/examples/bare_hyper 4020
start mock 4021 target/release/stubborn mock specs/petstore.yaml --port 4021
start dyn 4022 target/release/stubborn mock specs/petstore.yaml --port 4022 --dynamic
start nolog 4023 target/release/stubborn mock specs/petstore.yaml --port 4023 --log-size 0

rps() { # url [extra wrk args]
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" "$url" | awk '/Requests\/sec/ {print $2}'
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "wrk -t$THREADS -c$CONNS -d$DURATION"
bare=$(rps http://127.0.0.1:4020/pets)
example=$(rps http://127.0.0.1:4021/pets)
nolog=$(rps http://127.0.0.1:4023/pets)
generated=$(rps http://127.0.0.1:4021/pets/1)
dynamic=$(rps http://127.0.0.1:4022/pets/1)
post=$(rps http://127.0.0.1:4021/pets -s bench/post-pet.lua)
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100*a/b}'; }
printf '%-34s %12s %8s\n' scenario req/s "vs bare"
printf '%-34s %12.0f %8s\n' "bare hyper, fixed body" "$bare" 100%
printf '%-34s %12.0f %8s\n' "stubborn GET with example" "$example" "$(pct "$example" "$bare")"
printf '%-34s %12.0f %8s\n' "  same, call log off" "$nolog" "$(pct "$nolog" "$bare")"
printf '%-34s %12.0f %8s\n' "stubborn GET generated (static)" "$generated" "$(pct "$generated" "$bare")"
printf '%-34s %12.0f %8s\n' "stubborn GET --dynamic" "$dynamic" "$(pct "$dynamic" "$bare")"
printf '%-34s %12.0f %8s\n' "stubborn POST, validated body" "$post" "$(pct "$post" "$bare")"
printf '%-34s %12s %8s\n' "dynamic vs example" "" "$(pct "$dynamic" "$example")"
printf '%-34s %12s %8s\n' "validated POST vs example GET" "" "$(pct "$post" "$example")"
printf '%-34s %12s %8s\n' "call log on vs off" "" "$(pct "$example" "$nolog")"
