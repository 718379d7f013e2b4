"""Clients for the real-store suite and the demo (Python 3 stdlib only, 127.0.0.1 only).

Rest      Magento's REST API (admin token, guest and customer carts, documents, catalog)
Browser   a cookie session for the admin (form-key login) and the storefront
Edge      the xdm-relay-edge emulator's control API, and its recorded events by entity
cli()     bin/magento with the store's ini (the extension loaded)
"""
import http.cookiejar
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

MAGENTO_URL = os.environ.get('MAGENTO_URL', 'http://127.0.0.1:8080')
EDGE_URL = os.environ.get('EDGE_URL', 'http://127.0.0.1:8099')
MAGENTO_CLI = os.environ.get('MAGENTO_CLI', '/srv/magento/magento')
MAGENTO_SRC = os.environ.get('MAGENTO_SRC', '/srv/magento/src')
ADMIN_USER = os.environ.get('ADMIN_USER', 'admin')
ADMIN_PASS = os.environ.get('ADMIN_PASS', 'Admin12345!')

for url in (MAGENTO_URL, EDGE_URL):
    if not url.startswith(('http://127.0.0.1', 'http://localhost')):
        raise SystemExit('refusing a non-loopback URL: ' + url)

# contract event name by XDM eventType (orderPlaced and historicalOrder share theirs)
EVENT_BY_TYPE = {
    'commerce.backofficeOrderPlaced': 'orderPlaced',
    'commerce.backofficeOrderInvoiced': 'orderInvoiced',
    'commerce.backofficeOrderItemsShipped': 'orderItemsShipped',
    'commerce.backofficeOrderShipmentCompleted': 'orderShipmentCompleted',
    'commerce.backofficeOrderCancelled': 'orderCancelled',
    'commerce.backofficeCreditMemoIssued': 'orderLineItemRefunded',
    'commerce.backofficeOrderItemsReturnInitiated': 'orderItemsReturnInitiated',
    'commerce.backofficeOrderItemsReturnCompleted': 'orderItemReturnCompleted',
    'userAccount.backofficeCreateProfile': 'accountCreated',
    'userAccount.backofficeUpdateProfile': 'accountUpdated',
    'userAccount.backofficeDeleteProfile': 'accountDeleted',
    # storefront events, by Adobe's storefront SDK names
    'web.webpagedetails.pageViews': 'pageView',
    'commerce.productViews': 'productPageView',
    'commerce.productListAdds': 'addToCart',
    'commerce.productListOpens': 'openCart',
    'commerce.productListRemovals': 'removeFromCart',
    'commerce.productListViews': 'shoppingCartView',
    'commerce.checkouts': 'initiateCheckout',
    'commerce.purchases': 'placeOrder',
    'userAccount.login': 'signIn',
    'userAccount.logout': 'signOut',
    'userAccount.createProfile': 'createAccount',
    'userAccount.updateProfile': 'editAccount',
    'searchRequest': 'searchRequestSent',
    'searchResponse': 'searchResponseReceived',
}

ADDR = {
    'region': 'Texas', 'region_id': 57, 'region_code': 'TX', 'country_id': 'US',
    'street': ['100 Congress Ave'], 'postcode': '78701', 'city': 'Austin',
    'firstname': 'Jane', 'lastname': 'Doe', 'telephone': '5125550100',
}


class Fail(Exception):
    pass


def dig(obj, path, default=None):
    """dig(xdm, 'commerce.order.purchaseID')"""
    for part in path.split('.'):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return default
    return obj


def event_name(xdm):
    t = xdm.get('eventType')
    if t:
        return EVENT_BY_TYPE.get(t, t)
    return 'profileDeleted' if dig(xdm, 'userAccount.status') == 'disabled' else 'profileRecord'


def device(xdm):
    """The first-party device id of a storefront event (None for back-office events and profiles)."""
    for ident in dig(xdm, 'identityMap.FPID', []) or []:
        return str(ident.get('id'))
    return None


def customer_key(xdm):
    for ident in dig(xdm, 'identityMap.CustomerId', []) or []:
        return str(ident.get('id'))
    return dig(xdm, 'userAccount.ID')


def request(method, url, body=None, headers=None, opener=None, timeout=120):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with (opener or urllib.request.build_opener()).open(req, timeout=timeout) as r:
            return r.status, r.read(), r.geturl()
    except urllib.error.HTTPError as e:
        return e.code, e.read(), url


