#!/usr/bin/env bash
# tests/magento/provision.sh: a real Magento 2.4.6 store with the xdm_relay extension and the
# XdmRelay_Connector module from this working tree, pointed at the project's Edge emulator.
# Idempotent; each step is skipped when already done (a timings table ends the run):
#   1. the store (../shared/magento/install-magento.sh: packages, tree, MariaDB, setup:install,
#      di:compile, static content, nginx + php-fpm on :8080), with our ini dir for CLI and FPM
#   2. the extension: a private copy of target/release/libxdm_relay.so (so a rebuild never swaps the
#      file under running workers) and an ini file that loads it; php-fpm restarted when either changes
#   3. the module: php/ copied to app/code/XdmRelay/Connector; on any change module:enable,
#      setup:upgrade, setup:di:compile (must pass), cache flush, php-fpm restart
#   4. a second website (multi-website destinations)
#   5. the emulator (strict XDM) on 127.0.0.1:$EDGE_PORT, restarted when its binary changes
#   6. the module's configuration (bin/magento config:set), cache flush
# Needs root (the installer does). `XR_EXTENSION=0` provisions the store with the extension unloaded.
set -euo pipefail
source "$(dirname "$0")/env.sh"
XR_EXTENSION=${XR_EXTENSION:-1}
[ "$(id -u)" = 0 ] || { echo "provision: run as root (the store's installer needs it)" >&2; exit 1; }
[ -f "$SO_BUILT" ] || { echo "provision: $SO_BUILT is missing (make build)" >&2; exit 1; }
[ -x "$EDGE_BIN" ] || { echo "provision: $EDGE_BIN is missing (make build)" >&2; exit 1; }
mkdir -p "$XR_STATE" "$XR_INI_DIR" "$XR_SPOOL" "$EDGE_DATA"
LOG=$XR_STATE/provision.log
: > "$LOG"

