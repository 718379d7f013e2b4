<?php
// emit's cost on the request thread, beside a pure-PHP map + json_encode of the same document
// and a synchronous curl POST per event, measured in the same run; then the sender's throughput.
//   php -d extension=... emit_bench.php EDGE_URL SPOOL_DIR
declare(strict_types=1);
require __DIR__ . '/../tests/fixtures/mapping/payloads.php';

[$script, $edge, $spool] = $argv;
xdm_relay_configure(['edge_url' => $edge, 'spool_dir' => $spool, 'flush_interval_ms' => 50]);
$dest = ['datastream_id' => 'bench'];

function order_with(int $items, int $i): array
{
    $list = [];
    for ($k = 1; $k <= $items; $k++) {
        $list[] = simple_item($k, sprintf('SKU-%03d', $k), '1.0000', '19.9900');
    }
    return order_payload(['entity_id' => "b$items-$i", 'increment_id' => "b$items-$i", 'items' => $list]);
}

/** The baseline: the same orderPlaced document built in PHP, as a pure-PHP module would. */
function php_map(array $p): string
{
    $o = $p['order'];
    $cur = $o['order_currency_code'];
    $items = [];
    foreach ($o['items'] as $it) {
        if (!empty($it['parent_item_id'])) {
            continue;
        }
        $line = ['_id' => (string) $it['item_id'], 'SKU' => $it['sku'], 'name' => $it['name'], 'quantity' => (int) round((float) $it['qty_ordered']),
            'priceTotal' => (float) $it['row_total'], 'discountAmount' => abs((float) $it['discount_amount']), 'currencyCode' => $cur];
        foreach ($it['categories'] ?? [] as $c) {
            $line['productCategories'][] = ['categoryID' => (string) $c['id'], 'categoryName' => $c['name'], 'categoryPath' => $c['path']];
        }
        if (!empty($it['image_url'])) {
            $line['productImageUrl'] = $it['image_url'];
        }
        $items[] = $line;
    }
    $addr = static function (array $a): array {
        $lines = explode("\n", $a['street']);
        return array_filter(['street1' => $lines[0] ?? null, 'street2' => $lines[1] ?? null, 'city' => $a['city'], 'state' => $a['region'],
            'postalCode' => $a['postcode'], 'country' => $a['country_id'], 'countryCode' => $a['country_id']]);
    };
    $created = gmdate('Y-m-d\TH:i:s\Z', strtotime($o['created_at'] . ' UTC'));
    $doc = [
        '_id' => sha1('orderPlaced|' . $o['entity_id']),
        'timestamp' => $created,
        'eventType' => 'commerce.backofficeOrderPlaced',
        'identityMap' => ['Email' => [['id' => strtolower(trim($o['customer_email'])), 'authenticatedState' => 'ambiguous', 'primary' => true]]],
        'personalEmail' => ['address' => trim($o['customer_email'])],
        'commerce' => [
            'order' => ['purchaseID' => $o['increment_id'], 'priceTotal' => (float) $o['grand_total'], 'currencyCode' => $cur, 'taxAmount' => (float) $o['tax_amount'],
                'discountAmount' => abs((float) $o['discount_amount']), 'createdDate' => $created,
                'payments' => [['paymentAmount' => (float) $o['payment']['amount_ordered'], 'paymentType' => 'check', 'currencyCode' => $cur]]],
            'shipping' => ['shippingMethod' => $o['shipping_description'], 'shippingAmount' => (float) $o['shipping_amount'], 'currencyCode' => $cur, 'address' => $addr($o['shipping_address'])],
            'billing' => ['address' => $addr($o['billing_address'])],
            'commerceScope' => ['websiteCode' => $p['store']['website_code'], 'storeCode' => $p['store']['store_code'], 'storeViewCode' => $p['store']['store_view_code']],
        ],
        'productListItems' => $items,
    ];
    return json_encode($doc, JSON_THROW_ON_ERROR);
}

