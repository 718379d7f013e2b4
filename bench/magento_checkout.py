#!/usr/bin/env python3
"""Checkout cost of XDM Relay in the real Magento 2.4.6 store (tests/magento provisions it).

Places guest orders of 10 lines (10 products, each in two categories, with an image) through
REST and times the place-order request (POST /V1/guest-carts/{id}/payment-information), with the
module's back-office events and profiles on, then off, alternating order by order so that both
see the same store, caches and machine load. Prints the medians and their ratio.

usage: bench/magento_checkout.py [--pairs 15]
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'magento'))
import xr  # noqa: E402

LINES = 10


def catalog(rest):
    """Ten products in two categories each (what the old per-line product and category loads paid for)."""
    stamp = int(time.time())
    parents = []
    for n in range(2):
        c = rest.call('POST', '/categories', {'category': {'parent_id': 2, 'name': f'XR bench {stamp} {n}', 'is_active': True}},
                      store='all')
        parents.append(c['id'])
    skus = []
    for n in range(LINES):
        sku = f'XR-BENCH-{stamp}-{n}'
        links = [{'position': 0, 'category_id': str(c)} for c in parents]
        rest.product(sku, 10 + n, ext={'category_links': links},
                     extra_attrs=[{'attribute_code': 'image', 'value': f'/x/r/xr-bench-{n}.jpg'}])
        skus.append(sku)
    return skus


def switch(on):
    value = '1' if on else '0'
    for path in ('xdm_relay/events/backoffice_events', 'xdm_relay/events/customer_profiles'):
        code, out = xr.cli('config:set', path, value)
        if code:
            raise SystemExit(out)
    xr.cli('cache:clean', 'config')


def place(rest, skus, n):
    """A 10-line guest cart built untimed; returns the seconds the place-order request took."""
    cart = rest.call('POST', '/guest-carts', {}, token='')
    for sku in skus:
        rest.call('POST', f'/guest-carts/{cart}/items', {'cartItem': {'sku': sku, 'qty': 1, 'quote_id': cart}}, token='')
    addr = rest._address(f'bench{n}@example.com')
    rest.call('POST', f'/guest-carts/{cart}/shipping-information', {'addressInformation': {
        'shipping_address': addr, 'billing_address': addr,
        'shipping_carrier_code': 'flatrate', 'shipping_method_code': 'flatrate'}}, token='')
    started = time.perf_counter()
    rest.call('POST', f'/guest-carts/{cart}/payment-information', {
        'email': addr['email'], 'paymentMethod': {'method': 'checkmo'}, 'billingAddress': addr}, token='')
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--pairs', type=int, default=15)
    args = parser.parse_args()
    rest = xr.Rest()
    rest.login_admin()
    skus = catalog(rest)
    times = {True: [], False: []}
    try:
        switch(True)
        place(rest, skus, 0)  # warm-up: caches, opcache, the emulator connection
        for n in range(args.pairs):
            for on in ((True, False) if n % 2 == 0 else (False, True)):
                switch(on)
                times[on].append(place(rest, skus, n * 2 + int(on) + 1))
    finally:
        switch(True)
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f'place-order request, {LINES}-line guest order, {args.pairs} orders each, alternating:')
    print(f'  module on : median {on * 1000:7.1f} ms  (min {min(times[True]) * 1000:.1f}, max {max(times[True]) * 1000:.1f})')
    print(f'  module off: median {off * 1000:7.1f} ms  (min {min(times[False]) * 1000:.1f}, max {max(times[False]) * 1000:.1f})')
    print(f'  on / off  : {on / off:.3f}  ({(on - off) * 1000:+.1f} ms per order)')
    spread = statistics.pstdev(times[False]) / off
    print(f'  noise     : the off runs vary by {spread * 100:.1f} % (population std dev / median)')


if __name__ == '__main__':
    main()
