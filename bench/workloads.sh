# The standard workloads' load generator flags (bench/run-workloads.sh, bench/compare-peers.sh): source it.
# workload_args W1..W4 prints them at full scale, or at toy scale when TINY=1; W1_ARGS .. W4_ARGS, when
# set, replace a workload's flags entirely.
workload_args() {
  local own="${1}_ARGS"
  if [ -n "${!own:-}" ]; then echo "${!own}"; return; fi
  if [ "${TINY:-0}" = 1 ]; then
    case "$1" in
      W1) echo "--mode run --rooms 5 --members 3 --publishers 1 --rate 10 --payload 100 --duration 2 --warmup 1 --max-runtime 60" ;;
      W2) echo "--mode run --rooms 1 --members 20 --publishers 1 --rate 50 --payload 100 --duration 2 --max-runtime 60" ;;
      W3) echo "--mode saturate --rooms 2 --members 5 --publishers 1 --rate 20 --payload 100 --step-seconds 1 --max-steps 3 --drain 2 --max-runtime 60" ;;
      W4) echo "--mode idle --rooms 10 --members 10 --hold 2 --source-addresses 127.0.0.1-127.0.0.4 --max-runtime 60" ;;
    esac
  else
    case "$1" in
      W1) echo "--mode run --rooms 100 --members 10 --publishers 1 --rate 10 --payload 100 --duration 20 --warmup 5 --max-runtime 180" ;;
      W2) echo "--mode run --rooms 1 --members 1000 --publishers 1 --rate 200 --payload 100 --duration 20 --warmup 5 --max-runtime 180" ;;
      W3) echo "--mode saturate --rooms 10 --members 50 --publishers 1 --rate 20 --payload 100 --step-seconds 10 --rate-factor 1.5 --p99-limit 100 --max-steps 15 --warmup 5 --max-runtime 600" ;;
      W4) echo "--mode idle --rooms 1000 --members 10 --hold 30 --source-addresses 127.0.0.1-127.0.0.4 --connect-concurrency 200 --max-runtime 300" ;;
    esac
  fi
}
