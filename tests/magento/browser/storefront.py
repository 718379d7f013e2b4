#!/usr/bin/env python3
"""Storefront events in the real Luma store, checked at the Edge emulator (issue 11).

1. journey      headless Chromium (journey.js): home, product page twice (the second served by the
                full-page cache), add to cart, cart, checkout start, sign in, sign out. The emulator
                must hold every beacon event the browser sent (accepted with 204) once, the server's
                storefront events once each, one primary identity (FPID) equal to the browser's
                FPID cookie on every event, Email only once signed in; strict-XDM valid.
2. consent      the same journey with Cookie Restriction Mode on and no consent, then with an
                `mg_dnt` cookie: the browser sends no beacon, gets no FPID cookie, and the emulator
                receives no storefront event.
3. search       Live Search's search-request-sent / search-response-received published on a stand-in
                for Adobe's data layer: forwarded by the beacon, mapped to searchRequest/searchResponse.
4. endpoint     POST /xdmrelay/collect refuses, with the documented status and no event: GET, a
                foreign or missing Origin, bad fields (named), an unknown SKU, an oversized body,
                mg_dnt, and the 121st request of a session in the rate window.

usage: storefront.py [--only journey,consent,search,endpoint] [--settle S]
Environment as tests/magento/run.sh exports it.
One PASS/FAIL line per check; exit status 1 when any failed.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import xr  # noqa: E402
from xr import Fail, dig  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--only', default='')
ap.add_argument('--settle', type=float, default=20.0, help='seconds to wait for the events of a step')
args = ap.parse_args()

RUN = uuid.uuid4().hex[:6]
DB = os.environ.get('DB_NAME', 'magento')
PASSWORD = 'Passw0rd!Relay'

# XDM eventType of each storefront event (docs/contract.md, "Storefront events")
TYPES = {
    'pageView': 'web.webpagedetails.pageViews',
    'productPageView': 'commerce.productViews',
    'addToCart': 'commerce.productListAdds',
    'openCart': 'commerce.productListOpens',
    'removeFromCart': 'commerce.productListRemovals',
    'shoppingCartView': 'commerce.productListViews',
    'initiateCheckout': 'commerce.checkouts',
    'placeOrder': 'commerce.purchases',
    'signIn': 'userAccount.login',
    'signOut': 'userAccount.logout',
    'createAccount': 'userAccount.createProfile',
    'editAccount': 'userAccount.updateProfile',
    'searchRequestSent': 'searchRequest',
    'searchResponseReceived': 'searchResponse',
}
NAME_BY_TYPE = {v: k for k, v in TYPES.items()}
# what the journey's server-side steps must produce, once each
SERVER_JOURNEY = ['openCart', 'addToCart', 'shoppingCartView', 'initiateCheckout', 'signIn', 'signOut']
UUID4 = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')


def storefront_events(edge):
    return [e for e in edge.events() if dig(e, 'xdm.eventType') in NAME_BY_TYPE]


def fpid_of(xdm):
    ids = dig(xdm, 'identityMap.FPID') or []
    return ids[0].get('id') if ids else None


def sql(query):
    p = subprocess.run(['mariadb', '-uroot', '-N', '-e', query, DB], capture_output=True, text=True)
    if p.returncode:
        raise Fail(f'mariadb: {p.stderr.strip()}')
    return p.stdout.strip()


def cli(*a):
    rc, out = xr.cli(*a)
    if rc:
        raise Fail(f'bin/magento {" ".join(a)}: {out.strip()[-300:]}')


def set_website_config(values):
    """values: {path: value or None (deleted)} at the base website; config and page caches cleaned."""
    for path, value in values.items():
        sql(f"delete from core_config_data where path='{path}' and scope='websites' and scope_id=1")
        if value is not None:
            sql(f"insert into core_config_data (scope, scope_id, path, value) values ('websites', 1, '{path}', '{value}')")
    cli('cache:clean', 'config', 'full_page')


def journey(product_path, email, cookies=(), search=None):
    """Runs journey.js; its JSON record."""
    out = tempfile.NamedTemporaryFile(prefix='xr-journey-', suffix='.json', delete=False).name
    opts = {'base': xr.MAGENTO_URL, 'productPath': product_path, 'email': email, 'password': PASSWORD,
            'cookies': [{'name': n, 'value': v} for n, v in cookies], 'out': out,
            'pageCacheDir': os.path.join(xr.MAGENTO_SRC, 'var', 'page_cache'), 'search': search}
    p = subprocess.run(['node', os.path.join(HERE, 'journey.js'), json.dumps(opts)], capture_output=True, text=True,
                       timeout=300)
    try:
        rec = json.load(open(out))
    except (OSError, ValueError):
        raise Fail(f'journey.js wrote no record (exit {p.returncode}): {(p.stderr or p.stdout).strip()[-500:]}')
    finally:
        if os.path.exists(out):
            os.unlink(out)
    if rec.get('failure'):
        raise Fail(f'the journey itself failed at {rec["failure"]}')
    return rec


def wait_quiet(edge, seconds):
    """Until the emulator's accepted-event count has not moved for 2 s (at most `seconds`)."""
    last, deadline = None, time.time() + seconds
    while time.time() < deadline:
        n = edge.stats()['eventsAccepted']
        if n == last:
            return
        last = n
        time.sleep(2)