function curl_post(string $edge, string $json): void
{
    static $h = null;
    $h ??= curl_init();
    curl_setopt_array($h, [CURLOPT_URL => "$edge/ee/v2/collect?datastreamId=bench-sync", CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => '{"events":[{"xdm":' . $json . '}]}', CURLOPT_HTTPHEADER => ['Content-Type: application/json'], CURLOPT_RETURNTRANSFER => true]);
    curl_exec($h);
}

function percentiles(array $us): array
{
    sort($us);
    $n = count($us);
    return [$us[(int) floor($n * 0.5)], $us[min($n - 1, (int) floor($n * 0.99))]];
}

function measure(int $n, callable $fn): array
{
    $t = [];
    for ($i = 0; $i < $n; $i++) {
        $s = hrtime(true);
        $fn($i);
        $t[] = (hrtime(true) - $s) / 1000;
    }
    return percentiles($t);
}

if (defined('XDM_BENCH_LIBRARY')) {
    return;
}
$rows = [];
foreach ([1, 10, 50] as $items) {
    $payloads = [];
    for ($i = 0; $i < 1000; $i++) {
        $payloads[] = order_with($items, $i);
    }
    [$ep50, $ep99] = measure(1000, fn ($i) => xdm_relay_emit('orderPlaced', $payloads[$i], $dest));
    [$bp50, $bp99] = measure(1000, fn ($i) => php_map($payloads[$i]));
    [$cp50, $cp99] = measure(200, fn ($i) => curl_post($edge, php_map($payloads[$i])));
    $rows[] = [$items, $ep50, $ep99, $bp50, $bp99, $cp50, $cp99];
    xdm_relay_flush(30.0);
}
// The realistic distance to Adobe's Edge: 50 ms added to every synchronous request.
file_get_contents("$edge/_emulator/faults", false, stream_context_create(['http' => ['method' => 'POST', 'header' => 'Content-Type: application/json',
    'content' => '{"kind":"latency","ms":50,"datastreamId":"bench-sync"}']]));
$slow = order_with(10, 99999);
[$lp50, $lp99] = measure(20, fn ($i) => curl_post($edge, php_map($slow)));
file_get_contents("$edge/_emulator/faults", false, stream_context_create(['http' => ['method' => 'DELETE']]));

echo "\nemit cost per event on the request thread (µs, same run)\n";
printf("%-8s %-22s %-28s %-22s %s\n", 'items', 'xdm_relay_emit p50/p99', 'PHP map+json_encode p50/p99', 'sync curl p50/p99', 'emit vs PHP map');
foreach ($rows as [$items, $ep50, $ep99, $bp50, $bp99, $cp50, $cp99]) {
    printf("%-8d %8.1f / %-11.1f %10.1f / %-15.1f %8.1f / %-11.1f %.2fx\n", $items, $ep50, $ep99, $bp50, $bp99, $cp50, $cp99, $ep50 / $bp50);
}
printf("sync curl with 50 ms Edge latency (10 items): p50 %.0f µs, p99 %.0f µs — %.0fx the cost of emit\n", $lp50, $lp99, $lp50 / $rows[1][1]);

// Sender throughput: 5 000 10-item orders accepted, then the time until all are delivered.
$stats0 = json_decode(file_get_contents("$edge/_emulator/stats"), true);
$batch = [];
for ($i = 0; $i < 5000; $i++) {
    $batch[] = order_with(10, 100000 + $i);
}
$s = hrtime(true);
foreach ($batch as $p) {
    xdm_relay_emit('orderPlaced', $p, $dest);
}
$accepted = (hrtime(true) - $s) / 1e9;
xdm_relay_flush(120.0);
$total = (hrtime(true) - $s) / 1e9;
$stats1 = json_decode(file_get_contents("$edge/_emulator/stats"), true);
$requests = $stats1['requests'] - $stats0['requests'];
$events = $stats1['eventsAccepted'] - $stats0['eventsAccepted'];
$size = strlen(xdm_relay_map('orderPlaced', $batch[0]));
printf("\nsender: 5000 events accepted in %.2f s, all delivered in %.2f s = %.0f events/s; %d requests, %.1f events and ~%.0f KB per request\n",
    $accepted, $total, 5000 / $total, $requests, $events / max(1, $requests), $events / max(1, $requests) * $size / 1024);
