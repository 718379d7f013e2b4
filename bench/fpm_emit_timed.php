<?php
// One FPM request of the emit-latency benchmark (bench/fpm_latency.sh): emits ?n= ten-item
// orders and prints the time of each xdm_relay_emit call in nanoseconds, one per line.
declare(strict_types=1);
require __DIR__ . '/../tests/fixtures/mapping/payloads.php';
parse_str($_SERVER['QUERY_STRING'] ?? '', $q);
xdm_relay_configure(['edge_url' => $_SERVER['XR_EDGE'], 'spool_dir' => $_SERVER['XR_SPOOL']]);
$id = (string) ($q['id'] ?? '0');
$payloads = [];
for ($i = 0; $i < (int) ($q['n'] ?? 20); $i++) {
    $items = [];
    for ($k = 1; $k <= 10; $k++) {
        $items[] = simple_item($k, sprintf('SKU-%03d', $k), '1.0000', '19.9900');
    }
    $payloads[] = order_payload(['entity_id' => "lat-$id-$i", 'increment_id' => "lat-$id-$i", 'items' => $items]);
}
$dest = ['datastream_id' => 'bench-latency'];
foreach ($payloads as $p) {
    $s = hrtime(true);
    xdm_relay_emit('orderPlaced', $p, $dest);
    echo hrtime(true) - $s, "\n";
}
