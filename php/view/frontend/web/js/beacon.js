/*
 * XDM Relay storefront beacon (docs/contract.md, "Storefront events").
 *
 * Posts pageView and productPageView for the page, and Live Search's search events when Adobe's
 * data layer publishes them, to the store's own endpoint, which validates, enriches and emits
 * them. Plain ES5 with no dependencies (no RequireJS: works on Luma and on themes without it),
 * loaded with `defer`; the page's views go out once the page has loaded. Sends nothing while the
 * shopper has not consented. Never throws into the page: every entry point catches everything.
 */
(function () {
    'use strict';

    var SEARCH_EVENTS = {
        'search-request-sent': 'searchRequestSent',
        'search-response-received': 'searchResponseReceived'
    };
    // A search event's lists are capped by the endpoint; longer ones are cut, not refused.
    var LIST_MAX = 50;

    function cookie(name) {
        var parts = document.cookie ? document.cookie.split(';') : [];
        for (var i = 0; i < parts.length; i++) {
            var eq = parts[i].indexOf('=');
            var key = (eq < 0 ? parts[i] : parts[i].slice(0, eq)).replace(/^\s+|\s+$/g, '');
            if (key === name) {
                return eq < 0 ? '' : parts[i].slice(eq + 1);
            }
        }
        return null;
    }

    // Magento's two signals (research storefront.md §3): the mg_dnt opt-out cookie, and Cookie
    // Restriction Mode's user_allowed_save_cookie ({"<websiteId>": 1} once the shopper accepts).
    function consented(facts) {
        if (facts.respectDnt && cookie('mg_dnt') !== null) {
            return false;
        }
        if (!facts.cookieRestriction) {
            return true;
        }
        var raw = cookie('user_allowed_save_cookie');
        if (raw === null) {
            return false;
        }
        try {
            var allowed = JSON.parse(decodeURIComponent(raw));
            return !!(allowed && allowed[String(facts.websiteId)]);
        } catch (e) {
            return false;
        }
    }

    function uuid() {
        var c = window.crypto;
        if (c && typeof c.randomUUID === 'function') {
            return c.randomUUID();
        }
        var b = new Uint8Array(16);
        if (c && typeof c.getRandomValues === 'function') {
            c.getRandomValues(b);
        } else {
            for (var i = 0; i < 16; i++) {
                b[i] = Math.floor(Math.random() * 256);
            }
        }
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        var h = '';
        for (var j = 0; j < 16; j++) {
            h += (b[j] + 0x100).toString(16).slice(1);
            if (j === 3 || j === 5 || j === 7 || j === 9) {
                h += '-';
            }
        }
        return h;
    }

    function post(endpoint, body) {
        var json = JSON.stringify(body);
        try {
            if (navigator.sendBeacon &&
                navigator.sendBeacon(endpoint, new Blob([json], {type: 'application/json'}))) {
                return;
            }
        } catch (e) {
            // sendBeacon refused it (e.g. its queue is full): fetch below
        }
        if (window.fetch) {
            window.fetch(endpoint, {
                method: 'POST',
                body: json,
                headers: {'Content-Type': 'application/json'},
                credentials: 'same-origin',
                keepalive: true
            })['catch'](function () {});
        }
    }

    function send(facts, event, extra) {
        // Consent is read at every send: a shopper who accepts cookies later on the page counts.
        if (!consented(facts)) {
            return;
        }
        var body = {
            event: event,
            eventId: uuid(),
            url: window.location.href,
            referrer: document.referrer || '',
            pageType: facts.pageType || 'Default',
            pageName: facts.pageName || document.title || ''
        };
        for (var k in extra) {
            if (Object.prototype.hasOwnProperty.call(extra, k)) {
                body[k] = extra[k];
            }
        }
        post(facts.endpoint, body);
    }

    function str(v) {
        return typeof v === 'string' ? v : (typeof v === 'number' ? String(v) : '');
    }

    function list(v) {
        return Object.prototype.toString.call(v) === '[object Array]' ? v.slice(0, LIST_MAX) : [];
    }

    // The unit the event is about: the one named by eventInfo.searchUnitId, else the first.
    function unit(context, id) {
        var units = list(context && context.units);
        for (var i = 0; i < units.length; i++) {
            if (units[i] && units[i].searchUnitId === id) {
                return units[i];
            }
        }
        return units[0] || null;
    }

    // Adobe's searchInput context -> the contract's `search` (request side).
    function searchRequest(info) {
        var u = unit(info.searchInputContext, info.searchUnitId);
        if (!u) {
            return null;
        }
        var search = {request_id: str(u.searchRequestId), phrase: str(u.phrase), sort: [], filters: []};
        list(u.sort).forEach(function (s) {
            if (s && s.attribute && (s.direction === 'ASC' || s.direction === 'DESC')) {
                search.sort.push({attribute: str(s.attribute), order: s.direction});
            }
        });
        list(u.filter).forEach(function (f) {
            if (!f || !f.attribute) {
                return;
            }
            var values = [];
            var isRange = false;
            if (f.eq !== undefined) {
                values = [str(f.eq)];
            } else if (f['in']) {
                values = list(f['in']).map(str);
            } else if (f.range) {
                isRange = true;
                values = [str(f.range.from), str(f.range.to)];
            }
            search.filters.push({attribute: str(f.attribute), values: values, is_range: isRange});
        });
        return search;
    }

    // Adobe's searchResults context -> the contract's `search` (response side).
    function searchResponse(info) {
        var u = unit(info.searchResultsContext, info.searchUnitId);
        if (!u) {
            return null;
        }
        var search = {request_id: str(u.searchRequestId), suggestions: [], products: []};
        if (typeof u.productCount === 'number' && u.productCount >= 0) {
            search.result_count = Math.floor(u.productCount);
        }
        list(u.suggestions).forEach(function (s) {
            if (s && s.suggestion) {
                search.suggestions.push(str(s.suggestion));
            }
        });
        list(u.products).forEach(function (p) {
            if (p && p.sku) {
                var product = {sku: str(p.sku), name: str(p.name)};
                if (p.imageUrl) {
                    product.image_url = str(p.imageUrl);
                }
                search.products.push(product);
            }
        });
        return search;
    }

    // Live Search publishes through Adobe's client data layer; a pushed function runs once the
    // data layer library is ready (at once if it already is).
    function listenForSearch(facts) {
        var layer = window.adobeDataLayer;
        if (!layer || typeof layer.push !== 'function' || layer.__xdmRelay) {
            return;
        }
        layer.__xdmRelay = true;
        layer.push(function (dl) {
            try {
                Object.keys(SEARCH_EVENTS).forEach(function (name) {
                    dl.addEventListener(name, function (e) {
                        try {
                            var info = (e && e.eventInfo) || {};
                            var event = SEARCH_EVENTS[name];
                            var search = event === 'searchRequestSent' ? searchRequest(info) : searchResponse(info);
                            if (search) {
                                send(facts, event, {search: search});
                            }
                        } catch (err) {
                            // a malformed search event is dropped, the page goes on
                        }
                    });
                });
            } catch (err) {
                // not Adobe's data layer after all
            }
        });
    }

    try {
        var el = document.getElementById('xdmrelay-page');
        var facts = el ? JSON.parse(el.textContent || 'null') : null;
        if (!facts || typeof facts.endpoint !== 'string') {
            return;
        }
        var sent = false;
        var views = function () {
            if (sent) {
                return;
            }
            sent = true;
            // With the merchant's own Web SDK on the page, it sends the page view (one emitter per event).
            if (!facts.webSdk) {
                send(facts, 'pageView', {});
            }
            if (facts.sku) {
                send(facts, 'productPageView', {sku: String(facts.sku)});
            }
        };
        listenForSearch(facts);
        var loaded = function () {
            try {
                views();
                // Live Search's scripts may create the data layer after this deferred script ran.
                listenForSearch(facts);
            } catch (e) {
                // nothing more to send
            }
        };
        // After the load event, so the beacon never competes with the page's own requests for a
        // connection or a PHP worker; a shopper leaving earlier still sends it on pagehide.
        if (document.readyState === 'complete') {
            loaded();
        } else {
            window.addEventListener('load', loaded);
            window.addEventListener('pagehide', loaded);
        }
    } catch (e) {
        // the page must never notice the beacon
    }
}());