CHECKS = []


def check(name):
    def deco(fn):
        CHECKS.append((name, fn))
        return fn
    return deco


class Ctx:
    def __init__(self):
        self.rest = xr.Rest().login_admin()
        self.edge = xr.Edge()
        self.sku = f'XR-SF-{RUN.upper()}'
        self.rest.product(self.sku, 25.0, name=f'Relay Beacon Tee {RUN}')
        self.product_path = f'/xr-{self.sku.lower()}.html'
        self.email = f'sf.{RUN}@example.com'
        self.rest.create_customer(self.email, password=PASSWORD)
        self.results = []

    def ok(self, cond, what):
        if not cond:
            raise Fail(what)


# 1. the journey ---------------------------------------------------------------------------------
@check('journey')
def journey_check(c):
    st0 = c.edge.stats()
    before = {e['xdm']['_id'] for e in storefront_events(c.edge)}
    rec = journey(c.product_path, c.email)
    lines = []

    # the browser: beacons (POST, JSON, Origin = the store), answers, the FPID cookie
    beacons = rec['beacons']
    refused = [b for b in beacons if b['status'] != 204]
    c.ok(not refused, f'beacons refused by the endpoint: {refused[:3]}')
    c.ok(all(b['method'] == 'POST' and (b['contentType'] or '').startswith('application/json') for b in beacons),
         f'beacons not POSTed as application/json: {beacons[:2]}')
    c.ok(all(b['origin'] == xr.MAGENTO_URL for b in beacons),
         f'Chromium sent Origin {sorted({str(b["origin"]) for b in beacons})}, expected {xr.MAGENTO_URL}')
    sent = Counter(b['event'] for b in beacons)
    c.ok(sent['productPageView'] == 2, f'productPageView beacons: {sent["productPageView"]}, expected 2')
    visits = [s for s in rec['steps'] if s['step'] not in ('add to cart', 'sign in')]
    c.ok(sent['pageView'] >= len(visits), f'{sent["pageView"]} pageView beacons for {len(visits)} page loads')
    c.ok(not rec['pageErrors'], f'uncaught errors in the pages: {rec["pageErrors"][:3]}')
    fpids = [ck for ck in rec['cookies'] if ck['name'] == 'xdm_relay_fpid']
    c.ok(len(fpids) == 1 and UUID4.match(fpids[0]['value']), f'FPID cookie: {fpids}')
    fpid = fpids[0]['value']
    # the full-page cache: the first visit stored the product page, the second was served from it
    writes = {s['step']: s.get('cacheWrites') for s in rec['steps']}
    first, second = writes['product (first visit)'], writes['product (second visit)']
    c.ok(first and first > 0 and second == 0, f'full-page cache entries written by the product page visits: '
                                              f'{first}, {second} (expected some, then none: a cache hit)')
    lines.append(f'product page: first visit stored in the full-page cache ({first} entries), second served from it')

    # the emulator: every accepted beacon and the server's events, once each
    expected = Counter({'pageView': sent['pageView'], 'productPageView': 2})
    expected.update(SERVER_JOURNEY)

    def arrived():
        return [e for e in storefront_events(c.edge) if e['xdm']['_id'] not in before]
    xr.wait_until(lambda: Counter(NAME_BY_TYPE[e['xdm']['eventType']] for e in arrived()) >= expected,
                  args.settle, 0.5)
    wait_quiet(c.edge, 10)
    got_events = arrived()
    got = Counter(NAME_BY_TYPE[e['xdm']['eventType']] for e in got_events)
    c.ok(got == expected, f'events received {dict(got)}, expected {dict(expected)}')
    ids = Counter(e['xdm']['_id'] for e in got_events)
    c.ok(len(ids) == len(got_events), f'duplicate _ids: {[i for i, n in ids.items() if n > 1][:3]}')

    # identity: one primary, the FPID, the browser's cookie on every event; Email once signed in
    for e in got_events:
        xdm = e['xdm']
        name = NAME_BY_TYPE[xdm['eventType']]
        prim = [(ns, i['id']) for ns, lst in (xdm.get('identityMap') or {}).items() for i in lst if i.get('primary')]
        c.ok(prim == [('FPID', fpid)], f'{name}: primary identities {prim}, expected FPID {fpid}')
    url_of = {s['step']: s['url'] for s in rec['steps']}
    signed_in_url = url_of.get('signed in (account page)')
    for e in got_events:
        xdm = e['xdm']
        name = NAME_BY_TYPE[xdm['eventType']]
        emails = [i['id'] for i in dig(xdm, 'identityMap.Email') or []]
        url = dig(xdm, 'web.webPageDetails.URL')
        if name == 'signIn' or (name == 'pageView' and url == signed_in_url):
            c.ok(emails == [c.email], f'{name} {url or ""} after sign-in: Email {emails}, expected {c.email}')
        elif name in ('pageView', 'productPageView') and url in (url_of['home'], url_of['product (first visit)']):
            c.ok(not emails, f'{name} {url} before sign-in carries Email {emails}')
    # the product views carry the catalog's product, not the browser's word
    for e in got_events:
        if e['xdm']['eventType'] == TYPES['productPageView']:
            sku = dig(e['xdm'], 'productListItems.0.SKU')
            c.ok(sku == c.sku, f'productPageView SKU {sku!r}, expected {c.sku}')
            c.ok(dig(e['xdm'], 'productListItems.0.name') == f'Relay Beacon Tee {RUN}',
                 f'productPageView name {dig(e["xdm"], "productListItems.0.name")!r}')
    # strict XDM: nothing rejected, nothing refused while the journey ran
    st1 = c.edge.stats()
    c.ok(st1['invalidXdm'] == st0['invalidXdm'], f'{st1["invalidXdm"] - st0["invalidXdm"]} requests rejected as invalid XDM')
    bad = {k: v - st0['requestsByStatus'].get(k, 0) for k, v in st1['requestsByStatus'].items()
           if not k.startswith('2') and v != st0['requestsByStatus'].get(k, 0)}
    c.ok(not bad, f'requests refused by the emulator: {bad}')
    lines.append(f'{len(got_events)} events {dict(got)}, FPID {fpid} on all, strict-XDM valid')
    return lines


