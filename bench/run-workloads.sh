#!/usr/bin/env bash
# Starts a Redis and three Relay nodes on free loopback ports, runs the standard workloads with the
# relay-bench load generator, prints the summaries and stops everything it started.
#
#   bench/run-workloads.sh                       W1 W2 W3 W4 at full scale (several minutes)
#   WORKLOADS="W1 W3" bench/run-workloads.sh     a selection
#   TINY=1 bench/run-workloads.sh                every workload at toy scale, well under a minute (CI)
#
#   W1 chat      100 rooms x 10 members, 1 publisher/room at 10 msg/s, 100 B, 20 s (after 5 s warmup)
#   W2 fanout    1 room x 1,000 members, 1 publisher at 200 msg/s, 100 B, 20 s (after 5 s warmup)
#   W3 saturate  10 rooms x 50 members, 1 publisher/room from 20 msg/s, x1.5 per 10 s step until
#                p99 > 100 ms or loss; reports the last good step
#   W4 idle      10,000 connections in 1,000 rooms, held 30 s, from source addresses 127.0.0.1..4;
#                connect time, server RSS per connection, idle CPU
#
# Every workload gets a fresh Redis and fresh nodes (FRESH=0: one cluster for all; the default with
# TINY=1). Results: one JSON line per workload appended to bench/results/<stamp>.jsonl; logs, the
# nodes' output and the pid file in bench/results/<stamp>/.
#
# Env: RELAY_JAR       node jar            (relay-node/target/relay-node.jar)
#      BENCH_JAR       load generator jar  (relay-bench/target/relay-bench.jar)
#      NODE_JAVA_OPTS  JVM options of each node (RELAY_JAVA_OPTS, else -Xmx512m -XX:+UseSerialGC)
#      BENCH_JAVA_OPTS JVM options of the load generator (-Xmx1g)
#      BENCH_ARGS      extra load generator flags for every workload, e.g. "--io-threads 1"
#      W1_ARGS .. W4_ARGS  replace a workload's flags entirely (profiling runs, say)
#      WORKLOADS, TINY, FRESH, RESULTS (the .jsonl file)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RELAY_JAR="${RELAY_JAR:-$ROOT/relay-node/target/relay-node.jar}"
BENCH_JAR="${BENCH_JAR:-$ROOT/relay-bench/target/relay-bench.jar}"
WORKLOADS="${WORKLOADS:-W1 W2 W3 W4}"
TINY="${TINY:-0}"
FRESH="${FRESH:-$([ "$TINY" = 1 ] && echo 0 || echo 1)}"
NODE_JAVA_OPTS="${NODE_JAVA_OPTS:-${RELAY_JAVA_OPTS:--Xmx512m -XX:+UseSerialGC}}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx1g}"
BENCH_ARGS="${BENCH_ARGS:-}"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="${RESULTS:-$ROOT/bench/results/$STAMP.jsonl}"
LOGS="$ROOT/bench/results/$STAMP"
SECRET="bench-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"   # > 32 bytes, fresh per run

for jar in "$RELAY_JAR" "$BENCH_JAR"; do
  if [ ! -f "$jar" ]; then
    echo "missing $jar: build the jars first with ./mvnw -q -DskipTests package (or set RELAY_JAR / BENCH_JAR)" >&2
    exit 1
  fi
done
for wl in $WORKLOADS; do
  case "$wl" in W1|W2|W3|W4) ;; *) echo "unknown workload '$wl' (have W1 W2 W3 W4)" >&2; exit 2 ;; esac
done
mkdir -p "$LOGS" "$(dirname "$RESULTS")"
echo "relay-node jar:  $RELAY_JAR"
echo "relay-bench jar: $BENCH_JAR"
echo "results:         $RESULTS (logs in $LOGS)"
# run copies: a rebuild during the run must not swap classes under running JVMs
JARS="$(mktemp -d)"
cp "$RELAY_JAR" "$JARS/relay-node.jar"
cp "$BENCH_JAR" "$JARS/relay-bench.jar"
RELAY_JAR="$JARS/relay-node.jar"
BENCH_JAR="$JARS/relay-bench.jar"

# 10,000 connections need 10,000 descriptors in the load generator and about a third in each node
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ] && [[ " $WORKLOADS " == *" W4 "* ]] && [ "$TINY" != 1 ]; then
  echo "warning: ulimit -n is $(ulimit -n); W4 needs more than 10,000 open files" >&2
