#!/usr/bin/env bash
# End-to-end test of the topology of docker/compose.yaml, without Docker: a Redis, three relay nodes
# from the built jar, and nginx round robin in front, with the upstream and proxy settings of
# docker/nginx.conf. Everything listens on free loopback ports. Then, through nginx:
#   1. docker/e2e/scenarios.mjs: chat, presence and direct messages across the nodes; a node killed
#      (kill -9) and another drained (SIGTERM, must exit 0), while a publisher publishes: the
#      clients resume on the other nodes with no message lost or repeated
#   2. the killed and the drained node are started again (same ids and ports), then, if present,
#      docker/e2e/client.test.mjs and docker/e2e/browser.mjs against the full cluster
# Stops everything it started. Exits non-zero on any failure and keeps the logs in the results
# directory (removed after a green run).
#
# Env: RELAY_JAR      node jar (relay-node/target/relay-node.jar)
#      E2E_TIMEOUT    seconds for the whole run (270)
#      E2E_RESULTS    logs directory (docker/e2e/results/<stamp>); E2E_KEEP=1 keeps it after a green run
#      E2E_ARTIFACTS  artifacts of the client and browser tests (docker/e2e/artifacts)
#      E2E_JAVA_OPTS  JVM options of each node (-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
# Needs java, node and npm. Installs nginx (nginx-light) and, for browser.mjs, chromium with
# apt-get when they are missing (the machine runs as root).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
E2E_DIR="$ROOT/docker/e2e"
E2E_TIMEOUT="${E2E_TIMEOUT:-270}"

# The whole run is bounded: re-run under timeout. On expiry, or when this wrapper gets Ctrl-C or
# SIGTERM, timeout signals its whole process group (the run, its nodes, nginx and Redis), and the
# run's EXIT trap below cleans up what is left.
if [ -z "${E2E_UNDER_TIMEOUT:-}" ]; then
  E2E_UNDER_TIMEOUT=1 timeout --kill-after=20 "$E2E_TIMEOUT" "$0" "$@" &
  run=$!
  trap 'kill -TERM "$run" 2>/dev/null' INT TERM
  rc=0
  wait "$run" || rc=$?
  while kill -0 "$run" 2>/dev/null; do rc=0; wait "$run" || rc=$?; done  # a signal ended the first wait
  [ "$rc" = 124 ] && echo "e2e: FAILED: the run took longer than E2E_TIMEOUT=${E2E_TIMEOUT}s" >&2
  exit "$rc"
fi

RELAY_JAR="${RELAY_JAR:-$ROOT/relay-node/target/relay-node.jar}"
RESULTS="${E2E_RESULTS:-$E2E_DIR/results/$(date +%Y%m%d-%H%M%S)}"
E2E_ARTIFACTS="${E2E_ARTIFACTS:-$E2E_DIR/artifacts}"
JAVA_OPTS="${E2E_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
SECRET="e2e-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"   # > 32 bytes, fresh per run
START=$SECONDS

step() { echo; echo "== [$((SECONDS - START))s] $*"; }
fail() { echo "e2e: FAILED: $*" >&2; exit 1; }

[ -f "$RELAY_JAR" ] || fail "missing $RELAY_JAR: build it with ./mvnw -q -DskipTests package (or set RELAY_JAR)"
command -v node >/dev/null || fail "node is needed (Node 18 or newer)"
mkdir -p "$RESULTS" "$E2E_ARTIFACTS"
echo "jar:     $RELAY_JAR"
echo "results: $RESULTS"
# a run copy: a rebuild during the run must not swap classes under running JVMs
cp "$RELAY_JAR" "$RESULTS/relay-node.jar"
RELAY_JAR="$RESULTS/relay-node.jar"

# ---- processes, stopped on exit ----

declare -A NODE_PID NODE_PORT
PIDS=()   # every process started here