# 2. consent -------------------------------------------------------------------------------------
def no_events_journey(c, label, cookies=()):
    before = {e['xdm']['_id'] for e in storefront_events(c.edge)}
    rec = journey(c.product_path, c.email, cookies)
    c.ok(not rec['beacons'], f'{label}: the browser sent {len(rec["beacons"])} beacons')
    fp = [ck for ck in rec['cookies'] if ck['name'] == 'xdm_relay_fpid']
    c.ok(not fp, f'{label}: FPID cookie set: {fp}')
    wait_quiet(c.edge, 10)
    time.sleep(3)
    new = [e for e in storefront_events(c.edge) if e['xdm']['_id'] not in before]
    c.ok(not new, f'{label}: {len(new)} storefront events sent: {Counter(e["xdm"]["eventType"] for e in new)}')
    return f'{label}: {len(rec["steps"])} steps, no beacon, no FPID cookie, no event'


@check('consent')
def consent_check(c):
    lines = []
    set_website_config({'web/cookie/cookie_restriction': '1'})
    try:
        lines.append(no_events_journey(c, 'Cookie Restriction Mode on, not accepted'))
    finally:
        set_website_config({'web/cookie/cookie_restriction': None})
    lines.append(no_events_journey(c, 'mg_dnt cookie', cookies=[('mg_dnt', '1')]))
    return lines


