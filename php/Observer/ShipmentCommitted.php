<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use XdmRelay\Connector\Model\EventName;

/**
 * Sales_order_shipment_save_commit_after → orderItemsShipped, and orderShipmentCompleted when
 * this shipment leaves nothing of a physical order to ship.
 *
 * The order's state cannot tell: it becomes complete only when everything is invoiced too,
 * virtual orders become complete without shipping, and refunded orders go to closed.
 */
class ShipmentCommitted extends DocumentCommitted
{
    /**
     * @inheritdoc
     */
    protected function event(): string
    {
        return EventName::ORDER_ITEMS_SHIPPED;
    }

    /**
     * @inheritdoc
     */
    protected function documentKey(): string
    {
        return 'shipment';
    }

    /**
     * @inheritdoc
     */
    protected function send(object $order, object $document): void
    {
        parent::send($order, $document);
        if (!$order->getIsVirtual() && !$order->canShip()) {
            $guardKey = 'orderShipmentCompleted:' . $order->getId();
            $this->events->emit(EventName::ORDER_SHIPMENT_COMPLETED, $order, $guardKey, 'shipment', $document);
        }
    }
}
