# Shared by the bench scripts (sourced): the emulator on a free port, PHP-FPM with the extension,
# and cleanup of both at exit. Expects ROOT, SO and WORK to be set.
trap '[ -n "${FPM:-}" ] && kill -QUIT $FPM 2>/dev/null; [ -n "${EDGE_PID:-}" ] && kill $EDGE_PID 2>/dev/null; wait 2>/dev/null || true' EXIT

# Starts xdm-relay-edge on a free loopback port; sets EDGE (its URL) and EDGE_PID.
start_edge() {
  target/release/xdm-relay-edge --listen 127.0.0.1:0 --data "$WORK/edge" > "$WORK/edge.out" 2>&1 &
  EDGE_PID=$!
  for _ in $(seq 50); do grep -q listening "$WORK/edge.out" 2>/dev/null && break; sleep 0.1; done
  EDGE=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/edge.out" | head -1)
}

# Starts PHP-FPM (static pool of $1 workers) with the extension, its spool in $WORK/fpm-spool,
# listening on $WORK/fpm.sock; sets FPM (the master's pid).
start_fpm() {
  cat > "$WORK/fpm.conf" <<CONF
[global]
pid = $WORK/fpm.pid
error_log = $WORK/fpm.log
daemonize = no
[bench]
user = $(id -un)
listen = $WORK/fpm.sock
pm = static
pm.max_children = $1
clear_env = no
env[XR_EDGE] = $EDGE
env[XR_SPOOL] = $WORK/fpm-spool
CONF
  local as_root=""
  [ "$(id -u)" -eq 0 ] && as_root="-R"
  php-fpm8.2 -F $as_root -y "$WORK/fpm.conf" -d "extension=$SO" > /dev/null 2>&1 &
  FPM=$!
  for _ in $(seq 50); do [ -S "$WORK/fpm.sock" ] && break; sleep 0.1; done
}