# 3. search events -------------------------------------------------------------------------------
@check('search')
def search_check(c):
    """Live Search's events as Adobe's data layer carries them (research storefront.md §1.3)."""
    rid = str(uuid.uuid4())
    request = {'event': 'search-request-sent', 'eventInfo': {'searchUnitId': 'searchbar', 'searchInputContext': {
        'units': [{'searchUnitId': 'searchbar', 'searchRequestId': rid, 'queryTypes': ['products'], 'phrase': 'relay tee',
                   'pageSize': 12, 'currentPage': 1, 'sort': [{'attribute': 'price', 'direction': 'ASC'}],
                   'filter': [{'attribute': 'color', 'in': ['Black', 'Blue']},
                              {'attribute': 'price', 'range': {'from': 10, 'to': 50}}]}]}}}
    response = {'event': 'search-response-received', 'eventInfo': {'searchUnitId': 'searchbar', 'searchResultsContext': {
        'units': [{'searchUnitId': 'searchbar', 'searchRequestId': rid, 'productCount': 1, 'page': 1, 'perPage': 12,
                   'products': [{'sku': c.sku, 'name': f'Relay Beacon Tee {RUN}', 'url': xr.MAGENTO_URL + c.product_path,
                                 'imageUrl': xr.MAGENTO_URL + '/media/tee.jpg', 'rank': 1}],
                   'suggestions': [{'suggestion': 'relay tee black', 'rank': 1}], 'categories': []}]}}}
    before = {e['xdm']['_id'] for e in storefront_events(c.edge)}
    rec = journey(c.product_path, c.email, search={'request': request, 'response': response})
    sent = {b['event']: b['status'] for b in rec['beacons'] if b['event'] != 'pageView'}
    c.ok(all(b['status'] == 204 for b in rec['beacons']), f'beacons refused or unanswered: {rec["beacons"]}')
    c.ok(sent == {'searchRequestSent': 204, 'searchResponseReceived': 204}, f'search beacons: {sent}')
    fpid = next((ck['value'] for ck in rec['cookies'] if ck['name'] == 'xdm_relay_fpid'), None)

    def arrived():
        return {e['xdm']['eventType']: e['xdm'] for e in storefront_events(c.edge)
                if e['xdm']['_id'] not in before and e['xdm']['eventType'] in ('searchRequest', 'searchResponse')}
    xr.wait_until(lambda: len(arrived()) == 2, args.settle, 0.5)
    got = arrived()
    c.ok(set(got) == {'searchRequest', 'searchResponse'}, f'search events received: {sorted(got)}')
    req, resp = got['searchRequest'], got['searchResponse']
    c.ok(dig(req, 'siteSearch.query') == 'relay tee', f'siteSearch.query {dig(req, "siteSearch.query")!r}')
    c.ok(dig(req, 'siteSearch.sort') == [{'attribute': 'price', 'order': 'ASC'}], f'siteSearch.sort {dig(req, "siteSearch.sort")}')
    filters = {f['attribute']: (f.get('value'), f.get('isRange')) for f in dig(req, 'siteSearch.filter') or []}
    c.ok(filters == {'color': (['Black', 'Blue'], False), 'price': (['10', '50'], True)}, f'siteSearch.filter {filters}')
    c.ok(dig(resp, 'siteSearch.numberOfResults') == 1 and dig(resp, 'siteSearch.suggestions') == ['relay tee black'],
         f'searchResponse siteSearch {dig(resp, "siteSearch")}')
    c.ok(dig(resp, 'productListItems.0.SKU') == c.sku, f'searchResponse products {resp.get("productListItems")}')
    for x in (req, resp):
        c.ok(fpid_of(x) == fpid, f'{x["eventType"]}: FPID {fpid_of(x)}, the cookie is {fpid}')
    return [f'searchRequest (query, sort, 2 filters) and searchResponse (1 result, suggestion) from the data layer, FPID {fpid}']


