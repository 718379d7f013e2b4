<?php
// xdm_relay_emit and xdm_relay_map beside a pure-PHP map + json_encode of the same orderPlaced
// document (emit_bench.php's php_map), 1/10/50/200 items, then of a profileRecord (a customer
// with two addresses) beside php_profile_map below; rounds interleaved in one process so the
// ratios share the machine's state. Prints medians per call (wall clock and CPU) and the ratios.
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

/** The baseline for profileRecord: the same Individual Profile document built in PHP. */
function php_profile_map(array $p): string
{
    $c = $p['customer'];
    $hash = sha1('profileRecord|' . $c['id']);
    $id = sprintf('%s-%s-5%s-%s-%s', substr($hash, 0, 8), substr($hash, 8, 4), substr($hash, 13, 3), substr($hash, 16, 4), substr($hash, 20, 12));
    $iso = static fn (string $t): string => gmdate('Y-m-d\\TH:i:s\\Z', strtotime("$t UTC"));
    $doc = [
        '_id' => $id,
        'identityMap' => ['CustomerId' => [['id' => (string) $c['id'], 'authenticatedState' => 'ambiguous', 'primary' => true]],
            'Email' => [['id' => strtolower(trim($c['email'])), 'authenticatedState' => 'ambiguous', 'primary' => false]]],
        'person' => ['name' => array_filter(['courtesyTitle' => $c['prefix'], 'firstName' => $c['firstname'], 'middleName' => $c['middlename'],
            'lastName' => $c['lastname'], 'suffix' => $c['suffix']]), 'birthDate' => $c['dob'], 'gender' => [1 => 'male', 2 => 'female'][(int) $c['gender']] ?? 'not_specified'],
        'personalEmail' => ['address' => trim($c['email'])],
    ];
    foreach ($c['addresses'] as $a) {
        $lines = explode("\n", $a['street']);
        $address = array_filter(['street1' => $lines[0] ?? null, 'street2' => $lines[1] ?? null, 'city' => $a['city'], 'state' => $a['region'],
            'postalCode' => $a['postcode'], 'country' => $a['country_id'], 'countryCode' => $a['country_id']]);
        foreach (['billing', 'shipping'] as $kind) {
            if (!empty($a["default_$kind"])) {
                $doc["{$kind}Address"] = $address;
                $doc["{$kind}AddressPhone"] = ['number' => $a['telephone'], 'primary' => false];
            }
        }
    }
    $doc['userAccount'] = ['ID' => (string) $c['id'], 'startDate' => $iso($c['created_at']), 'status' => 'active'];
    $doc['extSourceSystemAudit'] = ['createdDate' => $iso($c['created_at']), 'lastUpdatedDate' => $iso($c['updated_at'])];
    $doc['consents'] = ['marketing' => ['email' => ['val' => $c['is_subscribed'] ? 'y' : 'n', 'time' => $iso($c['updated_at'])]]];
    return json_encode($doc, JSON_THROW_ON_ERROR);
}

/** CPU time of this process (every thread) in µs. */
function cpu_us(): float
{
    $u = getrusage();
    return $u['ru_utime.tv_sec'] * 1e6 + $u['ru_utime.tv_usec'] + $u['ru_stime.tv_sec'] * 1e6 + $u['ru_stime.tv_usec'];
}

/**
 * Medians of interleaved rounds of emit, map and the PHP baseline over the same payloads, per
 * call: wall-clock time, and CPU time of the process (which the other load on a shared machine
 * hardly changes; for emit it includes the sender thread's share).
 */
function compare(string $event, array $payloads, callable $php, int $rounds, array $dest): array
{
    $n = count($payloads);
    $wall = $cpu = ['emit' => [], 'map' => [], 'php' => []];
    for ($r = 0; $r < $rounds; $r++) {
        foreach (['emit', 'map', 'php'] as $what) {
            $c = cpu_us();
            $s = hrtime(true);
            foreach ($payloads as $p) {
                match ($what) {
                    'emit' => xdm_relay_emit($event, $p, $dest),
                    'map' => xdm_relay_map($event, $p),
                    'php' => $php($p),
                };
            }
            $wall[$what][] = (hrtime(true) - $s) / 1000 / $n;
            $cpu[$what][] = (cpu_us() - $c) / $n;
        }
    }
    return [array_map('median', $wall), array_map('median', $cpu)];
}

$row = static function (string $what, array $m): void {
    [$w, $c] = $m;
    printf("%-14s %9.2f %9.2f %9.2f %7.2fx %7.2fx   %9.2f %9.2f %9.2f %7.2fx %7.2fx\n", $what, $w['emit'], $w['map'], $w['php'],
        $w['emit'] / $w['php'], $w['map'] / $w['php'], $c['emit'], $c['map'], $c['php'], $c['emit'] / $c['php'], $c['map'] / $c['php']);
};
printf("%-14s %-51s   %s\n", '', 'wall-clock µs per call', 'CPU µs per call (process)');
printf("%-14s %9s %9s %9s %8s %8s   %9s %9s %9s %8s %8s\n", 'orderPlaced', 'emit', 'map', 'PHP', 'emit/PHP', 'map/PHP', 'emit', 'map', 'PHP', 'emit/PHP', 'map/PHP');
foreach ([1, 10, 50, 200] as $items) {
    $payloads = [];
    for ($i = 0; $i < ($items >= 200 ? 60 : 300); $i++) {
        $payloads[] = order_with($items, $i);
    }
    $row("$items items", compare('orderPlaced', $payloads, 'php_map', $rounds, $dest));
}
$customers = [];
for ($i = 0; $i < 300; $i++) {
    $customers[] = ['customer' => ['id' => (string) (5000 + $i), 'email' => "Shopper.$i@Example.com"] + customer()['customer'], 'store' => customer()['store']];
}
$row('profileRecord', compare('profileRecord', $customers, 'php_profile_map', $rounds, $dest));
// Whatever the sender could not deliver stays in the spool; the bench does not wait for it.
xdm_relay_flush(1.0);
