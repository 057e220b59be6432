#!/usr/bin/env bash
# Load benchmark: stubborn against a bare hyper server answering a fixed body, in one run, on
# this machine. Needs wrk (Debian: apt-get install wrk). Loopback only; every run is bounded.
#
#   bash bench/load.sh                      # 3 rounds of 5 s per scenario
#   ROUNDS=5 DURATION=10s bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
# One build for both: the example turns on the dev-dependencies' features for the binary too,
# so those must never change what tokio does at run time (no `test-util`: it puts a lock in
# tokio's clock).
cargo build --release --quiet --bin stubborn --example bare_hyper
# Where cargo put them: CARGO_TARGET_DIR when set, else target/.
BIN=${CARGO_TARGET_DIR:-target}/release

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

start bare 4020 "$BIN"/examples/bare_hyper 4020
start mock 4021 "$BIN"/stubborn mock specs/petstore.yaml --port 4021
start dyn 4022 "$BIN"/stubborn mock specs/petstore.yaml --port 4022 --dynamic
start nolog 4023 "$BIN"/stubborn mock specs/petstore.yaml --port 4023 --log-size 0
# Stateful mode (issue 17): in memory, and on a redis-server of the script's own when one is
# installed (Debian: apt-get install redis-server). POSTs keep creating items: the bound is
# raised so that none is refused within a run.
start state 4024 "$BIN"/stubborn mock specs/petstore.yaml --port 4024 --stateful \
  --state-max-items 5000000
redis=""
if command -v redis-server >/dev/null; then
  start rdb 4026 redis-server --port 4026 --bind 127.0.0.1 --save '' --appendonly no
  start redis 4025 "$BIN"/stubborn mock specs/petstore.yaml --port 4025 \
    --state redis://127.0.0.1:4026 --state-namespace bench --state-max-items 5000000
  redis=yes
fi

# The server's CPU time (user + system, from /proc) over one wrk run, per request answered.
TICK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # pid url [extra wrk args] -> "req/s µs-per-request"
  local pid=$1 url=$2; shift 2
  local t0 t1 out
  t0=$(cpu "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" "$url")
  t1=$(cpu "$pid")
  echo "$out" | awk -v a="$t0" -v b="$t1" -v t="$TICK" '
    /requests in/ {n = $1} /Requests\/sec/ {r = $2}
    END {printf "%.0f %.2f\n", r, (b - a) / t * 1e6 / n}'
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds"

# The scenarios: name, server, URL, extra wrk arguments.
scenarios=(
  "stubborn GET with example|mock|http://127.0.0.1:4021/pets|"
  "  same, call log off|nolog|http://127.0.0.1:4023/pets|"
  "stubborn GET generated (static)|mock|http://127.0.0.1:4021/pets/1|"
  "stubborn GET --dynamic|dyn|http://127.0.0.1:4022/pets/1|"
  "stubborn POST, validated body|mock|http://127.0.0.1:4021/pets|-s bench/post-pet.lua"
  "stateful GET one item, memory|state|http://127.0.0.1:4024/pets/1|"
  "stateful POST new item, memory|state|http://127.0.0.1:4024/pets|-s bench/post-pet.lua"
)
if [ -n "$redis" ]; then
  scenarios+=(
    "stateful GET one item, Redis|redis|http://127.0.0.1:4025/pets/1|"
    "stateful POST new item, Redis|redis|http://127.0.0.1:4025/pets|-s bench/post-pet.lua"
  )
fi

# This is a shared machine: a neighbour's load moves every figure by up to a fifth between
# runs. So each round runs the bare server and then every scenario, each scenario is compared
# with its own round's bare figure, and the table shows the median over the rounds.
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
declare -A rps us pct
for round in $(seq "$ROUNDS"); do
  read -r b b_us < <(run "$pid_bare" http://127.0.0.1:4020/pets)
  rps[bare]+="$b "; us[bare]+="$b_us "
  for i in "${!scenarios[@]}"; do
    IFS='|' read -r _ server url extra <<<"${scenarios[$i]}"
    pid_var="pid_$server"
    # shellcheck disable=SC2086
    read -r r r_us < <(run "${!pid_var}" "$url" $extra)
    rps[$i]+="$r "; us[$i]+="$r_us "
    pct[$i]+="$(awk -v a="$r" -v b="$b" 'BEGIN {printf "%.1f", 100 * a / b}') "
  done
  echo "round $round done" >&2
done

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
range() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.0f-%.0f%%", lo, hi}'; }
printf '%-34s %10s %8s %11s %9s\n' scenario "req/s" "vs bare" "(range)" "CPU µs/req"
printf '%-34s %10.0f %8s %11s %9.2f\n' "bare hyper, fixed body" "$(med "${rps[bare]}")" "100%" "" "$(med "${us[bare]}")"
for i in "${!scenarios[@]}"; do
  IFS='|' read -r name _ _ _ <<<"${scenarios[$i]}"
  printf '%-34s %10.0f %7.0f%% %11s %9.2f\n' "$name" "$(med "${rps[$i]}")" "$(med "${pct[$i]}")" \
    "$(range "${pct[$i]}")" "$(med "${us[$i]}")"
done
peak() { awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$1/status"; }
echo "peak memory: bare $(peak "$pid_bare"), stubborn (example/generated/POST) $(peak "$pid_mock"), --dynamic $(peak "$pid_dyn")"
