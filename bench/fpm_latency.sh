#!/usr/bin/env bash
# Emit latency in PHP-FPM workers (p50/p99/max of each xdm_relay_emit call, ten-item orders)
# while their senders drain a backlog from a slow Edge, beside the same workers with an idle
# sender, in one run. The backlog is left by a process killed while the Edge was down, before
# the pool starts, so every worker's sender adopts part of it at its first request.
#   bash bench/fpm_latency.sh   (make bench runs it; needs target/release built)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SO="$ROOT/target/release/libxdm_relay.so"
WORK=$(mktemp -d /tmp/xdm-relay-latency-bench.XXXXXX)
source bench/lib.sh
BACKLOG="${BACKLOG:-20000}"
LATENCY_MS="${LATENCY_MS:-300}"
WORKERS=2
REQUESTS=400   # per phase, 20 emits each
PER_REQUEST=20

start_edge
faults() { curl -s -X DELETE "$EDGE/_emulator/faults" > /dev/null; [ -z "${1:-}" ] || curl -s -X POST "$EDGE/_emulator/faults" -d "$1" > /dev/null; }
accepted() { curl -s "$EDGE/_emulator/stats" | php -r 'echo json_decode(stream_get_contents(STDIN), true)["eventsAccepted"];'; }
stop_fpm() { kill -QUIT "$FPM"; wait "$FPM" 2>/dev/null || true; FPM=""; rm -f "$WORK/fpm.sock"; }
# $1: phase name; prints p50/p99/max in µs of every emit of $REQUESTS requests, 2 at a time.
measure() {
  seq 1 "$REQUESTS" | xargs -P "$WORKERS" -I{} env SCRIPT_FILENAME="$ROOT/bench/fpm_emit_timed.php" REQUEST_METHOD=GET \
    QUERY_STRING="id=$1-{}&n=$PER_REQUEST" cgi-fcgi -bind -connect "$WORK/fpm.sock" | grep -E '^[0-9]+$' > "$WORK/$1.ns" || true
  php -r '$t = array_map("intval", file($argv[1])); sort($t); $n = count($t);
    printf("%d %.1f %.1f %.1f\n", $n, $t[intdiv($n, 2)] / 1000, $t[min($n - 1, (int) floor($n * 0.99))] / 1000, $t[$n - 1] / 1000);' "$WORK/$1.ns"
}

faults
start_fpm "$WORKERS"
measure warmup > /dev/null
read -r n_idle p50_idle p99_idle max_idle < <(measure idle)
stop_fpm

# The backlog: a process that emitted $BACKLOG events into the pool's spool while the Edge
# answered 503, then was SIGKILLed; then the Edge recovers, slowly.
faults '{"kind":"status","status":503,"seconds":3600}'
env XR_EDGE="$EDGE" XR_SPOOL="$WORK/fpm-spool" XR_N="$BACKLOG" XR_PREFIX=backlog XR_KILL_SELF=1 \
  php -n -d "extension=$SO" -d extension=posix tests/fixtures/delivery/emit.php > /dev/null 2>&1 || true
faults "{\"kind\":\"latency\",\"ms\":$LATENCY_MS}"
start_fpm "$WORKERS"
measure warmup-drain > /dev/null
# The senders adopt the orphaned segments within their first rescue round; measure once the
# drain is in full flow.
sleep 2
before=$(accepted)
start=$(date +%s.%N)
read -r n_drain p50_drain p99_drain max_drain < <(measure drain)
secs=$(echo "$(date +%s.%N) - $start" | bc -l)
during=$(( $(accepted) - before ))
left=$(find "$WORK/fpm-spool" -name '*.seg' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
stop_fpm
faults

printf "  %-50s %8s %8s %8s  %s\n" "" "p50 µs" "p99 µs" "max µs" "emits"
printf "  %-50s %8.1f %8.1f %8.1f  %d\n" "idle sender" "$p50_idle" "$p99_idle" "$max_idle" "$n_idle"
printf "  %-50s %8.1f %8.1f %8.1f  %d\n" "sender draining a $BACKLOG-event backlog (${LATENCY_MS} ms)" "$p50_drain" "$p99_drain" "$max_drain" "$n_drain"
printf "  draining/idle: p50 %.2fx, p99 %.2fx; %d events delivered in the %.1f s measured, %d spool bytes still waiting after\n" \
  "$(echo "$p50_drain / $p50_idle" | bc -l)" "$(echo "$p99_drain / $p99_idle" | bc -l)" "$during" "$secs" "$left"
