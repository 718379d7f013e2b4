<?php
// The demo's "bin/magento xdm-relay:history:sync": the module's real command and sync service
// over an in-memory order repository of past orders, sending through the real extension.
declare(strict_types=1);

require __DIR__ . '/../tests/php/support/bootstrap.php';

use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Framework\Api\SortOrderBuilder;
use Magento\Framework\FlagManager;
use Symfony\Component\Console\Application;
use XdmRelay\Connector\Console\Command\HistorySync;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Model\History\SyncService;
use XdmRelay\Connector\Test\Fixtures;
use XdmRelay\Connector\Test\OrderRepository;
use XdmRelay\Connector\Test\TestLogger;

$count = (int) (getenv('XR_HISTORY_ORDERS') ?: 300);
$ext = new Extension(new TestLogger());
$f = new Fixtures($ext);
$f->scope->default['xdm_relay/general/edge_url'] = (string) getenv('XR_EDGE');
$f->scope->default['xdm_relay/history/events_per_second'] = (string) (getenv('XR_HISTORY_RATE') ?: 400);
$orders = [];
$start = strtotime('-2 years');
for ($i = 1; $i <= $count; $i++) {
    $at = date('Y-m-d H:i:s', $start + $i * 3600 * 24 * 600 / $count);
    $orders[] = $f->order(['entity_id' => (string) (100000 + $i), 'increment_id' => sprintf('9%08d', $i), 'created_at' => $at, 'updated_at' => $at,
        'customer_email' => "past.buyer$i@example.com", 'state' => 'complete', 'status' => 'complete']);
}
$service = new SyncService(new OrderRepository($orders), new SearchCriteriaBuilder(), new SortOrderBuilder(), new FlagManager(), $f->payloads, $f->config, $ext);
$app = new Application('bin/magento (demo)');
$app->add(new HistorySync($service, $ext));
$app->setAutoExit(false);
exit($app->run(new Symfony\Component\Console\Input\ArgvInput(array_merge([$argv[0], 'xdm-relay:history:sync'], array_slice($argv, 1)))));
