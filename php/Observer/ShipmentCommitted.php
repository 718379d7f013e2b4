<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

/** sales_order_shipment_save_commit_after → orderItemsShipped. */
class ShipmentCommitted extends DocumentCommitted
{
    protected function event(): string
    {
        return 'orderItemsShipped';
    }

    protected function documentKey(): string
    {
        return 'shipment';
    }
}
