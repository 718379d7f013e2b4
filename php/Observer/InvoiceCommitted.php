<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

/** sales_order_invoice_save_commit_after → orderInvoiced. */
class InvoiceCommitted extends DocumentCommitted
{
    protected function event(): string
    {
        return 'orderInvoiced';
    }

    protected function documentKey(): string
    {
        return 'invoice';
    }
}