fi

STARTED=()        # pids this script started, stopped on exit
URLS=""
PID_FILE="$LOGS/servers.pids"

# port_open, free_port, http_status, redis_binary
source "$ROOT/scripts/loopback.sh"
# workload_args
source "$ROOT/bench/workloads.sh"

start_redis() {
  local port bin i
  port="$(free_port)"
  bin="$(redis_binary "$LOGS")"
  "$bin" --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no \
    --maxclients 10000 --logfile "$LOGS/redis-$port.log" --dir "$LOGS" &
  STARTED+=($!)
  echo "redis-$port $!" >> "$PID_FILE"
  for ((i = 0; i < 100; i++)); do port_open "$port" && break; sleep 0.1; done
  port_open "$port" || { echo "redis did not start, see $LOGS/redis-$port.log" >&2; return 1; }
  REDIS_PORT="$port"
}

start_nodes() {
  local ports=() port i n pid
  for n in 1 2 3; do
    port="$(free_port)"
    ports+=("$port")
    env -u RELAY_JAR RELAY_PORT="$port" RELAY_HOST=127.0.0.1 RELAY_NODE_ID="bench-node-$n" \
      RELAY_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" RELAY_JWT_SECRET="$SECRET" \
      RELAY_RATE=1000000 RELAY_BURST=1000000 RELAY_OUTBOUND_QUEUE=65536 \
      RELAY_MAX_CONNECTIONS_PER_USER=1000000 RELAY_DRAIN_TIMEOUT=1s \
      java $NODE_JAVA_OPTS -jar "$RELAY_JAR" > "$LOGS/node-$n-$port.log" 2>&1 < /dev/null &
    pid=$!
    STARTED+=("$pid")
    echo "relay-$port $pid" >> "$PID_FILE"
  done
  URLS=""
  for n in 0 1 2; do
    port="${ports[$n]}"
    for ((i = 0; i < 600; i++)); do [ "$(http_status "$port" /readyz)" = 200 ] && break; sleep 0.1; done
    if [ "$(http_status "$port" /readyz)" != 200 ]; then
      echo "node on port $port not ready within 60 s; its log:" >&2
      tail -n 30 "$LOGS"/node-*-"$port".log >&2
      return 1
    fi
    URLS="$URLS${URLS:+,}ws://127.0.0.1:$port/ws"
  done
}

start_cluster() {
  : > "$PID_FILE"
  start_redis
  start_nodes
  echo "cluster: redis 127.0.0.1:$REDIS_PORT, nodes $URLS"
}

stop_cluster() {
  local pid i
  [ ${#STARTED[@]} -eq 0 ] && return 0
  kill -TERM "${STARTED[@]}" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    local alive=0
    for pid in "${STARTED[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${STARTED[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait "${STARTED[@]}" 2>/dev/null || true
  STARTED=()
}
trap 'stop_cluster; rm -rf "$JARS"' EXIT
trap 'exit 130' INT TERM

FAILED=()
[ "$FRESH" = 1 ] || start_cluster
for wl in $WORKLOADS; do
  echo
  echo "== $wl$([ "$TINY" = 1 ] && echo ' (tiny)')"
  if [ "$FRESH" = 1 ]; then stop_cluster; start_cluster; fi
  # shellcheck disable=SC2046,SC2086
  if java $BENCH_JAVA_OPTS -jar "$BENCH_JAR" --workload "$wl" --urls "$URLS" --secret "$SECRET" \
      --pid-file "$PID_FILE" --out "$RESULTS" $(workload_args "$wl") $BENCH_ARGS \
      > "$LOGS/$wl.out" 2> >(tee "$LOGS/$wl.err" >&2); then
    grep '^# ' "$LOGS/$wl.out" || true
  else
    rc=$?
    grep '^# ' "$LOGS/$wl.out" || true
    echo "$wl failed (exit $rc), see $LOGS/$wl.err" >&2
    FAILED+=("$wl")
  fi
done
stop_cluster

echo
echo "== summary ($RESULTS)"
for wl in $WORKLOADS; do grep -h '^# ' "$LOGS/$wl.out" 2>/dev/null | grep -v -e ' pid [0-9]*:' -e '^#   OK' || true; done
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed: ${FAILED[*]}" >&2
  exit 1
fi
