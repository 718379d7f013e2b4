<?php
// Historical sync throughput: the module's real sync service over N synthetic orders generated
// page by page (constant memory), sent through the real extension to the emulator.
//   php -d extension=... history_bench.php EDGE_URL SPOOL_DIR [N]
declare(strict_types=1);
require __DIR__ . '/../tests/php/support/bootstrap.php';

use Magento\Framework\Api\SearchCriteria;
use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Framework\Api\SortOrderBuilder;
use Magento\Framework\DataObject;
use Magento\Framework\FlagManager;
use Magento\Sales\Api\OrderRepositoryInterface;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Model\History\Range;
use XdmRelay\Connector\Model\History\SyncService;
use XdmRelay\Connector\Test\Fixtures;
use XdmRelay\Connector\Test\TestLogger;

[$script, $edge, $spool] = $argv;
$n = (int) ($argv[3] ?? 100000);
$ext = new Extension(new TestLogger());
$f = new Fixtures($ext);
$f->scope->default['xdm_relay/general/edge_url'] = $edge;
$f->scope->default['xdm_relay/history/events_per_second'] = '1000000';
\xdm_relay_configure(['edge_url' => $edge, 'spool_dir' => $spool]);

$repo = new class ($f, $n) implements OrderRepositoryInterface {
    public function __construct(private Fixtures $f, private int $n)
    {
    }

    public function getList(SearchCriteria $c)
    {
        $after = 0;
        foreach ($c->getData('filters') as [$field, $value, $cond]) {
            if ($field === 'entity_id') {
                $after = (int) $value;
            }
        }
        $size = $c->getData('page_size') ?? $this->n;
        $items = [];
        for ($id = $after + 1; $id <= min($this->n, $after + $size); $id++) {
            $items[] = $this->f->order(['entity_id' => (string) $id, 'increment_id' => sprintf('H%09d', $id), 'created_at' => '2024-03-01 12:00:00']);
        }
        return new DataObject(['items' => $items, 'total_count' => $this->n]);
    }

    public function get($id)
    {
        return null;
    }
};
$service = new SyncService($repo, new SearchCriteriaBuilder(), new SortOrderBuilder(), new FlagManager(), $f->payloads, $f->config, $ext);
$start = hrtime(true);
$result = $service->run(new Range('2024-01-01', '2024-12-31'), null, 1000, false, static fn () => null);
$queued = (hrtime(true) - $start) / 1e9;
\xdm_relay_flush(600.0);
$total = (hrtime(true) - $start) / 1e9;
printf("\nhistorical sync: %d orders queued in %.1f s (%.0f orders/s), delivered in %.1f s (%.0f orders/s), peak memory %.0f MB\n",
    $result['sent'], $queued, $result['sent'] / $queued, $total, $result['sent'] / $total, memory_get_peak_usage(true) / 1048576);
