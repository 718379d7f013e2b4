#!/usr/bin/env node
/*
 * Load times of one page in headless Chromium (bench/storefront_page.py).
 *
 * usage: node pageload.js '{"url": ..., "loads": N}'
 * Prints a JSON list of N load times (ms, navigation start to the end of the load event), measured
 * in one browser context so static assets are cached as for a shopper's second page, after one
 * unmeasured warm-up load; each load starts once the previous page's network is idle.
 */
'use strict';
const { chromium } = require('playwright-core');

const opts = JSON.parse(process.argv[2]);

async function main() {
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'],
    });
    try {
        const page = await (await browser.newContext()).newPage();
        const times = [];
        for (let i = 0; i <= opts.loads; i++) {
            await page.goto(opts.url, { waitUntil: 'load' });
            const t = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
            if (i > 0) times.push(Math.round(t * 10) / 10);
            // the next load starts from a quiet network, as a shopper's next click would: requests the
            // page makes after its load event (the beacon, Luma's AJAX) are not charged to the next page
            await page.waitForLoadState('networkidle');
        }
        console.log(JSON.stringify(times));
    } finally {
        await browser.close();
    }
}

main().catch((e) => { console.error(e); process.exit(1); });
