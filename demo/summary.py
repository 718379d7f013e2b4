#!/usr/bin/env python3
"""Waits until the Edge emulator holds every event the store's day must have produced (demo/day.py's
expectations) and the historical orders, then prints what arrived: expected vs delivered, lost, invalid.
Exit status 1 if anything was lost or invalid.

usage: summary.py EXPECTED_JSON HISTORY_INCREMENTS_JSON TIMEOUT_SECONDS
"""
import json
import os
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'tests', 'magento'))
import xr  # noqa: E402

expected = json.load(open(sys.argv[1]))
history = set(json.load(open(sys.argv[2]))) if os.path.exists(sys.argv[2]) else set()
timeout = float(sys.argv[3])
edge = xr.Edge()


def tally():
    recv = xr.Received(edge)
    got = {'orders': {}, 'customers': {}, 'devices': {}, 'carts': {}}
    for e in recv.order:
        inc = xr.dig(e['xdm'], 'commerce.order.purchaseID')
        if xr.device(e['xdm']):
            key = ('devices', xr.device(e['xdm']))
        else:
            key = ('orders', inc) if inc else ('customers', xr.customer_key(e['xdm']))
        d = got[key[0]].setdefault(str(key[1]), Counter())
        d[e['name']] += 1
    # an API cart's device id is derived from the quote: found through the cart's first event
    for quote_id in expected.get('carts', {}):
        fpid = recv.device_of_cart(quote_id)
        got['carts'][quote_id] = got['devices'].get(fpid, Counter()) if fpid else Counter()
    lost, extra = Counter(), Counter()
    n_expected = n_delivered = 0
    for kind in ('orders', 'customers', 'devices', 'carts'):
        if kind not in expected:
            continue
        for key, names in expected[kind].items():
            have = got[kind].get(key, Counter())
            for name, n in names.items():
                n_expected += n
                n_delivered += min(n, have[name])
                if have[name] < n:
                    lost[name] += n - have[name]
            for name, n in have.items():
                if n > names.get(name, 0):
                    extra[name] += n - names.get(name, 0)
    hist = sum(1 for inc in history if got['orders'].get(inc, {}).get('orderPlaced'))
    return recv, n_expected, n_delivered, lost, extra, hist


deadline = time.time() + timeout
while True:
    recv, n_expected, n_delivered, lost, extra, hist = tally()
    if (not lost and hist >= len(history)) or time.time() > deadline:
        break
    time.sleep(0.5)
stats = edge.stats()
print('\nEvents received by the Edge emulator, by type:')
for t, n in sorted(stats['eventsByType'].items()):
    print(f'  {t:48} {n:5d}')
refused = sum(v for k, v in stats['requestsByStatus'].items() if k in ('503', '429'))
print(f'''
  expected from the store's day:      {n_expected} events (+ {len(history)} historical orders)
  delivered:                          {n_delivered} of {n_expected}
  historical orders delivered:        {hist} of {len(history)}
  requests refused during the outage: {refused} (retried with backoff, Retry-After honoured)
  duplicates (same _id, harmless):    {stats["duplicates"]}
  invalid under --strict-xdm:         {stats["invalidXdm"]}
  lost:                               {sum(lost.values()) + len(history) - hist}''')
if lost:
    print('  missing: ' + ', '.join(f'{k} x{v}' for k, v in lost.most_common()))
if extra:
    # Magento saves a customer's addresses again when a signed-in checkout or an account edit
    # goes through the repository; each address commit sends the profile as it now is.
    print('  also sent (profile records after address saves by checkouts and edits): '
          + ', '.join(f'{k} x{v}' for k, v in extra.most_common()))
ok = not lost and hist >= len(history) and stats['invalidXdm'] == 0
print('\nAll events delivered, none lost, none invalid.' if ok else '\nSOMETHING WAS LOST OR INVALID.')
sys.exit(0 if ok else 1)
