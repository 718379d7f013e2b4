#!/usr/bin/env bash
# make demo: a store's day flowing through the real XdmRelay_Connector observers and the real
# extension under PHP-FPM into the local Edge emulator, with an Edge outage midway, then a
# historical sync, then a summary. `--no-wait` exits after the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED="${XDM_RELAY_SHARED:-$(cd .. && pwd)/shared}"
SO="$ROOT/target/release/libxdm_relay.so"
EDGE_BIN="$ROOT/target/release/xdm-relay-edge"
WAIT=1
[ "${1:-}" = "--no-wait" ] && WAIT=0

WORK=$(mktemp -d /tmp/xdm-relay-demo.XXXXXX)
cleanup() {
  [ -n "${FPM_PID:-}" ] && kill -QUIT "$FPM_PID" 2>/dev/null || true
  [ -n "${EDGE_PID:-}" ] && kill -TERM "$EDGE_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. Starting the local Edge emulator (strict XDM validation)"
"$EDGE_BIN" --listen 127.0.0.1:0 --data "$WORK/edge" --strict-xdm --xdm-schemas "$SHARED/xdm" > "$WORK/edge.out" 2> "$WORK/edge.err" &
EDGE_PID=$!
for _ in $(seq 100); do grep -q listening "$WORK/edge.out" 2>/dev/null && break; sleep 0.1; done
EDGE=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/edge.out" | head -1)
[ -n "$EDGE" ] || { cat "$WORK/edge.err"; echo "the emulator did not start"; exit 1; }
echo "   $EDGE (inspector: $EDGE/)"

say "2. Starting PHP-FPM with the xdm_relay extension (4 workers)"
cat > "$WORK/fpm.conf" <<CONF
[global]
pid = $WORK/fpm.pid
error_log = $WORK/fpm.log
daemonize = no
[demo]
user = $(id -un)
listen = $WORK/fpm.sock
pm = static
pm.max_children = 4
pm.max_requests = 200
clear_env = no
env[XR_EDGE] = $EDGE
CONF
RUN_AS_ROOT=""
[ "$(id -u)" -eq 0 ] && RUN_AS_ROOT="-R"
php-fpm8.2 -F $RUN_AS_ROOT -n -y "$WORK/fpm.conf" -d "extension=$SO" -d "xdm_relay.spool_dir=$WORK/spool" > /dev/null 2>&1 &
FPM_PID=$!
for _ in $(seq 100); do [ -S "$WORK/fpm.sock" ] && break; sleep 0.1; done
[ -S "$WORK/fpm.sock" ] || { cat "$WORK/fpm.log"; echo "php-fpm did not start"; exit 1; }

request() { # action n [part]
  SCRIPT_FILENAME="$ROOT/demo/store.php" REQUEST_METHOD=GET QUERY_STRING="action=$1&n=$2&part=${3:-1}" \
    cgi-fcgi -bind -connect "$WORK/fpm.sock" | tr -d '\r' | sed '1,/^$/d' >> "$WORK/sent.jsonl"
  echo >> "$WORK/sent.jsonl"
}

say "3. A day in the store"
CUSTOMERS=24
for n in $(seq 1 $CUSTOMERS); do request register "$n"; done
echo "   $CUSTOMERS customers registered"
for n in $(seq 1 8); do request edit "$n"; done
echo "   8 accounts edited"
for n in $(seq 1 $CUSTOMERS); do request order "$n"; request invoice "$n"; done
echo "   $CUSTOMERS orders placed and invoiced"

say "   ... the Edge Network goes down for 4 seconds (503, Retry-After: 1)"
curl -s -X POST "$EDGE/_emulator/faults" -d '{"kind":"status","status":503,"retryAfter":1,"seconds":4}' > /dev/null
for n in $(seq 1 12); do request ship "$n" 1; request ship "$n" 2; request complete "$n"; done
echo "   12 orders shipped in two parts each and completed (during the outage)"
for n in $(seq 13 16); do request refund "$n"; done
for n in $(seq 17 20); do request cancel "$n"; done
echo "   4 partial refunds, 4 cancellations"
request delete 24
echo "   1 customer deleted"

say "4. Historical sync (bin/magento xdm-relay:history:sync)"
XR_EDGE="$EDGE" XR_HISTORY_ORDERS=300 php -d "extension=$SO" -d "xdm_relay.spool_dir=$WORK/spool-cli" demo/history.php \
  --from "$(date -d '-3 years' +%F)" --to "$(date +%F)" --batch 100

say "5. Waiting for every accepted event to reach the Edge"
if php -n demo/summary.php "$EDGE" "$WORK/sent.jsonl" 300 60; then STATUS=0; else STATUS=1; fi
echo
echo "Inspector: $EDGE/    events on disk: $WORK/edge/events.jsonl"
if [ "$WAIT" = 1 ] && [ -t 0 ]; then
  echo "Press Ctrl-C to stop the emulator."
  wait "$EDGE_PID" || true
fi
exit $STATUS
