#!/usr/bin/env python3
"""A store's day in the real Magento 2.4.6 store (make demo), driven through Magento's own entry points:
REST checkouts (guest and logged-in), sign-ups and account edits, invoices, shipments (some in two parts),
refunds, cancels, a customer deletion, an admin "Test connection"; an Edge outage midway (emulator faults);
past orders for the historical sync. Writes what the store must have sent (per order / customer) to
EXPECTED_JSON for demo/summary.py.

usage: day.py day EXPECTED_JSON      |      day.py past N    (N orders for the history, created with
live events off, then dated 1-3 years back)
"""
import json
import os
import random
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'tests', 'magento'))
import xr  # noqa: E402

RUN = uuid.uuid4().hex[:5].upper()
NAMES = ['Ava Martin', 'Noah Bernard', 'Lea Dubois', 'Liam Thomas', 'Zoe Petit', 'Hugo Robert', 'Chloe Richard',
         'Ethan Durand', 'Mia Lefebvre', 'Lucas Moreau', 'Emma Laurent', 'Jules Simon']
rnd = random.Random(7)


def say(msg):
    print('   ' + msg, flush=True)


def catalog(r):
    skus = {'tee': f'DEMO-TEE-{RUN}', 'mug': f'DEMO-MUG-{RUN}', 'cap': f'DEMO-CAP-{RUN}', 'gift': f'DEMO-GIFT-{RUN}'}
    r.product(skus['tee'], 25.0, name='Relay Tee')
    r.product(skus['mug'], 12.5, name='Relay Mug')
    r.product(skus['cap'], 18.0, name='Relay Cap')
    r.product(skus['gift'], 30.0, type_id='virtual', name='Relay Gift Card')
    return skus


def day(out):
    r = xr.Rest().login_admin()
    edge = xr.Edge()
    expected = {'orders': {}, 'customers': {}, 'devices': {}, 'carts': {}}

    def exp(kind, key, *names):
        d = expected[kind].setdefault(str(key), {})
        for n in names:
            d[n] = d.get(n, 0) + 1

    skus = catalog(r)
    say(f'catalog: 3 products and a gift card (run {RUN})')
    customers = []
    for i, name in enumerate(NAMES):
        first, last = name.split()
        em = f'{first.lower()}.{last.lower()}.{RUN.lower()}@example.com'
        c = r.create_customer(em, first, last, street=f'{10 + i} Market Street')
        customers.append((c['id'], em))
        exp('customers', c['id'], 'accountCreated', 'profileRecord')
    say(f'{len(customers)} customers signed up (REST createAccount, with an address)')
    for cid, _ in customers[:4]:
        time.sleep(0.3)
        r.update_customer(cid, lastname=r.customer(cid)['lastname'] + '-Smith')
        exp('customers', cid, 'accountUpdated', 'profileRecord')
    say('4 accounts edited (new last name)')

    orders = []
    for i, (cid, em) in enumerate(customers):
        lines = [(skus['tee'], 1 + i % 3), (skus['mug'], 1)] if i % 2 == 0 else [(skus['cap'], 2)]
        tok = r.customer_token(em, 'Passw0rd!Relay')
        oid = r.customer_order(tok, lines)
        orders.append(oid)
    for i in range(8):
        orders.append(r.guest_order([(skus['mug'], 1 + i % 2), (skus['cap'], 1)], f'guest{i}.{RUN.lower()}@example.com'))
    gift = r.guest_order([(skus['gift'], 1)], f'gift.{RUN.lower()}@example.com', virtual=True)
    orders.append(gift)
    incs = {oid: r.order(oid)['increment_id'] for oid in orders}
    for oid in orders:
        exp('orders', incs[oid], 'orderPlaced')
        # storefront events of the API cart: opened by its first line, one add per line, the purchase
        o = r.order(oid)
        exp('carts', o['quote_id'], 'openCart', 'placeOrder', *['addToCart'] * len([i for i in o['items'] if not i.get('parent_item_id')]))
    say(f'{len(orders)} orders placed: {len(customers)} by signed-in customers, 8 guest checkouts, 1 gift card')
    to_invoice = orders[:16] + [gift]
    for oid in to_invoice:
        r.invoice(oid)
        exp('orders', incs[oid], 'orderInvoiced')
    say(f'{len(to_invoice)} orders invoiced')

    say('... the Edge Network goes down for 6 seconds (503, Retry-After: 1); the store keeps working')
    edge.fault({'kind': 'status', 'status': 503, 'retryAfter': 1, 'seconds': 6})
    t0 = time.time()
    shipped = 0
    for n, oid in enumerate(orders[:12]):
        if n % 3 == 0:      # two parts
            first = r.order(oid)['items'][0]
            r.ship(oid, items=[(first['item_id'], 1)], tracks=[(f'1Z{RUN}{n:04d}A', 'ups', 'UPS')])
            exp('orders', incs[oid], 'orderItemsShipped')
            r.ship(oid, tracks=[(f'{900000000000 + n}', 'custom', 'Courier')])
        else:
            r.ship(oid, tracks=[(f'{800000000000 + n}', 'custom', 'Courier')])
        exp('orders', incs[oid], 'orderItemsShipped', 'orderShipmentCompleted')
        shipped += 1
    say(f'{shipped} orders shipped (4 of them in two parts) during the outage ({time.time() - t0:.1f}s)')
    for oid in orders[12:14]:
        r.refund(oid)
        exp('orders', incs[oid], 'orderLineItemRefunded')
    o = r.order(orders[14])
    r.refund(orders[14], items=[(o['items'][0]['item_id'], 1)], shipping_amount=0)
    exp('orders', incs[orders[14]], 'orderLineItemRefunded')
    say('3 refunds (2 full, 1 partial)')
    for oid in orders[16:19]:
        r.cancel(oid)
        exp('orders', incs[oid], 'orderCancelled')
    say('3 orders cancelled')
    cid, _ = customers[-1]
    r.delete_customer(cid)
    exp('customers', cid, 'accountDeleted', 'profileDeleted')
    say('1 customer deleted (GDPR request)')
    browsed = shoppers(r, skus, customers[0][1], exp)
    say(f'{browsed} shoppers browsed the storefront (home, product page, cart, checkout; one signed in and out)')
    b = xr.Browser()
    b.admin_login()
    status, body, _ = b.post('/admin/xdm_relay/connection/test/', {'form_key': b.form_key}, ajax=True)
    try:
        res = json.loads(body)
        say(f'admin "Test connection": {res.get("message")}' + (f' ({res["latency_ms"]:.0f} ms)' if 'latency_ms' in res else ''))
    except ValueError:
        say(f'admin "Test connection": HTTP {status}')
    json.dump(expected, open(out, 'w'))