class Rest:
    def __init__(self, base=MAGENTO_URL, store='default'):
        self.base = base.rstrip('/')
        self.store = store
        self.token = None
        self.calls = 0

    def call(self, method, path, body=None, token=None, expect=(200,), store=None):
        url = f'{self.base}/rest/{store or self.store}/V1{path}'
        headers = {'Content-Type': 'application/json', 'Accept': 'application/json'}
        tok = self.token if token is None else token
        if tok:
            headers['Authorization'] = 'Bearer ' + tok
        self.calls += 1
        status, raw, _ = request(method, url, body, headers)
        try:
            res = json.loads(raw) if raw else None
        except ValueError:
            res = raw.decode(errors='replace')[:500]
        if status not in expect:
            msg = res.get('message') if isinstance(res, dict) else res
            if isinstance(res, dict) and res.get('parameters'):
                msg = f"{msg} {res['parameters']}"
            raise Fail(f'{method} {path}: HTTP {status}: {str(msg)[:400]}')
        return res

    def login_admin(self):
        self.token = self.call('POST', '/integration/admin/token', {'username': ADMIN_USER, 'password': ADMIN_PASS}, token='')
        return self

    def customer_token(self, email, password):
        return self.call('POST', '/integration/customer/token', {'username': email, 'password': password}, token='')

    # catalog --------------------------------------------------------------------------------
    def product(self, sku, price, type_id='simple', websites=(1,), extra_attrs=(), ext=None, qty=100000, name=None, weight=1.0):
        body = {'sku': sku, 'name': name or f'XR {sku}', 'attribute_set_id': 4, 'price': price, 'status': 1,
                'visibility': 4, 'type_id': type_id,
                'extension_attributes': dict({'website_ids': list(websites),
                                              'stock_item': {'qty': qty, 'is_in_stock': True}}, **(ext or {})),
                'custom_attributes': [{'attribute_code': 'url_key', 'value': 'xr-' + sku.lower()}] + list(extra_attrs)}
        if type_id != 'virtual':
            body['weight'] = weight
        return self.call('POST', '/products', {'product': body}, store='all')

    # checkout -------------------------------------------------------------------------------
    def _address(self, email=None, **over):
        a = dict(ADDR, **over)
        if email:
            a['email'] = email
        return a

    def guest_order(self, items, email, method='checkmo', carrier=('flatrate', 'flatrate'), store=None, address=None, virtual=False):
        """items: [(sku, qty)] or [cartItem dicts]; returns the order entity id."""
        cart = self.call('POST', '/guest-carts', {}, token='', store=store)
        for it in items:
            item = it if isinstance(it, dict) else {'sku': it[0], 'qty': it[1]}
            self.call('POST', f'/guest-carts/{cart}/items', {'cartItem': dict(item, quote_id=cart)}, token='', store=store)
        addr = self._address(email, **(address or {}))
        if not virtual:
            self.call('POST', f'/guest-carts/{cart}/shipping-information', {'addressInformation': {
                'shipping_address': addr, 'billing_address': addr,
                'shipping_carrier_code': carrier[0], 'shipping_method_code': carrier[1]}}, token='', store=store)
        oid = self.call('POST', f'/guest-carts/{cart}/payment-information', {
            'email': email, 'paymentMethod': {'method': method}, 'billingAddress': addr}, token='', store=store)
        return int(oid)

    def customer_order(self, ctok, items, method='checkmo', carrier=('flatrate', 'flatrate'), address=None, store=None):
        self.call('POST', '/carts/mine', None, token=ctok, store=store)
        for it in items:
            item = it if isinstance(it, dict) else {'sku': it[0], 'qty': it[1]}
            self.call('POST', '/carts/mine/items', {'cartItem': item}, token=ctok, store=store)
        addr = self._address(**(address or {}))
        self.call('POST', '/carts/mine/shipping-information', {'addressInformation': {
            'shipping_address': addr, 'billing_address': addr,
            'shipping_carrier_code': carrier[0], 'shipping_method_code': carrier[1]}}, token=ctok, store=store)
        oid = self.call('POST', '/carts/mine/payment-information', {
            'paymentMethod': {'method': method}, 'billingAddress': addr}, token=ctok, store=store)
        return int(oid)

    def order(self, oid):
        return self.call('GET', f'/orders/{oid}')

    def order_items(self, oid, skus=None):
        """{sku: order_item_id} of the order's visible (parent) items."""
        o = self.order(oid)
        return {i['sku']: i['item_id'] for i in o['items'] if not i.get('parent_item_id')}

    def invoice(self, oid, items=None, capture=True):
        body = {'capture': capture, 'notify': False}
        if items:
            body['items'] = [{'order_item_id': k, 'qty': q} for k, q in items]
        return int(self.call('POST', f'/order/{oid}/invoice', body))

    def ship(self, oid, items=None, tracks=()):
        body = {'notify': False}
        if items:
            body['items'] = [{'order_item_id': k, 'qty': q} for k, q in items]
        if tracks:
            body['tracks'] = [{'track_number': n, 'title': t, 'carrier_code': c} for n, c, t in tracks]
        return int(self.call('POST', f'/order/{oid}/ship', body))

    def refund(self, oid, items=None, **arguments):
        body = {'notify': False}
        if items:
            body['items'] = [{'order_item_id': k, 'qty': q} for k, q in items]
        if arguments:
            body['arguments'] = arguments
        return int(self.call('POST', f'/order/{oid}/refund', body))

    def cancel(self, oid):
        ok = self.call('POST', f'/orders/{oid}/cancel')
        if ok is not True:
            raise Fail(f'cancel {oid} returned {ok!r}')

    def add_track(self, oid, shipment_id, number, carrier='custom', title='Courier'):
        return self.call('POST', '/shipment/track', {'entity': {
            'order_id': oid, 'parent_id': shipment_id, 'track_number': number, 'carrier_code': carrier,
            'title': title, 'qty': 1, 'weight': 1}})

    # customers ------------------------------------------------------------------------------
    def create_customer(self, email, first='Jane', last='Doe', website_id=1, store_id=1, address=True,
                        password='Passw0rd!Relay', subscribed=None, street='100 Congress Ave'):
        c = {'email': email, 'firstname': first, 'lastname': last, 'website_id': website_id, 'store_id': store_id,
             'group_id': 1}
        if address:
            a = {k: v for k, v in ADDR.items() if k not in ('region', 'region_code')}
            a.update(street=[street], firstname=first, lastname=last, default_shipping=True, default_billing=True,
                     region={'region': 'Texas', 'region_id': 57, 'region_code': 'TX'})
            c['addresses'] = [a]
        if subscribed is not None:
            c['extension_attributes'] = {'is_subscribed': subscribed}
        return self.call('POST', '/customers', {'customer': c, 'password': password})

    def customer(self, cid):
        return self.call('GET', f'/customers/{cid}')

    def update_customer(self, cid, **changes):
        cur = self.customer(cid)
        ext = changes.pop('extension_attributes', None)
        cur.update(changes)
        if ext:
            cur.setdefault('extension_attributes', {}).update(ext)
        return self.call('PUT', f'/customers/{cid}', {'customer': cur})

    def delete_customer(self, cid):
        if self.call('DELETE', f'/customers/{cid}') is not True:
            raise Fail(f'delete customer {cid} failed')


