<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

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
        return 'orderInvoiced';
    }

    /**
     * @inheritdoc
     */
    protected function documentKey(): string
    {
        return 'invoice';
    }
}