# 4. the endpoint --------------------------------------------------------------------------------
@check('endpoint')
def endpoint_check(c):
    url = xr.MAGENTO_URL + '/xdmrelay/collect'
    page = xr.MAGENTO_URL + c.product_path
    browser = xr.Browser()
    base_headers = {'Content-Type': 'application/json', 'Origin': xr.MAGENTO_URL}

    def post(body, headers=None, session=browser):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(url, data=raw, method='POST')
        for k, v in (base_headers if headers is None else headers).items():
            req.add_header(k, v)
        try:
            with session.opener.open(req, timeout=30) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), dict(e.headers)

    def beacon(**over):
        b = {'event': 'pageView', 'eventId': str(uuid.uuid4()), 'url': page, 'referrer': '', 'pageType': 'Product',
             'pageName': page_name}
        b.update(over)
        return {k: v for k, v in b.items() if v is not None}

    # every beacon of this check names its page so; events of the other checks still on their way
    # (a shopper's journey's last beacons) do not count here
    page_name = f'Relay endpoint {RUN}'
    before = {e['xdm']['_id'] for e in storefront_events(c.edge)}
    lines = []
    refusals = [
        ('GET', None, None, 404, None),
        ('foreign Origin', beacon(), {'Content-Type': 'application/json', 'Origin': 'http://evil.example'}, 403, 'Origin'),
        ('no Origin, no Referer', beacon(), {'Content-Type': 'application/json'}, 403, 'Origin'),
        ('not JSON', b'{"event": ', None, 400, 'body'),
        ('bad fields', {'event': 'pageview', 'eventId': 'x', 'url': 'http://evil.example/', 'extra': 1}, None, 400,
         ['event', 'eventId', 'url', 'extra']),
        ('unknown SKU', beacon(event='productPageView', sku='NO-SUCH-SKU-' + RUN), None, 400, 'sku'),
        ('productPageView without SKU', beacon(event='productPageView'), None, 400, 'sku'),
        ('bad search', beacon(event='searchRequestSent', search={'sort': [{'attribute': 'price', 'order': 'UP'}]}),
         None, 400, 'search.sort[0].order'),
        ('oversized body', beacon(pageName='x' * 17000), None, 413, 'body'),
    ]
    for label, body, headers, status, names in refusals:
        if label == 'GET':
            got, text, _ = xr.request('GET', url, opener=browser.opener)
            got_text = text.decode(errors='replace')
        else:
            got, got_text, hdrs = post(body, headers)
            c.ok('no-store' in (hdrs.get('Cache-Control') or ''), f'{label}: Cache-Control {hdrs.get("Cache-Control")!r}')
        c.ok(got == status, f'{label}: HTTP {got} {got_text[:200]}, expected {status}')
        if names:
            err = json.loads(got_text).get('error', '')
            for n in ([names] if isinstance(names, str) else names):
                c.ok(n in err, f'{label}: the error {err!r} does not name {n}')
    lines.append(f'refused as documented: {", ".join(r[0] for r in refusals)}')

    # consent at the endpoint: mg_dnt -> 403 and no FPID cookie
    dnt = xr.Browser()
    dnt.add_cookie('mg_dnt', '1')
    got, text, hdrs = post(beacon(), session=dnt)
    c.ok(got == 403, f'mg_dnt: HTTP {got} {text[:200]}, expected 403')
    c.ok(dnt.cookie('xdm_relay_fpid') is None, 'mg_dnt: the FPID cookie was set')

    # Cookie Restriction Mode without consent: 403, no FPID cookie; the website's beacon off: 404
    # (both settings are put back whatever happens, before anything is judged)
    crm = xr.Browser()
    set_website_config({'web/cookie/cookie_restriction': '1'})
    try:
        crm_got, crm_text, _ = post(beacon(), session=crm)
        set_website_config({'web/cookie/cookie_restriction': None, 'xdm_relay/storefront/beacon': '0'})
        got, text, _ = post(beacon(), session=xr.Browser())
        off_html = xr.request('GET', page)[1].decode(errors='replace')
    finally:
        set_website_config({'web/cookie/cookie_restriction': None, 'xdm_relay/storefront/beacon': None})
    c.ok(crm_got == 403, f'Cookie Restriction Mode without consent: HTTP {crm_got} {crm_text[:200]}, expected 403')
    c.ok(crm.cookie('xdm_relay_fpid') is None, 'Cookie Restriction Mode: the FPID cookie was set')
    c.ok(got == 404, f'beacon off for the website: HTTP {got} {text[:200]}, expected 404')
    c.ok('xdmrelay-page' not in off_html and 'beacon.js' not in off_html, 'beacon off: the page still carries it')
    on_html = xr.request('GET', page)[1].decode(errors='replace')
    m = re.search(r'<script[^>]*id="xdmrelay-page"[^>]*>(.*?)</script>', on_html)
    facts = json.loads(m.group(1)) if m else {}
    c.ok(facts.get('sku') == c.sku and facts.get('pageType') == 'Product' and 'beacon.js' in on_html,
         f'beacon on: product page facts {facts}')
    lines.append('mg_dnt and Cookie Restriction Mode without consent: 403, no FPID cookie; beacon off: 404')

    # a good beacon in a new session: 204, no-store, the FPID cookie; then the session's rate limit
    # (the refusals above count in their own session: every request past the consent check does)
    browser = xr.Browser()
    got, text, hdrs = post(beacon(), session=browser)
    c.ok(got == 204, f'a good pageView: HTTP {got} {text[:200]}')
    c.ok('no-store' in (hdrs.get('Cache-Control') or ''), f'204: Cache-Control {hdrs.get("Cache-Control")!r}')
    fp = [ck.value for ck in browser.jar if ck.name == 'xdm_relay_fpid']
    c.ok(len(fp) == 1, 'a good pageView set no FPID cookie')
    accepted, statuses = 1, Counter()
    for i in range(130):
        got, text, _ = post(beacon(), session=browser)
        statuses[got] += 1
        if got == 204:
            accepted += 1
        elif got == 429:
            break
    c.ok(accepted == 120 and statuses[429] == 1, f'rate limit: {accepted} accepted then {dict(statuses)}, expected '
                                                 '120 accepted then 429')
    lines.append('a session is limited to 120 events, then 429')

    # exactly the accepted ones arrived, nothing for the refused ones
    def mine():
        return [e for e in storefront_events(c.edge) if e['xdm']['_id'] not in before
                and dig(e['xdm'], 'web.webPageDetails.name') == page_name]
    xr.wait_until(lambda: len(mine()) >= accepted, args.settle, 0.5)
    wait_quiet(c.edge, 10)
    new = mine()
    c.ok(len(new) == accepted and all(fpid_of(e['xdm']) == fp[0] for e in new),
         f'{len(new)} events arrived ({Counter(fpid_of(e["xdm"]) for e in new)}), expected {accepted} for FPID {fp[0]}')
    lines.append(f'{accepted} accepted beacons arrived once each, none of the refused')
    return lines


def main():
    c = Ctx()
    failed = 0
    t0 = time.time()
    for name, fn in CHECKS:
        if args.only and name not in args.only.split(','):
            continue
        ts = time.time()
        try:
            lines = fn(c)
            print(f'PASS [storefront] {name} ({time.time() - ts:.0f}s)')
            for line in lines:
                print(f'     {line}')
        except (Fail, AssertionError, KeyError, TypeError, ValueError) as e:
            failed += 1
            print(f'FAIL [storefront] {name} ({time.time() - ts:.0f}s)\n     -> {type(e).__name__}: {e}')
        sys.stdout.flush()
    print(f'storefront: {failed} failed, {time.time() - t0:.0f}s')
    return 1 if failed else 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Fail as e:
        print(f'FAIL [storefront] setup: {e}')
        sys.exit(1)
