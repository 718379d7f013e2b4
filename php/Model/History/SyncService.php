<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\History;

use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Framework\Api\SortOrderBuilder;
use Magento\Framework\FlagManager;
use Magento\Sales\Api\OrderRepositoryInterface;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\EventName;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Model\PayloadBuilder;

/**
 * Sends past orders as historicalOrder events. Pages by entity_id inside the created_at range
 * (constant memory on millions of orders), keeps a cursor so an interrupted sync resumes where it
 * stopped, and paces itself to an events-per-second budget.
 */
class SyncService
{
    public const CURSOR_FLAG = 'xdm_relay_history_cursor';

    /**
     * @param OrderRepositoryInterface $orders
     * @param SearchCriteriaBuilder $criteria
     * @param SortOrderBuilder $sortOrders
     * @param FlagManager $flags
     * @param PayloadBuilder $payloads
     * @param Config $config
     * @param Extension $extension
     */
    public function __construct(
        private readonly OrderRepositoryInterface $orders,
        private readonly SearchCriteriaBuilder $criteria,
        private readonly SortOrderBuilder $sortOrders,
        private readonly FlagManager $flags,
        private readonly PayloadBuilder $payloads,
        private readonly Config $config,
        private readonly Extension $extension
    ) {
    }

    /**
     * Orders in the range (for the progress bar).
     *
     * @param Range $range
     * @param int|null $websiteId
     * @return int
     */
    public function count(Range $range, ?int $websiteId): int
    {
        $this->filter($range, 0);
        $this->criteria->setPageSize(1);
        return (int) $this->orders->getList($this->criteria->create())->getTotalCount();
    }

    /**
     * Send (or, dry, map) every order of the range, from where an interrupted run stopped.
     *
     * @param Range $range
     * @param int|null $websiteId only this website's orders (null: all)
     * @param int $batch orders read per page
     * @param bool $dryRun map without sending
     * @param callable $progress called after each order with (int $sent, int $lastId)
     * @param callable|null $sleep waits the given microseconds (tests replace it)
     * @return array{sent: int, failed: int, resumed_from: int}
     */
    public function run(
        Range $range,
        ?int $websiteId,
        int $batch,
        bool $dryRun,
        callable $progress,
        ?callable $sleep = null
    ): array {
        $sleep ??= static fn (int $us) => usleep($us);
        $cursor = $this->cursor($range, $websiteId);
        $resumedFrom = $cursor;
        $perSecond = $this->config->historyEventsPerSecond($websiteId);
        $interval = (int) (1_000_000 / $perSecond);
        $sent = $failed = 0;
        if (!$dryRun) {
            $this->extension->configure($this->config->extensionSettings());
        }
        while (true) {
            $this->filter($range, $cursor);
            $this->criteria->setPageSize($batch)->setCurrentPage(1);
            $page = $this->orders->getList($this->criteria->create())->getItems();
            if (!$page) {
                break;
            }
            foreach ($page as $order) {
                $cursor = (int) $order->getId();
                $orderWebsite = $this->payloads->websiteId($order);
                if ($websiteId !== null && (string) $orderWebsite !== (string) $websiteId) {
                    continue;
                }
                $started = hrtime(true);
                try {
                    $payload = $this->payloads->order($order);
                    if ($dryRun) {
                        $this->extension->map(EventName::HISTORICAL_ORDER, $payload);
                    } else {
                        $destination = $this->config->historyDestination($orderWebsite);
                        $this->extension->emit(EventName::HISTORICAL_ORDER, $payload, $destination);
                    }
                    $sent++;
                } catch (\InvalidArgumentException) {
                    $failed++;
                }
                $progress($sent, $cursor);
                $spent = (int) ((hrtime(true) - $started) / 1000);
                if (!$dryRun && $spent < $interval) {
                    $sleep($interval - $spent);
                }
            }
            if (!$dryRun) {
                $this->saveCursor($range, $websiteId, $cursor);
            }
        }
        if (!$dryRun) {
            $this->flags->deleteFlag(self::CURSOR_FLAG);
        }
        return ['sent' => $sent, 'failed' => $failed, 'resumed_from' => $resumedFrom];
    }

    /**
     * Criteria: orders of the range after $afterId, by id.
     *
     * @param Range $range
     * @param int $afterId
     * @return void
     */
    private function filter(Range $range, int $afterId): void
    {
        $this->criteria
            ->addFilter('created_at', $range->from->format('Y-m-d H:i:s'), 'gteq')
            ->addFilter('created_at', $range->to->format('Y-m-d H:i:s'), 'lteq')
            ->addFilter('entity_id', $afterId, 'gt')
            ->addSortOrder($this->sortOrders->setField('entity_id')->setAscendingDirection()->create());
    }

    /**
     * Where an interrupted sync of the same range and website stopped (0: from the start).
     *
     * @param Range $range
     * @param int|null $websiteId
     * @return int
     */
    private function cursor(Range $range, ?int $websiteId): int
    {
        $saved = $this->flags->getFlagData(self::CURSOR_FLAG);
        return is_array($saved)
            && ($saved['range'] ?? null) === $range->key()
            && ($saved['website'] ?? null) === $websiteId
            ? (int) $saved['last_id'] : 0;
    }

    /**
     * Remember how far the sync got.
     *
     * @param Range $range
     * @param int|null $websiteId
     * @param int $lastId
     * @return void
     */
    private function saveCursor(Range $range, ?int $websiteId, int $lastId): void
    {
        $cursor = ['range' => $range->key(), 'website' => $websiteId, 'last_id' => $lastId];
        $this->flags->saveFlag(self::CURSOR_FLAG, $cursor);
    }
}
