<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\AccountCreation;
use XdmRelay\Connector\Model\CustomerEvents;

/**
 * Customer_delete_commit_after: accountDeleted and profileDeleted.
 *
 * A sign-up that Magento rolls back by deleting the customer it just created was never
 * announced, so its deletion is not either.
 */
class CustomerDeleted implements ObserverInterface
{
    /**
     * @param AccountCreation $creation
     * @param CustomerEvents $events
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly AccountCreation $creation,
        private readonly CustomerEvents $events,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $customer = $observer->getEvent()->getCustomer() ?? $observer->getEvent()->getDataObject();
            if (!is_object($customer) || $this->creation->withdraw((string) $customer->getId())) {
                return;
            }
            $this->events->deleted($customer);
        } catch (\Throwable $e) {
            $message = 'XDM Relay: customer delete observer failed: ' . $e->getMessage();
            $this->logger->error($message, ['exception' => $e]);
        }
    }
}
