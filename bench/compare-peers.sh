#!/usr/bin/env bash
# W1 (chat), W2 (fan-out), W3 (saturate) and W4 (idle) with one load generator, relay-bench, against Relay and the peers of the
# shared bench (Socket.IO + redis-adapter on three nodes, the hand-written single-process ws server),
# interleaved, a fresh peer (and Redis) per run. The shared bench's own compare script drives every peer
# with its Node client, which is the limit in W3; this one drives them all with the same Java client.
#
#   bench/compare-peers.sh                                    W2 W3 W4 x relay socketio seedws x 3
#   WORKLOADS=W1 PEERS="relay socketio" bench/compare-peers.sh   W1 too (the shared bench runs W1 with its own client)
#   WORKLOADS=W3 PEERS="relay socketio" REPS=1 bench/compare-peers.sh
#
# Needs the shared bench set up (npm ci in it; its run-peer.sh writes run/ there, so use a writable copy
# if it is read-only) and the jars built (./mvnw -q -DskipTests package).
# Env: SHARED_BENCH (../shared/bench), RELAY_JAR, BENCH_JAR, WORKLOADS (W2 W3 W4), PEERS, REPS (3),
#      W3_RELAY_JAVA_OPTS (also W1's and W2's), W4_RELAY_JAVA_OPTS (JVM options of the nodes), RELAY_IO_THREADS (1),
#      RELAY_WARMUP (500), RESULTS (the .jsonl file), and as in bench/run-workloads.sh TINY=1 (toy scale)
#      and W1_ARGS .. W4_ARGS (a workload's flags)
# Results: one JSON line per run in RESULTS; each run's summary lines on stdout; seedws has no W4 here
# (the shared bench does not measure it there either).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SB="$(cd "${SHARED_BENCH:-$ROOT/../shared/bench}" && pwd)"
export RELAY_JAR="${RELAY_JAR:-$ROOT/relay-node/target/relay-node.jar}"
BENCH_JAR="${BENCH_JAR:-$ROOT/relay-bench/target/relay-bench.jar}"
WORKLOADS="${WORKLOADS:-W2 W3 W4}"
PEERS="${PEERS:-relay socketio seedws}"
REPS="${REPS:-3}"
W3_RELAY_JAVA_OPTS="${W3_RELAY_JAVA_OPTS:--XX:+UseSerialGC -Xmx512m}"
W4_RELAY_JAVA_OPTS="${W4_RELAY_JAVA_OPTS:--XX:+UseSerialGC -Xms64m -Xmx256m -Xmn24m -XX:TieredStopAtLevel=1 -XX:-UsePerfData}"
export RELAY_IO_THREADS="${RELAY_IO_THREADS:-1}" RELAY_WARMUP="${RELAY_WARMUP:-500}"
RESULTS="${RESULTS:-$ROOT/bench/results/compare-$(date +%Y%m%d-%H%M%S).jsonl}"
# run-peer.sh starts Relay nodes with this secret (the shared bench's, for benchmarks only)
SECRET="$(sed -n "s/^BENCH_JWT_SECRET='\(.*\)'$/\1/p" "$SB/run-peer.sh")"

for f in "$RELAY_JAR" "$BENCH_JAR" "$SB/run-peer.sh"; do
  [ -f "$f" ] || { echo "missing $f (build the jars; set SHARED_BENCH)" >&2; exit 1; }
done
[ -d "$SB/node_modules" ] || { echo "run npm ci in $SB first" >&2; exit 1; }
[ -n "$SECRET" ] || { echo "no BENCH_JWT_SECRET in $SB/run-peer.sh" >&2; exit 1; }
mkdir -p "$(dirname "$RESULTS")"
trap '(cd "$SB" && ./stop-peer.sh all >/dev/null 2>&1) || true' EXIT
# http_status; workload_args (the flags bench/run-workloads.sh uses too)
source "$ROOT/scripts/loopback.sh"
source "$ROOT/bench/workloads.sh"
TINY="${TINY:-0}"

urls() {
  case "$1" in
    relay) echo ws://127.0.0.1:7301,ws://127.0.0.1:7302,ws://127.0.0.1:7303 ;;
    socketio) echo ws://127.0.0.1:7101,ws://127.0.0.1:7102,ws://127.0.0.1:7103 ;;
    seedws) echo ws://127.0.0.1:7201 ;;
  esac
}

pid_files() {
  case "$1" in
    seedws) echo "$SB/run/seedws.pids" ;;
    *) echo "$SB/run/$1.pids,$SB/run/redis.pids" ;;
  esac
}

# Waits (bounded) until every node answers /readyz: RELAY_WARMUP runs after the port opens.
wait_ready() {
  local port i
  for port in 7301 7302 7303; do
    for ((i = 0; i < 600; i++)); do [ "$(http_status "$port" /readyz)" = 200 ] && break; sleep 0.2; done
  done
}

run_one() { # workload peer rep
  local wl="$1" peer="$2" rep="$3"
  case "$wl" in
    W1|W2|W3) export RELAY_JAVA_OPTS="$W3_RELAY_JAVA_OPTS" ;;
    W4) export RELAY_JAVA_OPTS="$W4_RELAY_JAVA_OPTS" ;;
  esac
  (cd "$SB" && ./run-peer.sh "$peer" >/dev/null)
  [ "$peer" = relay ] && wait_ready
  "$SB/wait-quiet.sh"
  echo "== $wl $peer run $rep $(date +%T)"
  # shellcheck disable=SC2046
  java -Xmx1g -jar "$BENCH_JAR" --protocol "$peer" --workload "$wl-$peer" --urls "$(urls "$peer")" \
    --secret "$SECRET" $(workload_args "$wl") --pid-file "$(pid_files "$peer")" --out "$RESULTS" 2>&1 \
    | grep -E '^# (W[0-9]|last good|idle|rate)' || echo "relay-bench failed for $wl $peer (see above)"
  (cd "$SB" && ./stop-peer.sh all >/dev/null 2>&1) || true
}

for wl in $WORKLOADS; do
  case "$wl" in W1|W2|W3|W4) ;; *) echo "unknown workload '$wl' (have W1 W2 W3 W4)" >&2; exit 2 ;; esac
  for rep in $(seq 1 "$REPS"); do
    for peer in $PEERS; do
      [ "$wl" = W4 ] && [ "$peer" = seedws ] && continue
      run_one "$wl" "$peer" "$rep"
    done
  done
done
echo "results: $RESULTS"
