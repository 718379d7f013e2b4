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
 * Sales_order_save_commit_after: the order is durable.
 *
 * New → orderPlaced (storefront, admin and API alike). Cancelled → orderCancelled, whether the
 * state became canceled or Order::cancel() left it processing/complete because invoiced items
 * remain. Then whatever waited for this commit (an invoice captured online inside the order
 * save) goes out, after orderPlaced. orderShipmentCompleted is the shipment observer's.
 */
class OrderCommitted implements ObserverInterface
{
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
        $order = $observer->getEvent()->getOrder() ?? $observer->getEvent()->getDataObject();
        if (!is_object($order)) {
            return;
        }
        try {
            $change = $this->tracker->take($order);
            $cancelled = $this->tracker->takeCancelled($order);
            if ($change !== null) {
                $key = (string) $order->getId();
                if ($change['new']) {
                    $this->events->emit(EventName::ORDER_PLACED, $order, EventName::ORDER_PLACED . ":$key");
                }
                $becameCanceled = $order->getState() === 'canceled' && $change['state'] !== 'canceled';
                if ($cancelled || $becameCanceled) {
                    $this->events->emit(EventName::ORDER_CANCELLED, $order, EventName::ORDER_CANCELLED . ":$key");
                }
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: order observer failed: ' . $e->getMessage(), ['exception' => $e]);
        }
        try {
            $this->tracker->release($order);
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: held order events failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
