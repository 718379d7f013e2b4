<?php
// xdm_relay_emit and xdm_relay_map beside a pure-PHP map + json_encode of the same orderPlaced
// document (emit_bench.php's php_map), 1/10/50/200 items, rounds interleaved in one process so
// the ratios share the machine's state. Prints medians per call and the ratios.
//   php -d extension=... map_bench.php EDGE_URL SPOOL_DIR [ROUNDS]
declare(strict_types=1);

[, $edge, $spool] = $argv;
$rounds = (int) ($argv[3] ?? 15);
define('XDM_BENCH_LIBRARY', true);
require __DIR__ . '/emit_bench.php';

function median(array $xs): float
{
    sort($xs);
    return $xs[intdiv(count($xs), 2)];
}

printf("%-6s %12s %12s %14s %10s %10s\n", 'items', 'emit µs', 'map µs', 'PHP map+json', 'emit/PHP', 'map/PHP');
foreach ([1, 10, 50, 200] as $items) {
    $n = $items >= 200 ? 60 : 300;
    $payloads = [];
    for ($i = 0; $i < $n; $i++) {
        $payloads[] = order_with($items, $i);
    }
    $t = ['emit' => [], 'map' => [], 'php' => []];
    for ($r = 0; $r < $rounds; $r++) {
        foreach (['emit', 'map', 'php'] as $what) {
            $s = hrtime(true);
            foreach ($payloads as $i => $p) {
                match ($what) {
                    'emit' => xdm_relay_emit('orderPlaced', $p, $dest),
                    'map' => xdm_relay_map('orderPlaced', $p),
                    'php' => php_map($p),
                };
            }
            $t[$what][] = (hrtime(true) - $s) / 1000 / $n;
        }
    }
    [$e, $m, $b] = [median($t['emit']), median($t['map']), median($t['php'])];
    printf("%-6d %12.2f %12.2f %14.2f %9.2fx %9.2fx\n", $items, $e, $m, $b, $e / $b, $m / $b);
    xdm_relay_flush(30.0);
}
