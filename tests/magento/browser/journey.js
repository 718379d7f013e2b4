#!/usr/bin/env node
/*
 * A shopper's journey through the real Luma store in headless Chromium (playwright-core driving
 * Debian's /usr/bin/chromium): home -> product page twice -> add to cart -> cart -> checkout
 * start -> sign in -> sign out. Records what the browser did and saw; tests/magento/browser/
 * storefront.py checks it against what the Edge emulator received.
 *
 * usage: node journey.js '<json options>'
 *   {base, productPath, email, password, cookies?: [{name, value}], pageCacheDir, out, search?}
 * With `search` ({request, response}: Adobe data layer events), the page is the home page with a
 * stand-in for Adobe's client data layer (what Live Search publishes through), and the two
 * events are published on it once the page has loaded; nothing else happens.
 * Writes {steps: [{step, url, status, cacheWrites}], beacons: [{event, eventId, sku?, pageType,
 * url, status, origin, contentType}], cookies: [{name, value, httpOnly}], consoleErrors: [],
 * pageErrors: []} to `out`. cacheWrites: entries of Magento's full-page cache (the file backend
 * in pageCacheDir) written while the step ran; 0 for a page served from the cache (Magento says
 * HIT/MISS in a header only in developer mode). Exit status 1 when a step of the journey itself failed (the page, not the events).
 */
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

const opts = JSON.parse(process.argv[2]);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT_MS = 60000;

// The part of Adobe's client data layer the beacon uses: push(fn) calls fn with the layer's API;
// push(event) notifies the listeners of event.event.
function installDataLayer() {
    const listeners = {};
    const api = { addEventListener: (name, fn) => { (listeners[name] = listeners[name] || []).push(fn); } };
    const layer = [];
    layer.push = (item) => {
        if (typeof item === 'function') { item(api); return; }
        Array.prototype.push.call(layer, item);
        (listeners[item && item.event] || []).forEach((fn) => fn(item));
    };
    window.adobeDataLayer = layer;
}

// Cache entry files modified since `since` (ms); the tag index files do not count.
function cacheWritesSince(dir, since) {
    let n = 0;
    const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = `${d}/${e.name}`;
            if (e.isDirectory()) {
                if (e.name !== 'mage-tags') walk(p);
            } else if (fs.statSync(p).mtimeMs >= since) {
                n++;
            }
        }
    };
    if (dir && fs.existsSync(dir)) walk(dir);
    return n;
}

async function main() {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const out = { steps: [], beacons: [], cookies: [], consoleErrors: [], pageErrors: [] };
    const pending = new Set();
    try {
        const context = await browser.newContext();
        if (opts.cookies && opts.cookies.length) {
            await context.addCookies(opts.cookies.map((c) => ({ name: c.name, value: c.value, url: opts.base })));
        }
        const page = await context.newPage();
        page.setDefaultTimeout(STEP_TIMEOUT_MS);
        page.on('pageerror', (e) => out.pageErrors.push(String(e)));
        page.on('console', (m) => { if (m.type() === 'error') out.consoleErrors.push(m.text()); });
        // Every beacon the page sends, with the answer it got. The body of a sendBeacon Blob is
        // only visible to request interception, which passes the request on unchanged.
        const records = new Map();
        const record = (req) => {
            if (!records.has(req)) {
                const rec = { method: req.method(), status: null };
                records.set(req, rec);
                out.beacons.push(rec);
            }
            return records.get(req);
        };
        await context.route('**/xdmrelay/collect**', async (route) => {
            const raw = route.request().postDataBuffer();
            let body = {};
            try { body = JSON.parse(raw ? raw.toString('utf8') : '{}'); } catch (e) { body = { unparsable: String(raw) }; }
            Object.assign(record(route.request()), { event: body.event, eventId: body.eventId, sku: body.sku,
                pageType: body.pageType, url: body.url });
            await route.continue();
        });
        context.on('request', (req) => {
            if (!req.url().includes('/xdmrelay/collect')) return;
            const rec = record(req);
            const p = (async () => {
                // the headers Chromium really sent (Origin is not among the provisional ones)
                const headers = await req.allHeaders();
                rec.origin = headers.origin || null;
                rec.contentType = headers['content-type'] || null;
                const r = await req.response();
                rec.status = r ? r.status() : null;
            })().catch((e) => { rec.error = String(e); }).finally(() => { rec.answered = true; });
            pending.add(p);
            p.finally(() => pending.delete(p));
        });

        let current = 'start';
        async function visit(step, path) {
            current = step;
            const since = Date.now() - 5;
            const resp = await page.goto(opts.base + path, { waitUntil: 'load' });
            const rec = { step, url: page.url(), status: resp ? resp.status() : null };
            out.steps.push(rec);
            await settle();
            rec.cacheWrites = cacheWritesSince(opts.pageCacheDir, since);
        }
        // Polls `cond` every 100 ms; false when it still does not hold after `ms`.
        async function until(cond, ms) {
            for (const end = Date.now() + ms; !cond(); await page.waitForTimeout(100)) {
                if (Date.now() > end) return false;
            }
            return true;
        }
        // The deferred beacon posts after the load event; wait until the network is quiet and every
        // beacon seen so far has its answer (networkidle alone returns at once on an idle page, and
        // Playwright reports a sendBeacon request a moment after the page sent it).
        async function settle() {
            await page.waitForLoadState('networkidle').catch(() => {});
            await until(() => out.beacons.every((b) => b.answered), STEP_TIMEOUT_MS);
            await Promise.all([...pending]);
        }

        async function searchEvents() {
            await page.addInitScript(installDataLayer);
            await visit('home (with a data layer)', '/');
            current = 'search events';
            const before = out.beacons.length;
            await page.evaluate((events) => { events.forEach((e) => window.adobeDataLayer.push(e)); },
                [opts.search.request, opts.search.response]);
            // the two search beacons leave synchronously from push(); wait until both are seen
            if (!await until(() => out.beacons.length >= before + 2, STEP_TIMEOUT_MS)) {
                throw new Error(`${out.beacons.length - before} search beacons seen, expected 2`);
            }
            await settle();
        }
        async function shop() {
            await visit('home', '/');
            await visit('product (first visit)', opts.productPath);
            await visit('product (second visit)', opts.productPath);

            current = 'add to cart';
            await page.locator('#product-addtocart-button').click();
            // Luma adds over AJAX and shows the success message, then reloads the mini cart section.
            await page.locator('[data-ui-id="message-success"]').first().waitFor();
            out.steps.push({ step: current, url: page.url(), status: 200 });
            await settle();

            await visit('cart', '/checkout/cart/');
            await visit('checkout start', '/checkout/');

            await visit('sign-in page', '/customer/account/login/');
            current = 'sign in';
            await page.fill('#email', opts.email);
            await page.fill('#pass', opts.password);
            await Promise.all([
                page.waitForURL((u) => u.pathname.startsWith('/customer/account') && !u.pathname.includes('/login')),
                page.locator('#send2').first().click(),
            ]);
            out.steps.push({ step: 'signed in (account page)', url: page.url(), status: 200 });
            await settle();

            await visit('sign out', '/customer/account/logout/');
        }
        try {
            await (opts.search ? searchEvents() : shop());
        } catch (e) {
            out.failure = `${current}: ${e.message.split('\n')[0]}`;
        }
        await Promise.all([...pending]);
        out.cookies = (await context.cookies()).map((c) => ({ name: c.name, value: c.value, httpOnly: c.httpOnly }));
    } finally {
        await browser.close();
    }
    fs.writeFileSync(opts.out, JSON.stringify(out, null, 1));
    return out.failure ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
