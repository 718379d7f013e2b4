#!/usr/bin/env bash
# make bench: every benchmark, each printing its figures beside a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SO="$ROOT/target/release/libxdm_relay.so"
WORK=$(mktemp -d /tmp/xdm-relay-bench.XXXXXX)
source bench/lib.sh
HISTORY_ORDERS="${HISTORY_ORDERS:-100000}"

echo "== Rust: mapping an order (criterion)"
cargo bench --bench mapping --no-run --quiet
cargo bench --bench mapping -- --warm-up-time 1 --measurement-time 3 2>/dev/null | grep -E "^map|time:" | grep -v "%"

start_edge

echo "== PHP: emit vs pure-PHP mapping vs synchronous curl; sender throughput"
php -d "extension=$SO" bench/emit_bench.php "$EDGE" "$WORK/spool"

echo "== PHP: emit and map vs pure-PHP map + json_encode, interleaved rounds (bench/map_bench.php)"
# An Edge nobody answers: the figures are the request thread's, not shared with deliveries.
php -d "extension=$SO" bench/map_bench.php http://127.0.0.1:9 "$WORK/map-spool" 11

echo "== PHP-FPM: requests/s of a place-order script with and without the extension's emit"
start_fpm 4
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

echo "== PHP-FPM: emit latency while the sender drains a backlog (bench/fpm_latency.sh)"
bash bench/fpm_latency.sh

echo "== Delivery (bench/delivery.sh)"
bash bench/delivery.sh