class Browser:
    """A cookie session (admin or storefront) that speaks HTML forms."""

    def __init__(self, base=MAGENTO_URL):
        self.base = base.rstrip('/')
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.form_key = None

    def cookie(self, name):
        """The value of the cookie `name` the store set in this session, or None."""
        return next((c.value for c in self.jar if c.name == name), None)

    def add_cookie(self, name, value):
        """A cookie the shopper's browser already holds (mg_dnt, a consent cookie), for the store's host."""
        host = urllib.parse.urlsplit(self.base).hostname
        self.jar.set_cookie(http.cookiejar.Cookie(0, name, value, None, False, host, False, False, '/', True,
                                                  False, None, False, None, None, {}))

    def get(self, path):
        status, raw, url = request('GET', self.base + path, opener=self.opener)
        return status, raw.decode(errors='replace'), url

    def post(self, path, fields, ajax=False):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        headers = {'Content-Type': 'application/x-www-form-urlencoded'}
        if ajax:
            headers['X-Requested-With'] = 'XMLHttpRequest'
        status, raw, url = request('POST', self.base + path, data, headers, opener=self.opener)
        return status, raw.decode(errors='replace'), url

    def _form_key(self, html):
        m = re.search(r'name="form_key"[^>]*value="([^"]+)"', html) or re.search(r'FORM_KEY\s*=\s*["\']([^"\']+)', html) \
            or re.search(r'"formKey":"([^"]+)"', html)
        return m.group(1) if m else None

    def admin_login(self, user=ADMIN_USER, password=ADMIN_PASS):
        status, html, _ = self.get('/admin/')
        key = self._form_key(html)
        if not key:
            raise Fail(f'admin login page: no form key (HTTP {status})')
        status, html, url = self.post('/admin/', {'form_key': key, 'login[username]': user, 'login[password]': password})
        if status != 200 or 'login[username]' in html:
            raise Fail(f'admin login failed (HTTP {status}, at {url})')
        self.form_key = self._form_key(html) or key
        return html

    def storefront_login(self, email, password):
        status, html, _ = self.get('/customer/account/login/')
        key = self._form_key(html)
        if not key:
            raise Fail(f'storefront login page: no form key (HTTP {status})')
        self.form_key = key
        status, html, url = self.post('/customer/account/loginPost/', {'form_key': key, 'login[username]': email,
                                                                      'login[password]': password})
        if '/customer/account/login' in url:
            raise Fail(f'storefront login failed for {email} (at {url})')
        return html


