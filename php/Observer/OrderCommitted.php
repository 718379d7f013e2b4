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
 * sales_order_save_commit_after: the order is durable. New → orderPlaced (storefront, admin and
 * API alike); state became canceled → orderCancelled; state became complete → orderShipmentCompleted.
 */
class OrderCommitted implements ObserverInterface
{
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
            $order = $observer->getEvent()->getOrder() ?? $observer->getEvent()->getDataObject();
            $change = $order ? $this->tracker->take($order) : null;
            if (!$order || $change === null) {
                return;
            }
            $websiteId = $this->payloads->websiteId($order);
            if (!$this->config->backofficeEnabled($websiteId)) {
                return;
            }
            $key = (string) $order->getId();
            $reference = 'order ' . $order->getIncrementId();
            $destination = $this->config->eventDestination($websiteId);
            $payload = fn () => $this->payloads->order($order);
            $state = (string) $order->getState();
            if ($change['new']) {
                $this->emitter->emit('orderPlaced', $payload, $destination, "orderPlaced:$key", $reference);
            }
            if ($state !== $change['state'] && $state === 'canceled') {
                $this->emitter->emit('orderCancelled', $payload, $destination, "orderCancelled:$key", $reference);
            }
            if ($state !== $change['state'] && $state === 'complete') {
                $this->emitter->emit('orderShipmentCompleted', $payload, $destination, "orderShipmentCompleted:$key", $reference);
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: order observer failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
