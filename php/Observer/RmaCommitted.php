<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Emitter;
use XdmRelay\Connector\Model\PayloadBuilder;

/**
 * model_save_commit_after for Adobe Commerce RMAs: a new RMA → orderItemsReturnInitiated; its
 * status reaching closed or processed_closed → orderItemReturnCompleted.
 */
class RmaCommitted implements ObserverInterface
{
    private const DONE = ['closed', 'processed_closed'];

    public function __construct(
        private readonly ChangeTracker $tracker,
        private readonly Config $config,
        private readonly PayloadBuilder $payloads,
        private readonly Emitter $emitter,
        private readonly LoggerInterface $logger
    ) {
    }

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
            $order = $rma->getOrder();
            $websiteId = $this->payloads->websiteId($order);
            if (!$this->config->backofficeEnabled($websiteId)) {
                return;
            }
            $status = (string) $rma->getStatus();
            $event = match (true) {
                $change['new'] => 'orderItemsReturnInitiated',
                in_array($status, self::DONE, true) && !in_array((string) $change['status'], self::DONE, true) => 'orderItemReturnCompleted',
                default => null,
            };
            if ($event === null) {
                return;
            }
            $this->emitter->emit(
                $event,
                fn () => $this->payloads->order($order) + ['rma' => $this->payloads->rma($rma)],
                $this->config->eventDestination($websiteId),
                "$event:{$rma->getId()}",
                'order ' . $order->getIncrementId() . ' RMA ' . $rma->getIncrementId()
            );
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: RMA observer failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
