<?php
// "Place order" for the FPM benchmark: builds the order payload; emits it when ?emit=1.
declare(strict_types=1);
require __DIR__ . '/../tests/fixtures/mapping/payloads.php';
parse_str($_SERVER['QUERY_STRING'] ?? '', $q);
$id = (string) ($q['id'] ?? '0');
$payload = order_payload(['entity_id' => "fpmb-$id", 'increment_id' => "fpmb-$id"]);
if (($q['emit'] ?? '0') === '1') {
    xdm_relay_configure(['edge_url' => $_SERVER['XR_EDGE'], 'spool_dir' => $_SERVER['XR_SPOOL']]);
    echo xdm_relay_emit('orderPlaced', $payload, ['datastream_id' => 'bench-fpm']);
} else {
    echo md5(json_encode($payload));
}
