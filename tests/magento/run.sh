#!/usr/bin/env bash
# make test-magento: provision the real Magento 2.4.6 store (tests/magento/provision.sh), run the
# end-to-end scenarios (tests/magento/scenarios.py), then a short phase with the extension unloaded
# (the store keeps working; the notice is logged once), then restore the extension. The module is
# also checked against the Magento Marketplace coding standard shipped in the store's tree.
# Prints how long provisioning and the scenarios took. Exit status 1 when anything failed.
# MAGENTO_SCENARIOS=name,tag,... runs a subset ("browser": the Chromium journeys); MAGENTO_NO_EXT_PHASE=0
# skips the unloaded phase.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/magento/env.sh
export MAGENTO_URL EDGE_URL MAGENTO_CLI MAGENTO_SRC ADMIN_USER ADMIN_PASS DB_NAME
T0=$(date +%s)
echo "== real Magento 2.4.6 store: provisioning"
bash tests/magento/provision.sh || exit 1
T1=$(date +%s)
echo "== Magento Marketplace coding standard over php/ (the store's own phpcs --standard=Magento2)"
# phpcs exits non-zero on any error or warning: the module must stay at 0 and 0.
php "$MAGENTO_SRC/vendor/squizlabs/php_codesniffer/bin/phpcs" --standard=Magento2 php/ && echo "phpcs Magento2: 0 errors, 0 warnings"
PHPCS=$?
echo "== layout XML against the store's own page_configuration.xsd"
FRAMEWORK=$MAGENTO_SRC/vendor/magento/framework
python3 - "$FRAMEWORK" > "$XR_STATE/framework-xsd-catalog.xml" <<'PY'
import os, sys
root = sys.argv[1]
print('<?xml version="1.0"?>\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">')
for d, _, files in sorted(os.walk(root)):
    for f in sorted(files):
        if f.endswith('.xsd'):
            path = os.path.join(d, f)
            urn = 'urn:magento:framework:' + os.path.relpath(path, root)
            print(f'  <system systemId="{urn}" uri="file://{path}"/>\n  <uri name="{urn}" uri="file://{path}"/>')
print('</catalog>')
PY
LAYOUTS=$(find php/view -path '*/layout/*.xml' | sort)
LAYOUT_ERRORS=$(XML_CATALOG_FILES="$XR_STATE/framework-xsd-catalog.xml" xmllint --noout --schema \
  "$FRAMEWORK/View/Layout/etc/page_configuration.xsd" $LAYOUTS 2>&1 | grep -v ' validates$')
if [ -z "$LAYOUT_ERRORS" ]; then echo "$(echo "$LAYOUTS" | grep -c .) layout files validate"; else echo "$LAYOUT_ERRORS"; PHPCS=1; fi
echo "== real Magento 2.4.6 store: scenarios (REST, admin and storefront HTTP, bin/magento -> emulator $EDGE_URL)"
python3 tests/magento/scenarios.py ${MAGENTO_SCENARIOS:+--only "$MAGENTO_SCENARIOS"} --settle "${MAGENTO_SETTLE:-10}" --json "$XR_STATE/last-run.json"
STATUS=$?
[ $PHPCS -eq 0 ] || STATUS=1
# the storefront beacon in headless Chromium (tests/magento/browser): with the whole suite, or
# when the subset names "browser"
if [ -z "${MAGENTO_SCENARIOS:-}" ] || [[ ",${MAGENTO_SCENARIOS}," == *,browser,* ]]; then
  echo "== real Magento 2.4.6 store: storefront journeys in headless Chromium (beacon, consent, endpoint)"
  python3 tests/magento/browser/storefront.py --settle "${MAGENTO_SETTLE:-20}" || STATUS=1
fi
T2=$(date +%s)
if [ "${MAGENTO_NO_EXT_PHASE:-1}" = 1 ] && [ -z "${MAGENTO_SCENARIOS:-}" ]; then
  echo "== real Magento 2.4.6 store: extension unloaded (php-fpm restarted without it)"
  XR_EXTENSION=0 bash tests/magento/provision.sh > "$XR_STATE/provision-noext.log" 2>&1 || { cat "$XR_STATE/provision-noext.log"; STATUS=1; }
  python3 tests/magento/scenarios.py --phase no-extension --json "$XR_STATE/last-run-noext.json" || STATUS=1
  bash tests/magento/provision.sh > "$XR_STATE/provision-restore.log" 2>&1 || { cat "$XR_STATE/provision-restore.log"; STATUS=1; }
fi
T3=$(date +%s)
printf '\nreal-store timings: provisioning %ds, scenarios %ds, extension-unloaded phase %ds, total %ds\n' \
  $((T1 - T0)) $((T2 - T1)) $((T3 - T2)) $((T3 - T0))
exit $STATUS