cleanup() {
  local rc=$? pid i alive
  trap - EXIT
  if [ ${#PIDS[@]} -gt 0 ]; then
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      alive=0
      for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
  if [ "$rc" = 0 ] && [ "${E2E_KEEP:-0}" != 1 ]; then
    rm -rf "$RESULTS"
  else
    echo "e2e: logs kept in $RESULTS" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "e2e: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 143' TERM
trap 'exit 130' INT

# port_open, free_port, http_status, redis_binary
source "$ROOT/scripts/loopback.sh"

apt_install() { # package: installs it with apt-get (non-interactive), logging to the results dir
  echo "installing $1 with apt-get"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1"; } \
    > "$RESULTS/apt-$1.log" 2>&1 || fail "apt-get install $1 failed, see $RESULTS/apt-$1.log"
}

start_redis() {
  local bin i
  REDIS_PORT="$(free_port)"
  bin="$(redis_binary "$RESULTS")"
  "$bin" --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize no \
    --logfile "$RESULTS/redis.log" --dir "$RESULTS" < /dev/null &
  PIDS+=($!)
  for ((i = 0; i < 100; i++)); do port_open "$REDIS_PORT" && return 0; sleep 0.1; done
  fail "redis did not start, see $RESULTS/redis.log"
}

# start_node n: node-n on NODE_PORT[node-n] (picked on the first start, kept on a restart)
start_node() {
  local id="node-$1"
  [ -n "${NODE_PORT[$id]:-}" ] || NODE_PORT[$id]="$(free_port)"
  env -u RELAY_JAR RELAY_PORT="${NODE_PORT[$id]}" RELAY_HOST=127.0.0.1 RELAY_NODE_ID="$id" \
    RELAY_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" RELAY_JWT_SECRET="$SECRET" RELAY_DEV_TOKENS=true \
    RELAY_ALLOWED_ORIGINS="http://127.0.0.1:$NGINX_PORT,http://localhost:$NGINX_PORT" \
    RELAY_NODE_TTL=5s RELAY_DRAIN_TIMEOUT=5s \
    java $JAVA_OPTS -jar "$RELAY_JAR" >> "$RESULTS/$id.log" 2>&1 < /dev/null &
  NODE_PID[$id]=$!
  PIDS+=($!)
}

await_ready() { # node ids...: each answers /readyz 200 within 60 s
  local id i
  for id in "$@"; do
    for ((i = 0; i < 600; i++)); do
      [ "$(http_status "${NODE_PORT[$id]}" /readyz)" = 200 ] && break
      kill -0 "${NODE_PID[$id]}" 2>/dev/null || { tail -n 30 "$RESULTS/$id.log" >&2; fail "$id exited at start-up"; }
      sleep 0.1
    done
    [ "$(http_status "${NODE_PORT[$id]}" /readyz)" = 200 ] \
      || { tail -n 30 "$RESULTS/$id.log" >&2; fail "$id not ready within 60 s"; }
    echo "$id ready on 127.0.0.1:${NODE_PORT[$id]} (pid ${NODE_PID[$id]})"
  done
}

# The loopback variant of docker/nginx.conf: the lines marked "# e2e: <what>" are rewritten (node
# addresses, listen address, access log), everything else is taken as it is.
nginx_conf() {
  local src="$ROOT/docker/nginx.conf" out="$RESULTS/nginx.conf" marked
  sed -e "/# e2e: node-1\$/ s/server [^ ;]*/server 127.0.0.1:${NODE_PORT[node-1]}/" \
      -e "/# e2e: node-2\$/ s/server [^ ;]*/server 127.0.0.1:${NODE_PORT[node-2]}/" \
      -e "/# e2e: node-3\$/ s/server [^ ;]*/server 127.0.0.1:${NODE_PORT[node-3]}/" \
      -e "/# e2e: listen\$/ s/listen [^;]*;/listen 127.0.0.1:$NGINX_PORT;/" \
      -e "\|# e2e: access-log\$| s|access_log [^;]*;|access_log $RESULTS/nginx-access.log;|" \
      "$src" > "$out"
  # every marked line must have been rewritten: a renamed marker must not leave a Docker address
  marked=$(grep -c '# e2e: [a-z0-9-]*$' "$src")
  [ "$marked" = 5 ] || fail "docker/nginx.conf has $marked lines marked '# e2e: ', expected 5"
  ! grep -q -e 'relay-[0-9]:8080' -e 'listen 80;' -e '/var/log/nginx' "$out" \
    || fail "the loopback nginx.conf still has a Docker address: check the '# e2e:' markers"
  echo "$out"
}

start_nginx() {
  local conf bin i
  bin="$(command -v nginx || echo /usr/sbin/nginx)"
  [ -x "$bin" ] || { apt_install nginx-light; bin=/usr/sbin/nginx; }
  conf="$(nginx_conf)"
  mkdir -p "$RESULTS/nginx"
  "$bin" -t -q -p "$RESULTS/nginx" -e "$RESULTS/nginx-error.log" -c "$conf" \
    -g "daemon off; pid $RESULTS/nginx.pid;" 2> "$RESULTS/nginx-t.log" \
    || { cat "$RESULTS/nginx-t.log" >&2; fail "nginx -t refused the generated $conf"; }
  "$bin" -p "$RESULTS/nginx" -e "$RESULTS/nginx-error.log" -c "$conf" \
    -g "daemon off; pid $RESULTS/nginx.pid;" < /dev/null > "$RESULTS/nginx.out" 2>&1 &
  PIDS+=($!)
  for ((i = 0; i < 100; i++)); do port_open "$NGINX_PORT" && break; sleep 0.1; done
  port_open "$NGINX_PORT" || fail "nginx did not start, see $RESULTS/nginx-error.log"
  echo "nginx on 127.0.0.1:$NGINX_PORT, round robin over node-1..3 (config $conf)"
}

# await_exit id: waits (at most 20 s) for the node to end; sets EXIT_CODE to its exit status
# ("running" if it did not end). Not in a subshell: only this shell can wait for its children.
await_exit() {
  local pid="${NODE_PID[$1]}" i
  for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then EXIT_CODE=running; return; fi
  EXIT_CODE=0
  wait "$pid" || EXIT_CODE=$?
}

nodes_env() {
  echo "node-1=${NODE_PID[node-1]} node-2=${NODE_PID[node-2]} node-3=${NODE_PID[node-3]}"
}

# run_js file [arg]: runs a test of docker/e2e with the cluster's env (bounded), its output to the console and a log
run_js() {
  local name="$1" rc=0
  E2E_URL="http://127.0.0.1:$NGINX_PORT" E2E_NODES="$(nodes_env)" E2E_SECRET="$SECRET" \
    E2E_ARTIFACTS="$E2E_ARTIFACTS" E2E_KILL="${KILLED:-}" E2E_DRAIN="${DRAINED:-}" \
    timeout --foreground -k 5 150 node "$E2E_DIR/$name" "${@:2}" < /dev/null 2>&1 | tee "$RESULTS/$name${2:+-$2}.log" || rc=$?
  return "$rc"
}

# ---- the run ----

step "dependencies"
# npm ci when a dependency of docker/e2e/package.json is missing from node_modules
if ! (cd "$E2E_DIR" && node -e "const d = Object.keys(require('./package.json').dependencies);
    process.exit(d.every((n) => require('fs').existsSync('node_modules/' + n)) ? 0 : 1)"); then
  (cd "$E2E_DIR" && npm ci --no-audit --no-fund) > "$RESULTS/npm-ci.log" 2>&1 || fail "npm ci failed, see $RESULTS/npm-ci.log"
fi
if [ -f "$E2E_DIR/browser.mjs" ] && [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx-light
echo "node $(node --version), $(/usr/sbin/nginx -v 2>&1 || nginx -v 2>&1)"

step "cluster: redis, node-1..3, nginx"
NGINX_PORT="$(free_port)"
start_redis
echo "redis on 127.0.0.1:$REDIS_PORT"
start_node 1; start_node 2; start_node 3
await_ready node-1 node-2 node-3
start_nginx

# the node to kill and the node to drain, in a random order
read -r KILLED DRAINED <<< "$(printf 'node-%s\n' 1 2 3 | shuf | head -n 2 | tr '\n' ' ')"
# the killed node's status is of no interest: disowned, bash does not report its SIGKILL
disown "${NODE_PID[$KILLED]}"
step "scenarios through nginx (docker/e2e/scenarios.mjs); to kill: $KILLED, to drain: $DRAINED"
run_js scenarios.mjs all || fail "scenarios failed"
await_exit "$DRAINED"
[ "$EXIT_CODE" = 0 ] || fail "$DRAINED did not exit with 0 after SIGTERM (exit: $EXIT_CODE), see $RESULTS/$DRAINED.log"
echo "ok - $DRAINED exited with 0 after its drain"

step "restarting $KILLED and $DRAINED with the same ids and ports"
start_node "${KILLED#node-}"; start_node "${DRAINED#node-}"
await_ready "$KILLED" "$DRAINED"
run_js scenarios.mjs spread || fail "nginx does not reach all three nodes again"

# These tests may kill nodes themselves: disowned, bash does not report that.
for id in node-1 node-2 node-3; do disown "${NODE_PID[$id]}" 2>/dev/null || true; done
for t in client.test.mjs browser.mjs; do
  if [ -f "$E2E_DIR/$t" ]; then
    step "docker/e2e/$t"
    run_js "$t" || fail "docker/e2e/$t failed"
  else
    step "docker/e2e/$t: not present, skipped"
  fi
done

step "all end-to-end checks passed in $((SECONDS - START)) s"
