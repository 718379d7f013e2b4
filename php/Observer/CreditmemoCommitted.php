<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

/**
 * Sales_order_creditmemo_save_commit_after → orderLineItemRefunded.
 */
class CreditmemoCommitted extends DocumentCommitted
{
    /**
     * @inheritdoc
     */
    protected function event(): string
    {
        return 'orderLineItemRefunded';
    }

    /**
     * @inheritdoc
     */
    protected function documentKey(): string
    {
        return 'creditmemo';
    }
}
