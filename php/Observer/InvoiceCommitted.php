<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use XdmRelay\Connector\Model\EventName;

/**
 * Sales_order_invoice_save_commit_after → orderInvoiced.
 */
class InvoiceCommitted extends DocumentCommitted
{
    /**
     * @inheritdoc
     */
    protected function event(): string
    {
        return EventName::ORDER_INVOICED;
    }

    /**
     * @inheritdoc
     */
    protected function documentKey(): string
    {
        return 'invoice';
    }
}
