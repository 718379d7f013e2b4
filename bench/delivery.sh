#!/usr/bin/env bash
# Delivery figures for README "Benchmarks": backlog drain rate at 0/20/100 ms of Edge latency,
# a 6 000-event backlog of dead processes under a fault mix, requests during a 30 s 429 window,
# a 100 000-order history sync at 100 ms, and RSS/threads of an idle and a draining FPM worker.
#   bash bench/delivery.sh   (make bench runs it; needs target/release built)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SO="$ROOT/target/release/libxdm_relay.so"
WORK=$(mktemp -d /tmp/xdm-relay-delivery-bench.XXXXXX)
source bench/lib.sh
BACKLOG="${BACKLOG:-6000}"
HISTORY_ORDERS="${HISTORY_ORDERS:-100000}"

start_edge

faults() { curl -s -X DELETE "$EDGE/_emulator/faults" > /dev/null; [ -z "${1:-}" ] || curl -s -X POST "$EDGE/_emulator/faults" -d "$1" > /dev/null; }
reset() { curl -s -X DELETE "$EDGE/_emulator/events" > /dev/null; faults; }
emit() { # spool n prefix [env...]
  local spool=$1 n=$2 prefix=$3; shift 3
  env XR_EDGE="$EDGE" XR_SPOOL="$spool" XR_N="$n" XR_PREFIX="$prefix" "$@" php -n -d "extension=$SO" -d extension=posix tests/fixtures/delivery/emit.php 2>/dev/null || true
}
# A backlog left by a process SIGKILLed while the Edge was down.
dead_backlog() { faults '{"kind":"status","status":503,"seconds":3600}'; emit "$1" "$2" "$3" XR_KILL_SELF=1 > /dev/null; }
stat() { curl -s "$EDGE/_emulator/stats" | php -r '$s = json_decode(stream_get_contents(STDIN), true); echo $s[$argv[1]] ?? json_encode($s["requestsByStatus"] ?? []);' "$1"; }
json() { php -r '$j = json_decode(stream_get_contents(STDIN), true); foreach (array_slice($argv, 1) as $k) { $j = $j[$k] ?? null; } echo is_scalar($j) ? var_export($j, true) : json_encode($j);' "$@"; }

echo "== Backlog of $BACKLOG events left by a killed process, drained by one ordinary process (flush)"
for ms in 0 20 100; do
  reset; spool="$WORK/drain-$ms"; dead_backlog "$spool" "$BACKLOG" "d$ms"
  if [ "$ms" -gt 0 ]; then faults "{\"kind\":\"latency\",\"ms\":$ms}"; else faults; fi
  start=$(date +%s.%N); out=$(emit "$spool" 1 "n$ms" XR_FLUSH=120); end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  printf "  %3s ms latency: %6.2f s, %6.0f events/s, %s requests, flushed=%s\n" "$ms" "$secs" "$(echo "$BACKLOG / $secs" | bc -l)" "$(stat requests)" "$(echo "$out" | json flushed)"
done

echo "== Fault mix (20 ms latency; 1 in 7 → 429 Retry-After 1, 1 in 11 → reset after the body, 1 in 23 → never answered)"
reset; spool="$WORK/mix"; dead_backlog "$spool" "$BACKLOG" mix
faults '[{"kind":"latency","ms":20},{"kind":"status","status":429,"retryAfter":1,"oneIn":7},{"kind":"reset","oneIn":11},{"kind":"hang","oneIn":23}]'
start=$(date +%s.%N); out=$(emit "$spool" 1 mixnext XR_FLUSH=300); end=$(date +%s.%N)
unique=$(curl -s "$EDGE/_emulator/events?limit=100000" | php -r '$e = json_decode(stream_get_contents(STDIN), true)["events"]; $ids = []; foreach ($e as $x) { $p = $x["xdm"]["commerce"]["order"]["purchaseID"] ?? ""; if (str_starts_with($p, "mix-")) $ids[$p] = 1; } echo count($ids);')
printf "  %d-event backlog delivered in %.1f s by one later process: %s of %s arrived (%s lost), %s duplicates, %s requests (%s answered 429), flushed=%s\n" \
  "$BACKLOG" "$(echo "$end - $start" | bc -l)" "$unique" "$BACKLOG" "$((BACKLOG - unique))" "$(stat duplicates)" "$(stat requests)" "$(curl -s "$EDGE/_emulator/stats" | json requestsByStatus 429)" "$(echo "$out" | json flushed)"

echo "== 429 with Retry-After: 5 for 30 s, 5 000-event backlog"
reset; spool="$WORK/ra"; dead_backlog "$spool" 5000 ra
faults '{"kind":"status","status":429,"retryAfter":5,"seconds":30}'
start=$(date +%s.%N); out=$(emit "$spool" 1 ranext XR_FLUSH=120); end=$(date +%s.%N)
printf "  requests answered 429 during the window: %s; all delivered %.1f s after the start (window 30 s); flushed=%s\n" \
  "$(curl -s "$EDGE/_emulator/stats" | json requestsByStatus 429)" "$(echo "$end - $start" | bc -l)" "$(echo "$out" | json flushed)"

echo "== Historical sync of $HISTORY_ORDERS orders against a 100 ms Edge"
reset; faults '{"kind":"latency","ms":100}'
php -d "extension=$SO" bench/history_bench.php "$EDGE" "$WORK/hist-spool" "$HISTORY_ORDERS"
faults

echo "== PHP-FPM worker: RSS and threads, idle and draining"
start_fpm 1
request() { env SCRIPT_FILENAME="$ROOT/bench/fpm_order.php" REQUEST_METHOD=GET QUERY_STRING="id=$1&emit=1" cgi-fcgi -bind -connect "$WORK/fpm.sock" > /dev/null; }
worker=$(pgrep -P $FPM | head -1)
sample() { awk '/^VmRSS/ {r=$2} /^Threads/ {t=$2} END {printf "%.1f MB RSS, %d threads", r/1024, t}' "/proc/$worker/status"; }
reset
# The backlog is left before the worker serves anything, so its sender starts with it.
dead_backlog "$WORK/fpm-spool" "$BACKLOG" fpmdrain
faults '{"kind":"latency","ms":100}'
request drain-start
max_rss=0; max_threads=0
for _ in $(seq 40); do
  read -r rss threads < <(awk '/^VmRSS/ {r=$2} /^Threads/ {t=$2} END {print r, t}' "/proc/$worker/status")
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss; [ "$threads" -gt "$max_threads" ] && max_threads=$threads
  sleep 0.25
done
echo "  worker draining a $BACKLOG-event backlog at 100 ms (peak over 10 s): $(echo "$max_rss / 1024" | bc -l | xargs printf '%.1f') MB RSS, $max_threads threads; $(stat eventsAccepted) events delivered by then"
faults
for _ in $(seq 60); do [ "$(stat eventsAccepted)" -ge $((BACKLOG + 1)) ] && break; sleep 0.5; done
for i in $(seq 20); do request "idle-$i"; done
sleep 4
echo "  the same worker idle after the backlog and 20 more requests (4 s later): $(sample)"
