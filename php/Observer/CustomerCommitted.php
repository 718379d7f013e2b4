<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\AccountCreation;
use XdmRelay\Connector\Model\ChangeTracker;
use XdmRelay\Connector\Model\CustomerEvents;

/**
 * Customer_save_commit_after (storefront, admin and API saves).
 *
 * A customer created by AccountManagement is announced once, complete with addresses, when the
 * creation returns (AccountCreation). An existing customer's save is news only when a field the
 * events or the profile carry changed: Magento also saves customers to store a password-reset
 * token or a failed-login count.
 */
class CustomerCommitted implements ObserverInterface
{
    /**
     * @param ChangeTracker $tracker
     * @param AccountCreation $creation
     * @param CustomerEvents $events
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly ChangeTracker $tracker,
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
            $change = is_object($customer) ? $this->tracker->take($customer) : null;
            if ($change === null) {
                return;
            }
            $id = (string) $customer->getId();
            if ($change['new'] && $this->creation->isRunning()) {
                $this->creation->add($id);
            } elseif ($change['new']) {
                $this->events->created($customer);
            } elseif ($change['changed'] && !$this->creation->isCreating($id)) {
                $this->events->updated($customer);
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: customer observer failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
