#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test XDM Relay. Idempotent: does
# nothing when everything is already there.
set -euo pipefail

apt_packages=(php-dev php-cli php8.2-fpm php-mbstring php-xml php-curl libclang-dev clang phpunit
  libxml2-utils libfcgi-bin php-symfony-console php-psr-log chromium curl nodejs)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ships inside NodeSource's nodejs; Debian's own nodejs needs the separate package
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing npm"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# playwright-core (the browser journeys in tests/magento/browser drive /usr/bin/chromium with it)
BROWSER_TESTS="$(cd "$(dirname "$0")/.." && pwd)/tests/magento/browser"
pw_version() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d.get(sys.argv[2], {}).get("playwright-core", "") if sys.argv[2] else d["version"])' "$@" 2>/dev/null; }
if [ "$(pw_version "$BROWSER_TESTS/package.json" dependencies)" != "$(pw_version "$BROWSER_TESTS/node_modules/playwright-core/package.json" "")" ]; then
  echo "setup: installing playwright-core for the browser tests (npm ci)"
  (cd "$BROWSER_TESTS" && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! python3 -c 'import jsonschema, referencing' 2>/dev/null; then
  echo "setup: installing the Python jsonschema validator"
  python3 -m pip install --quiet 'jsonschema>=4.18' 'referencing>=0.30'
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

if ! cargo php --version >/dev/null 2>&1; then
  echo "setup: installing cargo-php (stub generator)"
  cargo install --locked cargo-php --version 0.2.2
fi