def beacon(b, event, url, page_type, sku=None):
    """What the storefront's beacon script posts for a page (tests/magento/browser/ runs the real one in Chromium)."""
    body = {'event': event, 'eventId': str(uuid.uuid4()), 'url': xr.MAGENTO_URL + url, 'referrer': '',
            'pageType': page_type, 'pageName': page_type}
    if sku:
        body['sku'] = sku
    status, _, _ = xr.request('POST', xr.MAGENTO_URL + '/xdmrelay/collect', json.dumps(body).encode(),
                              {'Content-Type': 'application/json', 'Origin': xr.MAGENTO_URL}, opener=b.opener)
    if status != 204:
        raise SystemExit(f'beacon {event} {url}: HTTP {status}')


def shoppers(r, skus, member_email, exp):
    """Three shoppers' visits: page views by the beacon, the rest captured by the store itself."""
    pid = r.call('GET', f'/products/{skus["tee"]}')['id']
    for n in range(3):
        b = xr.Browser()
        b.get('/')
        # the home page comes from the full-page cache, whose form key is a placeholder
        status, html, _ = b.get('/customer/account/login/')
        key = b._form_key(html)
        beacon(b, 'pageView', '/', 'CMS')
        beacon(b, 'pageView', f'/catalog/product/view/id/{pid}', 'Product')
        beacon(b, 'productPageView', f'/catalog/product/view/id/{pid}', 'Product', skus['tee'])
        b.post('/checkout/cart/add/', {'form_key': key, 'product': pid, 'qty': 1 + n}, ajax=True)
        b.get('/checkout/cart/')
        names = ['pageView', 'pageView', 'productPageView', 'openCart', 'addToCart', 'shoppingCartView']
        if n == 0:
            b.get('/checkout/')
            b.storefront_login(member_email, 'Passw0rd!Relay')
            b.get('/customer/account/logout/')
            names += ['initiateCheckout', 'signIn', 'signOut']
        fpid = b.cookie('xdm_relay_fpid')
        if not fpid:
            raise SystemExit('the store set no device id cookie')
        exp('devices', fpid, *names)
    return 3


def past(n):
    """N orders created through REST while live events are off, then dated back 1-3 years (the store's history)."""
    r = xr.Rest().login_admin()
    subprocess.run([xr.MAGENTO_CLI, 'config:set', 'xdm_relay/events/backoffice_events', '0'], capture_output=True, check=True)
    subprocess.run([xr.MAGENTO_CLI, 'cache:clean', 'config'], capture_output=True, check=True)
    try:
        sku = f'DEMO-PAST-{RUN}'
        r.product(sku, 20.0, name='Relay Classic')
        ids = []
        for i in range(n):
            ids.append(r.guest_order([(sku, 1 + i % 3)], f'past{i}.{RUN.lower()}@example.com'))
            if (i + 1) % 10 == 0:
                print(f'\r   {i + 1}/{n} past orders placed', end='', flush=True)
        print()
    finally:
        subprocess.run([xr.MAGENTO_CLI, 'config:set', 'xdm_relay/events/backoffice_events', '1'], capture_output=True)
        subprocess.run([xr.MAGENTO_CLI, 'cache:clean', 'config'], capture_output=True)
    sql = []
    for k, oid in enumerate(ids):
        days = 365 + (k * 730) // max(1, n)
        for table in ('sales_order', 'sales_order_grid'):
            sql.append(f"update magento.{table} set created_at = now() - interval {days} day, "
                       f"updated_at = now() - interval {days} day where entity_id = {int(oid)};")
    subprocess.run(['mariadb', '-uroot'], input='\n'.join(sql), text=True, check=True)
    increments = [r.order(oid)['increment_id'] for oid in ids]
    print(json.dumps(increments))


if __name__ == '__main__':
    if sys.argv[1] == 'day':
        day(sys.argv[2])
    else:
        past(int(sys.argv[2]))
