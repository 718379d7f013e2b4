#!/usr/bin/env python3
"""Page weight and load time of the storefront beacon (issue 11): printed figures, not a test.

1. beacon.js: bytes as shipped, and gzip -9 bytes.
2. A product page of the real Luma store in headless Chromium with storefront events on and off
   for the base website, alternating: per pair, LOADS page loads in each mode (after a warm-up
   load that refills the full-page cache the switch flushed); the median load time of each block,
   their ratio per pair, and the median ratio over PAIRS pairs.

usage: bench/storefront_page.py [--pairs 6] [--loads 5]   (the store of tests/magento/env.sh, provisioned;
       run.sh-style environment: MAGENTO_URL, MAGENTO_CLI, DB_NAME)
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests', 'magento'))
import xr  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--pairs', type=int, default=6)
ap.add_argument('--loads', type=int, default=5)
args = ap.parse_args()
DB = os.environ.get('DB_NAME', 'magento')
SCRIPT = os.path.join(REPO, 'php', 'view', 'frontend', 'web', 'js', 'beacon.js')
PATH = 'xdm_relay/storefront/enabled'


def sql(q):
    subprocess.run(['mariadb', '-uroot', '-e', q, DB], check=True)


def storefront(on):
    """Storefront events on/off for the base website; None: back to the store's own setting."""
    sql(f"delete from core_config_data where path='{PATH}' and scope='websites' and scope_id=1")
    if on is not None:
        sql(f"insert into core_config_data (scope, scope_id, path, value) values ('websites', 1, '{PATH}', '{int(on)}')")
    rc, out = xr.cli('cache:clean', 'config', 'full_page')
    if rc:
        raise SystemExit(out)


def loads(url):
    p = subprocess.run(['node', os.path.join(REPO, 'tests', 'magento', 'browser', 'pageload.js'),
                        json.dumps({'url': url, 'loads': args.loads})], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def main():
    raw = open(SCRIPT, 'rb').read()
    print(f'beacon.js: {len(raw)} bytes, {len(gzip.compress(raw, 9))} bytes gzip -9')
    rest = xr.Rest().login_admin()
    sku = 'XR-BENCH-PAGE'
    try:
        rest.call('GET', f'/products/{sku}')
    except xr.Fail:
        rest.product(sku, 20.0, name='Relay Bench Tee')
    url = f'{xr.MAGENTO_URL}/xr-{sku.lower()}.html'
    html = xr.request('GET', url)[1].decode(errors='replace')
    if 'xdmrelay-page' not in html:
        print('note: the page carries no beacon while storefront events are on as configured now')
    ratios, on_all, off_all = [], [], []
    try:
        for i in range(args.pairs):
            pair = {}
            for mode in ((True, False) if i % 2 == 0 else (False, True)):
                storefront(mode)
                pair[mode] = statistics.median(loads(url))
            on_all.append(pair[True])
            off_all.append(pair[False])
            ratios.append(pair[True] / pair[False])
            print(f'  pair {i + 1}: on {pair[True]:.1f} ms, off {pair[False]:.1f} ms, ratio {ratios[-1]:.3f}', flush=True)
    finally:
        storefront(None)
    print(f'product page load (median of {args.loads} per block, {args.pairs} alternating pairs): '
          f'on {statistics.median(on_all):.1f} ms, off {statistics.median(off_all):.1f} ms, '
          f'median ratio on/off {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})')


if __name__ == '__main__':
    main()
