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
 * Sales_order_shipment_track_save_commit_after: a tracking number added to an existing shipment.
 *
 * Adding a track leaves the shipment row unchanged, so Magento fires no shipment save event;
 * orderItemsShipped is sent again with every track (its _id includes them). Tracks saved with a
 * new shipment go out with the shipment's own event.
 */
class TrackCommitted implements ObserverInterface
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
        try {
            $track = $observer->getEvent()->getDataObject();
            $change = is_object($track) ? $this->tracker->take($track) : null;
            if ($change === null || !$change['new']) {
                return;
            }
            $shipment = $track->getShipment();
            if (!is_object($shipment) || $this->tracker->isBeingCreated($shipment)) {
                return;
            }
            $order = $shipment->getOrder();
            $guardKey = EventName::ORDER_ITEMS_SHIPPED
                . ":{$order->getId()}:{$shipment->getId()}:track:{$track->getId()}";
            $this->events->emit(EventName::ORDER_ITEMS_SHIPPED, $order, $guardKey, 'shipment', $shipment);
        } catch (\Throwable $e) {
            $message = 'XDM Relay: tracking number observer failed: ' . $e->getMessage();
            $this->logger->error($message, ['exception' => $e]);
        }
    }
}
