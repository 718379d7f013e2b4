<?php
// Waits until the emulator holds every event the demo's requests accepted (plus the historical
// ones), then prints what arrived. Exits 1 if anything was lost or invalid.
//   summary.php EDGE_URL SENT_JSONL HISTORICAL_COUNT TIMEOUT_SECONDS
declare(strict_types=1);

[$script, $edge, $sentFile, $historical, $timeout] = $argv;
$expected = [];
$errors = [];
foreach (file($sentFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    $r = json_decode($line, true);
    foreach ($r['sent'] ?? [] as $s) {
        $expected[$s['id']] = $s['event'];
    }
    array_push($errors, ...($r['errors'] ?? []));
}
$get = static fn (string $path) => json_decode((string) file_get_contents($edge . $path), true);
$deadline = microtime(true) + (float) $timeout;
do {
    $events = $get('/_emulator/events')['events'] ?? [];
    $seen = [];
    $historicalSeen = 0;
    foreach ($events as $e) {
        $seen[$e['xdm']['_id']] = true;
        if (str_starts_with((string) ($e['xdm']['commerce']['order']['purchaseID'] ?? ''), '9')) {
            $historicalSeen++;
        }
    }
    $lost = array_diff_key($expected, $seen);
    if (!$lost && $historicalSeen >= (int) $historical) {
        break;
    }
    usleep(250_000);
} while (microtime(true) < $deadline);
$stats = $get('/_emulator/stats');
$byType = $stats['eventsByType'] ?? [];
ksort($byType);
echo "\nEvents received by the Edge emulator, by type:\n";
foreach ($byType as $type => $n) {
    printf("  %-48s %5d\n", $type, $n);
}
$retries = ($stats['requestsByStatus']['503'] ?? 0) + ($stats['requestsByStatus']['429'] ?? 0);
printf("\n  accepted by the store's requests:   %d events (+ %d historical orders)\n", count($expected), (int) $historical);
printf("  delivered:                          %d of %d\n", count($expected) - count($lost), count($expected));
printf("  historical orders delivered:        %d of %d\n", min($historicalSeen, (int) $historical), (int) $historical);
printf("  requests refused during the outage: %d (retried with backoff, Retry-After honoured)\n", $retries);
printf("  duplicates (same _id, harmless):    %d\n", $stats['duplicates'] ?? 0);
printf("  invalid under --strict-xdm:         %d\n", $stats['invalidXdm'] ?? 0);
printf("  lost:                               %d\n", count($lost) + max(0, (int) $historical - $historicalSeen));
foreach (array_slice($errors, 0, 5) as $e) {
    echo "  observer error: $e\n";
}
$ok = !$lost && $historicalSeen >= (int) $historical && ($stats['invalidXdm'] ?? 0) === 0 && !$errors;
echo $ok ? "\nAll events delivered, none lost, none invalid.\n" : "\nSOMETHING WAS LOST OR INVALID.\n";
exit($ok ? 0 : 1);
