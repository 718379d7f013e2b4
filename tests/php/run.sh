#!/usr/bin/env bash
# The Magento module's checks: php -l on every PHP file, every module XML file against Magento's
# own XSDs, the PHPUnit unit suite (stand-ins, no extension), then the end-to-end suite through
# the real extension ($XDM_RELAY_SO).
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED="${XDM_RELAY_SHARED:-$(cd .. && pwd)/shared}"
XSD="$SHARED/magento-xsd"

echo "== php -l"
find php tests/php -name '*.php' -o -name '*.phtml' | sort | while read -r f; do
  php -l "$f" >/dev/null || { echo "syntax error in $f"; exit 1; }
done
echo "all PHP files parse"

echo "== XML against Magento's XSDs"
count=0
while read -r f; do
  urn=$(grep -o 'xsi:noNamespaceSchemaLocation="urn:magento:[^"]*"' "$f" | head -1 | sed 's/.*="//; s/"$//')
  case "$urn" in
    urn:magento:framework:*) xsd="lib/internal/Magento/Framework/${urn#urn:magento:framework:}" ;;
    urn:magento:module:*) rest=${urn#urn:magento:module:}; mod=${rest%%:*}; xsd="app/code/${mod/_//}/${rest#*:}" ;;
    *) echo "$f: no Magento schema location"; exit 1 ;;
  esac
  XML_CATALOG_FILES="$XSD/catalog.xml" xmllint --noout --schema "$XSD/$xsd" "$f"
  count=$((count + 1))
done < <(find php -name '*.xml' -not -path 'php/view/*/layout/*' | sort)
echo "$count XML files validate"
# ../shared/magento-xsd has no layout schemas: layouts are validated against the store's own XSDs
# by make test-magento; here they must at least be well-formed
layouts=$(find php/view -path '*/layout/*.xml' | sort)
[ -z "$layouts" ] || xmllint --noout $layouts
echo "$(echo "$layouts" | grep -c .) layout files well-formed"

echo "== PHPUnit: unit suite (Magento stand-ins)"
phpunit -c tests/php/phpunit.xml --testsuite unit

echo "== PHPUnit: end to end through the real extension"
if [ -z "${XDM_RELAY_SO:-}" ] || [ ! -f "$XDM_RELAY_SO" ]; then
  echo "XDM_RELAY_SO is not set to the built extension (make build sets it)"; exit 1
fi
php -d "extension=$XDM_RELAY_SO" "$(command -v phpunit)" -c tests/php/phpunit.xml --testsuite e2e
