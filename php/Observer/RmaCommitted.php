<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;
use XdmRelay\Connector\Model\EventName;
use XdmRelay\Connector\Model\OrderEvents;

/**
 * Model_save_commit_after for Adobe Commerce RMAs.
 *
 * A new RMA → orderItemsReturnInitiated; its status reaching closed or processed_closed →
 * orderItemReturnCompleted.
 */
class RmaCommitted implements ObserverInterface
{
    private const DONE = ['closed', 'processed_closed'];

    /**
     * @param ChangeTracker $tracker
     * @param OrderEvents $events
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly ChangeTracker $tracker,
        private readonly OrderEvents $events,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $rma = $observer->getEvent()->getObject();
            if (!is_object($rma) || !is_a($rma, RecordRmaChanges::RMA_CLASS)) {
                return;
            }
            $change = $this->tracker->take($rma);
            if ($change === null) {
                return;
            }
            $status = (string) $rma->getStatus();
            $completed = in_array($status, self::DONE, true) && !in_array((string) $change['status'], self::DONE, true);
            $event = match (true) {
                $change['new'] => EventName::ORDER_ITEMS_RETURN_INITIATED,
                $completed => EventName::ORDER_ITEM_RETURN_COMPLETED,
                default => null,
            };
            if ($event !== null) {
                $this->events->emit($event, $rma->getOrder(), "$event:{$rma->getId()}", 'rma', $rma);
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: RMA observer failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