T0=$(date +%s.%N); ROWS=()
now() { date +%s.%N; }
row() { ROWS+=("$(printf '  %-40s %-8s %7.1fs' "$1" "$2" "$(echo "$(now) - $3" | bc)")"); printf '   %-40s %-8s %7.1fs\n' "$1" "$2" "$(echo "$(now) - $3" | bc)"; }
fail() { echo "provision FAILED: $*" >&2; echo "(log: $LOG)" >&2; exit 1; }
mage() { "$MAGENTO_CLI" "$@" >> "$LOG" 2>&1; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
FPM_PID=$MAGENTO_DIR/run/php-fpm.pid
fpm_stop() {
  if alive "$FPM_PID"; then
    local pid; pid=$(cat "$FPM_PID")
    kill -QUIT "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && fail "php-fpm ($pid) did not stop"
  fi
  rm -f "$FPM_PID"
}
fpm_start() {
  (cd "$MAGENTO_SRC" && php-fpm8.2 -R -y "$MAGENTO_DIR/etc/php-fpm.conf") || fail "php-fpm8.2 did not start"
  for _ in $(seq 50); do curl -s -o /dev/null "$MAGENTO_URL/" && return 0; sleep 0.2; done
  fail "the store does not answer at $MAGENTO_URL after a php-fpm restart"
}

# 2 (before 1, so the installer starts php-fpm with it). The extension and its ini ---------------
s=$(now)
SO_HASH=$(sha256sum "$SO_BUILT" | cut -c1-16)
SO_COPY=$XR_STATE/libxdm_relay-$SO_HASH.so
if [ ! -f "$SO_COPY" ]; then cp "$SO_BUILT" "$SO_COPY.tmp"; mv -f "$SO_COPY.tmp" "$SO_COPY"; fi
if [ "$XR_EXTENSION" = 1 ]; then
  INI="extension=$SO_COPY
xdm_relay.spool_dir=$XR_SPOOL"
else
  INI="; xdm_relay deliberately not loaded (XR_EXTENSION=0)"
fi
if [ "$(cat "$XR_INI_DIR/90-xdm-relay.ini" 2>/dev/null)" != "$INI" ]; then
  printf '%s\n' "$INI" > "$XR_INI_DIR/90-xdm-relay.ini"
fi
ls -1t "$XR_STATE"/libxdm_relay-*.so 2>/dev/null | tail -n +4 | xargs -r rm -f   # keep the last three builds
STAMP="$(sha256sum "$XR_INI_DIR"/*.ini | sha256sum | cut -c1-16)"
FPM_RESTART=0
if alive "$FPM_PID" && [ "$(cat "$XR_STATE/fpm.stamp" 2>/dev/null)" != "$STAMP" ]; then
  fpm_stop; FPM_RESTART=1
fi
row "extension ini ($([ "$XR_EXTENSION" = 1 ] && echo "loads $SO_HASH" || echo unloaded))" "$([ $FPM_RESTART = 1 ] && echo changed || echo ok)" "$s"

# 1. The store ----------------------------------------------------------------------------------
s=$(now)
if [ -f "$MAGENTO_DIR/.post-install.done" ] && alive "$FPM_PID" && alive "$MAGENTO_DIR/run/nginx.pid" \
   && [ -f "$MAGENTO_SRC/generated/metadata/global.php" ] && [ "$MAGENTO_SRC/generated/metadata/global.php" -nt "$MAGENTO_SRC/app/etc/config.php" ] \
   && grep -q -- "$XR_INI_DIR" "$MAGENTO_CLI" 2>/dev/null; then
  row "store (install-magento.sh)" skipped "$s"
else
  [ -f "$MAGENTO_DIR/.post-install.done" ] || echo "   installing Magento 2.4.6 into $MAGENTO_DIR (first run: about 2-3 minutes; log: $XR_STATE/install.log)"
  # the installer's step lines are shown as they complete (first run: progress of the install)
  if ! STATIC=${STATIC:-1} SCENARIO=0 PORT=$MAGENTO_PORT PHP_EXTRA_INI_DIR=$XR_INI_DIR \
      bash "$MAGENTO_INSTALLER" "$MAGENTO_TARBALL" "$MAGENTO_DIR" 2>&1 | tee "$XR_STATE/install.log" \
      | { grep --line-buffered -E '^==> ' || true; } | sed -u 's/^==>/     /'; then
    tail -30 "$XR_STATE/install.log" >&2; fail "install-magento.sh"
  fi
  row "store (install-magento.sh)" done "$s"
fi
echo "$STAMP" > "$XR_STATE/fpm.stamp"
if [ "$XR_EXTENSION" = 1 ]; then
  "$MAGENTO_CLI" --version >/dev/null
  php -m 2>/dev/null | grep -x xdm_relay > /dev/null || fail "the CLI does not load xdm_relay"
fi

# 3. The module --------------------------------------------------------------------------------
s=$(now)
mkdir -p "$MODULE_DIR"
MODULE_SRC=${MODULE_SRC:-$REPO/php}   # another tree of the module (e.g. an older commit's) for comparisons
CHANGES=$(rsync -a --delete --checksum -i "$MODULE_SRC/" "$MODULE_DIR/" | grep -v '^\.d' || true)
ENABLED=$(php -r '$c = include "'"$MAGENTO_SRC"'/app/etc/config.php"; echo $c["modules"]["XdmRelay_Connector"] ?? "missing";')
IN_DB=$(mariadb -uroot -N -e "select schema_version from $DB_NAME.setup_module where module='XdmRelay_Connector'" 2>/dev/null || true)
COMPILED_OK=0
[ -f "$XR_STATE/module.compiled" ] && [ "$(cat "$XR_STATE/module.compiled")" = "$(cd "$MODULE_DIR" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)" ] \
  && [ -f "$MAGENTO_SRC/generated/metadata/global.php" ] && COMPILED_OK=1
if [ -z "$CHANGES" ] && [ "$ENABLED" = 1 ] && [ -n "$IN_DB" ] && [ $COMPILED_OK = 1 ]; then
  row "module XdmRelay_Connector" skipped "$s"
else
  [ -n "$CHANGES" ] && echo "   module files changed: $(echo "$CHANGES" | wc -l)"
  [ "$ENABLED" = 1 ] || mage module:enable XdmRelay_Connector || fail "module:enable"
  s2=$(now)
  # compiled DI (generated/metadata) describes the old constructors: bin/magento itself would fail on it
  rm -rf "$MAGENTO_SRC/generated/code" "$MAGENTO_SRC/generated/metadata"
  mage setup:upgrade || { tail -20 "$LOG" >&2; fail "setup:upgrade"; }
  row "setup:upgrade" done "$s2"
  s2=$(now)
  "$MAGENTO_CLI" setup:di:compile > "$XR_STATE/di-compile.log" 2>&1 || { tail -30 "$XR_STATE/di-compile.log" >&2; fail "setup:di:compile"; }
  row "setup:di:compile" done "$s2"
  (cd "$MODULE_DIR" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum) > "$XR_STATE/module.compiled"
  mage cache:flush
  alive "$FPM_PID" && fpm_stop
  row "module XdmRelay_Connector" installed "$s"
fi
if ! alive "$FPM_PID"; then s=$(now); fpm_start; row "php-fpm (re)start" done "$s"; fi

# 4. A second website --------------------------------------------------------------------------
s=$(now)
if [ "$(mariadb -uroot -N -e "select count(*) from $DB_NAME.store_website w join $DB_NAME.store s on s.website_id = w.website_id
      join $DB_NAME.sales_sequence_meta m on m.store_id = s.store_id where w.code='second'")" -gt 0 ]; then
  row "second website" skipped "$s"
else
  (cd "$MAGENTO_SRC" && php -d memory_limit=-1 "$REPO/tests/magento/second-website.php") >> "$LOG" 2>&1 || { tail -20 "$LOG" >&2; fail "second website"; }
  mage cache:flush
  row "second website" created "$s"
fi

# 5. The emulator ------------------------------------------------------------------------------
s=$(now)
# restarted when the binary or the XDM checker (tools/xdm_check.py + tools/xdm-extra) changes
EDGE_HASH=$(cat "$EDGE_BIN" "$REPO/tools/xdm_check.py" "$REPO"/tools/xdm-extra/* 2>/dev/null | sha256sum | cut -c1-16)
EDGE_PID=$XR_STATE/edge.pid
if alive "$EDGE_PID" && [ "$(cat "$XR_STATE/edge.stamp" 2>/dev/null)" = "$EDGE_HASH" ] && curl -sf "$EDGE_URL/_emulator/stats" >/dev/null; then
  row "emulator $EDGE_URL" running "$s"
else
  if alive "$EDGE_PID"; then kill -TERM "$(cat "$EDGE_PID")"; sleep 0.5; fi
  cp "$EDGE_BIN" "$XR_STATE/xdm-relay-edge"
  setsid "$XR_STATE/xdm-relay-edge" --listen "127.0.0.1:$EDGE_PORT" --data "$EDGE_DATA" --strict-xdm --xdm-schemas "$SHARED/xdm" --xdm-checker "$REPO/tools/xdm_check.py" \
    > "$XR_STATE/edge.out" 2> "$XR_STATE/edge.err" < /dev/null &
  echo $! > "$EDGE_PID"
  for _ in $(seq 100); do curl -sf "$EDGE_URL/_emulator/stats" >/dev/null && break; sleep 0.1; done
  curl -sf "$EDGE_URL/_emulator/stats" >/dev/null || { cat "$XR_STATE/edge.err" >&2; fail "the emulator did not start on $EDGE_URL"; }
  echo "$EDGE_HASH" > "$XR_STATE/edge.stamp"
  row "emulator $EDGE_URL" started "$s"
fi

# 6. Configuration -----------------------------------------------------------------------------
s=$(now)
CONFIG="xdm_relay/general/org_id=0123456789ABCDEF01234567@AdobeOrg
xdm_relay/general/environment_id=magento-e2e
xdm_relay/general/edge_url=$EDGE_URL
xdm_relay/events/backoffice_events=1
xdm_relay/events/customer_profiles=1
xdm_relay/events/datastream_id=ds-main
xdm_relay/events/dataset_id=dataset-events-main
xdm_relay/events/profile_dataset_id=dataset-profiles-main
xdm_relay/events/profile_same_datastream=1
xdm_relay/auth/type=none
xdm_relay/history/events_per_second=500
@second:xdm_relay/events/datastream_id=ds-second
@second:xdm_relay/events/dataset_id=dataset-events-second
@second:xdm_relay/events/profile_dataset_id=dataset-profiles-second
payment/free/order_status=processing
carriers/freeshipping/active=1
carriers/freeshipping/free_shipping_subtotal=0"
# payment/free/order_status=processing turns Zero Subtotal Checkout's payment action into authorize_capture
# (Magento\Payment\Model\Method\Free::getConfigPaymentAction): the invoice is created and committed inside
# the order save, the "online capture" case of W4, with core code only.
CONFIG_HASH=$(echo "$CONFIG" | sha256sum | cut -c1-16)
if [ "$(cat "$XR_STATE/config.stamp" 2>/dev/null)" = "$CONFIG_HASH" ] && [ "$(mariadb -uroot -N -e "select value from $DB_NAME.core_config_data where path='xdm_relay/general/edge_url' and scope='default'")" = "$EDGE_URL" ]; then
  row "module configuration" skipped "$s"
else
  while IFS= read -r line; do
    scope=(); kv=$line
    if [[ $line == @* ]]; then code=${line%%:*}; scope=(--scope=websites "--scope-code=${code#@}"); kv=${line#*:}; fi
    mage config:set "${scope[@]}" "${kv%%=*}" "${kv#*=}" || { tail -5 "$LOG" >&2; fail "config:set $line"; }
  done <<< "$CONFIG"
  # the tenant id stays unset on purpose (a shipment with an alphanumeric tracking number must still be sent)
  mariadb -uroot -e "delete from $DB_NAME.core_config_data where path='xdm_relay/general/tenant_id'"
  mage cache:flush config
  echo "$CONFIG_HASH" > "$XR_STATE/config.stamp"
  row "module configuration" done "$s"
fi

printf '   %-40s %-8s %7.1fs\n' "provisioning total" "" "$(echo "$(now) - $T0" | bc)"
echo "$(echo "$(now) - $T0" | bc)" > "$XR_STATE/provision.seconds"
