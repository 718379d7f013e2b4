# Shared settings of the real-store test suite and the demo (sourced, not run).
# Every path can be overridden from the environment.
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SHARED=${XDM_RELAY_SHARED:-$(cd "$REPO/.." && pwd)/shared}
MAGENTO_TARBALL=${MAGENTO_TARBALL:-$SHARED/magento/magento-2.4.6.tar.zst}
MAGENTO_INSTALLER=${MAGENTO_INSTALLER:-$SHARED/magento/install-magento.sh}
MAGENTO_DIR=${MAGENTO_DIR:-/srv/magento}              # the installer's TARGET
MAGENTO_PORT=${MAGENTO_PORT:-8080}
DB_NAME=${DB_NAME:-magento}                         # the store's database (the installer's DB_NAME)
MAGENTO_URL=http://127.0.0.1:$MAGENTO_PORT
MAGENTO_SRC=$MAGENTO_DIR/src
MAGENTO_CLI=$MAGENTO_DIR/magento
ADMIN_USER=${ADMIN_USER:-admin}
ADMIN_PASS=${ADMIN_PASS:-Admin12345!}
XR_STATE=${XR_STATE:-$MAGENTO_DIR/xdm-relay}          # our state: ini dir, .so copy, spool, emulator
XR_INI_DIR=$XR_STATE/php.d
XR_SPOOL=$XR_STATE/spool
EDGE_PORT=${EDGE_PORT:-8099}
EDGE_URL=http://127.0.0.1:$EDGE_PORT
EDGE_DATA=$XR_STATE/edge
SO_BUILT=${XDM_RELAY_SO:-$REPO/target/release/libxdm_relay.so}
EDGE_BIN=${EDGE_BIN:-$REPO/target/release/xdm-relay-edge}
MODULE_DIR=$MAGENTO_SRC/app/code/XdmRelay/Connector
export PHP_INI_SCAN_DIR=":$MAGENTO_DIR/etc/php.d:$XR_INI_DIR"
