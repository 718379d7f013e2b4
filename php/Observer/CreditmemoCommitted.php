<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use XdmRelay\Connector\Model\EventName;

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
        return EventName::ORDER_LINE_ITEM_REFUNDED;
    }

    /**
     * @inheritdoc
     */
    protected function documentKey(): string
    {
        return 'creditmemo';
    }
}
