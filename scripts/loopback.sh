# Helpers for scripts that start servers on loopback (bench/run-workloads.sh, docker/e2e.sh): source it.

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port below the ephemeral range (so load generators' own connections never take it) that nothing
# listens on. Bounded: 200 tries.
free_port() {
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 12000))
    if ! port_open "$p" && ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}

http_status() { # port path -> HTTP status code, or 000
  if command -v curl >/dev/null; then
    curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1$2" || echo 000
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3 \
      && timeout 2 head -n1 <&3 | awk '{print $2}') 2>/dev/null || echo 000
  fi
}

# dir -> path of a redis-server: the one on PATH, else the one inside the embedded-redis jar in ~/.m2,
# unpacked into dir
redis_binary() {
  if command -v redis-server >/dev/null; then command -v redis-server; return; fi
  local jar="$HOME/.m2/repository/org/signal/embedded-redis/0.9.1/embedded-redis-0.9.1.jar"
  [ -f "$jar" ] || { echo "no redis-server on PATH and no $jar to take one from" >&2; return 1; }
  unzip -p "$jar" redis-server-7.0.15-linux-amd64 > "$1/redis-server"
  chmod +x "$1/redis-server"
  echo "$1/redis-server"
}
