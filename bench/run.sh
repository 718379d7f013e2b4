#!/usr/bin/env bash
# make bench: every benchmark, each printing its figures beside a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SO="$ROOT/target/release/libxdm_relay.so"
WORK=$(mktemp -d /tmp/xdm-relay-bench.XXXXXX)
trap '[ -n "${FPM:-}" ] && kill -QUIT $FPM 2>/dev/null; [ -n "${EDGE_PID:-}" ] && kill $EDGE_PID 2>/dev/null; wait 2>/dev/null || true' EXIT
HISTORY_ORDERS="${HISTORY_ORDERS:-100000}"

echo "== Rust: mapping an order (criterion)"
cargo bench --bench mapping -- --warm-up-time 1 --measurement-time 3 2>/dev/null | grep -E "^map|time:" | grep -v "%"

target/release/xdm-relay-edge --listen 127.0.0.1:0 --data "$WORK/edge" > "$WORK/edge.out" 2>&1 &
EDGE_PID=$!
for _ in $(seq 50); do grep -q listening "$WORK/edge.out" 2>/dev/null && break; sleep 0.1; done
EDGE=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/edge.out" | head -1)

echo "== PHP: emit vs pure-PHP mapping vs synchronous curl; sender throughput"
php -d "extension=$SO" bench/emit_bench.php "$EDGE" "$WORK/spool"

echo "== PHP-FPM: requests/s of a place-order script with and without the extension's emit"
cat > "$WORK/fpm.conf" <<CONF
[global]
pid = $WORK/fpm.pid
error_log = $WORK/fpm.log
daemonize = no
[bench]
user = $(id -un)
listen = $WORK/fpm.sock
pm = static
pm.max_children = 4
clear_env = no
env[XR_EDGE] = $EDGE
env[XR_SPOOL] = $WORK/fpm-spool
CONF
R=""; [ "$(id -u)" -eq 0 ] && R="-R"
php-fpm8.2 -F $R -y "$WORK/fpm.conf" -d "extension=$SO" > /dev/null 2>&1 &
FPM=$!
for _ in $(seq 50); do [ -S "$WORK/fpm.sock" ] && break; sleep 0.1; done
drive() { # emit count
  seq 1 "$2" | xargs -P 8 -I{} env SCRIPT_FILENAME="$ROOT/bench/fpm_order.php" REQUEST_METHOD=GET QUERY_STRING="id=$1-{}&emit=$1" \
    cgi-fcgi -bind -connect "$WORK/fpm.sock" > /dev/null
}
drive 0 200; drive 1 200
for mode in 0 1; do
  start=$(date +%s.%N); drive $mode 2000; end=$(date +%s.%N)
  rps=$(echo "2000 / ($end - $start)" | bc -l)
  printf "  %-24s %7.0f requests/s\n" "$([ $mode = 1 ] && echo 'with xdm_relay_emit' || echo 'without (baseline)')" "$rps"
done
rss=$(ps -o rss= --ppid $FPM | awk '{s+=$1; n++} END {printf "%.1f", s/n/1024}')
echo "  RSS per worker after 4 400 requests: ${rss} MB"

echo "== Historical sync of $HISTORY_ORDERS synthetic orders"
php -d "extension=$SO" bench/history_bench.php "$EDGE" "$WORK/hist-spool" "$HISTORY_ORDERS"

echo "== Delivery (bench/delivery.sh)"
bash bench/delivery.sh
