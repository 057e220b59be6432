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
echo "wrk -t$THREADS -c$CONNS -d$DURATION"
read -r bare bare_us < <(run "$pid_bare" http://127.0.0.1:4020/pets)
read -r example example_us < <(run "$pid_mock" http://127.0.0.1:4021/pets)
read -r nolog nolog_us < <(run "$pid_nolog" http://127.0.0.1:4023/pets)
read -r generated generated_us < <(run "$pid_mock" http://127.0.0.1:4021/pets/1)
read -r dynamic dynamic_us < <(run "$pid_dyn" http://127.0.0.1:4022/pets/1)
read -r post post_us < <(run "$pid_mock" http://127.0.0.1:4021/pets -s bench/post-pet.lua)
read -r sget sget_us < <(run "$pid_state" http://127.0.0.1:4024/pets/1)
read -r spost spost_us < <(run "$pid_state" http://127.0.0.1:4024/pets -s bench/post-pet.lua)
if [ -n "$redis" ]; then
  read -r rget rget_us < <(run "$pid_redis" http://127.0.0.1:4025/pets/1)
  read -r rpost rpost_us < <(run "$pid_redis" http://127.0.0.1:4025/pets -s bench/post-pet.lua)
fi
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100*a/b}'; }
row() { printf '%-34s %10.0f %8s %9s\n' "$1" "$2" "$(pct "$2" "$bare")" "$3"; }
printf '%-34s %10s %8s %9s\n' scenario req/s "vs bare" "CPU µs/req"
row "bare hyper, fixed body" "$bare" "$bare_us"
row "stubborn GET with example" "$example" "$example_us"
row "  same, call log off" "$nolog" "$nolog_us"
row "stubborn GET generated (static)" "$generated" "$generated_us"
row "stubborn GET --dynamic" "$dynamic" "$dynamic_us"
row "stubborn POST, validated body" "$post" "$post_us"
row "stateful GET one item, memory" "$sget" "$sget_us"
row "stateful POST new item, memory" "$spost" "$spost_us"
if [ -n "$redis" ]; then
  row "stateful GET one item, Redis" "$rget" "$rget_us"
  row "stateful POST new item, Redis" "$rpost" "$rpost_us"
fi
printf '%-34s %10s %8s\n' "dynamic vs example" "" "$(pct "$dynamic" "$example")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a/b}'; }
printf '%-34s %10s %8s\n' "stateful GET CPU vs stateless GET" "" "$(ratio "$sget_us" "$generated_us")"
printf '%-34s %10s %8s\n' "validated POST vs example GET" "" "$(pct "$post" "$example")"
printf '%-34s %10s %8s\n' "call log on vs off" "" "$(pct "$example" "$nolog")"
peak() { awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$1/status"; }
echo "peak memory: bare $(peak "$pid_bare"), stubborn (example/generated/POST) $(peak "$pid_mock"), --dynamic $(peak "$pid_dyn")"