class Edge:
    def __init__(self, base=EDGE_URL):
        self.base = base.rstrip('/')

    def _json(self, method, path, body=None):
        status, raw, _ = request(method, self.base + path, body, {'Content-Type': 'application/json'}, timeout=30)
        if status >= 300:
            raise Fail(f'emulator {method} {path}: HTTP {status}')
        return json.loads(raw) if raw else None

    def reset(self):
        self._json('DELETE', '/_emulator/faults')
        return self._json('DELETE', '/_emulator/events')

    def stats(self):
        return self._json('GET', '/_emulator/stats')

    def fault(self, fault):
        return self._json('POST', '/_emulator/faults', fault)

    def clear_faults(self):
        return self._json('DELETE', '/_emulator/faults')

    def events(self):
        return self._json('GET', '/_emulator/events?limit=100000')['events']

    def platform(self, settings=None):
        """The emulated Platform APIs' datasets, sandboxes, tenant and tenant fields (a PUT replaces the keys given)."""
        return self._json('PUT', '/_emulator/platform', settings) if settings is not None else self._json('GET', '/_emulator/platform')


class Received:
    """What the emulator holds, deduplicated by _id (at-least-once), indexed by order and customer."""

    def __init__(self, edge):
        self.edge = edge
        self.refresh()

    def refresh(self):
        self.raw = self.edge.events()
        self.by_id = {}
        self.copies = {}
        self.order = []
        for i, rec in enumerate(self.raw):
            xdm = rec.get('xdm') or {}
            _id = xdm.get('_id')
            self.copies[_id] = self.copies.get(_id, 0) + 1
            if _id in self.by_id:
                continue
            ev = {'name': event_name(xdm), 'xdm': xdm, 'datastream': rec.get('datastreamId'), 'meta': rec.get('meta'),
                  'request_meta': rec.get('requestMeta'), 'received': rec.get('receivedAt'), 'seq': i}
            self.by_id[_id] = ev
            self.order.append(ev)
        return self

    def for_order(self, increment_id):
        return [e for e in self.order if dig(e['xdm'], 'commerce.order.purchaseID') == increment_id and not device(e['xdm'])]

    def for_customer(self, cid):
        return [e for e in self.order if not dig(e['xdm'], 'commerce.order.purchaseID') and not device(e['xdm'])
                and customer_key(e['xdm']) == str(cid)]

    def for_device(self, fpid):
        """The storefront events of one shopper's device."""
        return [e for e in self.order if device(e['xdm']) == fpid]

    def device_of_cart(self, cart_id):
        """The device id named by the first storefront event of a cart (None until one arrived)."""
        return next((device(e['xdm']) for e in self.order
                     if device(e['xdm']) and dig(e['xdm'], 'commerce.cart.cartID') == str(cart_id)), None)


def cli(*args, timeout=600, env=None):
    """bin/magento with the store's php.ini additions; returns (exit status, output)."""
    p = subprocess.run([MAGENTO_CLI, *args], capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, **(env or {})))
    return p.returncode, p.stdout + p.stderr


def wait_until(predicate, timeout, interval=0.25):
    deadline = time.time() + timeout
    while True:
        v = predicate()
        if v or time.time() >= deadline:
            return v
        time.sleep(interval)
