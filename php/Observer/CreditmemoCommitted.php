<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

/** sales_order_creditmemo_save_commit_after → orderLineItemRefunded. */
class CreditmemoCommitted extends DocumentCommitted
{
    protected function event(): string
    {
        return 'orderLineItemRefunded';
    }

    protected function documentKey(): string
    {
        return 'creditmemo';
    }
}
