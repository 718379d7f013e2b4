#!/usr/bin/env bash
# make demo: a store's day in the REAL Magento 2.4.6 store (installed on first run from ../shared/magento,
# reused later), with the real xdm_relay extension under its PHP-FPM and the XdmRelay_Connector module from
# this working tree, flowing into the local Edge emulator (strict XDM): sign-ups, edits, checkouts,
# invoices, shipments, refunds, cancels, a deletion, an Edge outage midway, then a historical sync with
# bin/magento xdm-relay:history:sync and its progress bar, then the loss/validity summary.
# DEMO_PAST_ORDERS=N (default 60) past orders for the historical sync.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/magento/env.sh
export MAGENTO_URL EDGE_URL MAGENTO_CLI MAGENTO_SRC ADMIN_USER ADMIN_PASS
PAST=${DEMO_PAST_ORDERS:-60}
WORK=$(mktemp -d /tmp/xdm-relay-demo.XXXXXX)
T0=$(date +%s)
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. The real Magento 2.4.6 store, the extension, the module, the Edge emulator"
[ -f "$MAGENTO_DIR/.post-install.done" ] || echo "   first run: installing Magento 2.4.6 into $MAGENTO_DIR (a few minutes; the steps show as they finish)"
bash tests/magento/provision.sh
curl -sf -X DELETE "$EDGE_URL/_emulator/faults" > /dev/null
curl -sf -X DELETE "$EDGE_URL/_emulator/events" > /dev/null
echo "   store $MAGENTO_URL/ (admin $MAGENTO_URL/admin/ $ADMIN_USER / $ADMIN_PASS), emulator $EDGE_URL/"

say "2. A day in the store (REST checkouts, sign-ups, back office; admin HTTP)"
python3 demo/day.py day "$WORK/expected.json"

say "3. The store's past: $PAST orders from the last three years (placed with live events off, then dated back)"
python3 demo/day.py past "$PAST" | tail -1 > "$WORK/history.json"

say "4. Historical sync: bin/magento xdm-relay:history:sync"
FROM=$(date -d '-3 years' +%F); TO=$(date -d '-1 day' +%F)
echo "   $MAGENTO_CLI xdm-relay:history:sync --from $FROM --to $TO --batch 20"
"$MAGENTO_CLI" xdm-relay:history:sync --from "$FROM" --to "$TO" --batch 20 || echo "   (the command exited $?)"

say "5. Waiting for every event to reach the Edge"
if python3 demo/summary.py "$WORK/expected.json" "$WORK/history.json" 90; then STATUS=0; else STATUS=1; fi
echo
echo "Inspector: $EDGE_URL/    events on disk: $EDGE_DATA/events.jsonl    store: $MAGENTO_URL/admin/"
echo "demo wall time: $(( $(date +%s) - T0 ))s"
exit $STATUS
