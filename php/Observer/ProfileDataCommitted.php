<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\AccountCreation;
use XdmRelay\Connector\Model\CustomerEvents;

/**
 * A customer's address (saved or deleted) or newsletter subscription was committed.
 *
 * These live outside the customer row: the address book, checkout's "save in address book"
 * and default billing/shipping changes fire no customer save event, nor does subscribing.
 * A profile record of the customer as it now is goes out. Saves made while the customer is
 * being created are part of the creation's own announcement.
 */
class ProfileDataCommitted implements ObserverInterface
{
    /**
     * @param AccountCreation $creation
     * @param CustomerEvents $events
     * @param LoggerInterface $logger
     * @param string $what what the observed object is, for the record's cause: address, subscription
     */
    public function __construct(
        private readonly AccountCreation $creation,
        private readonly CustomerEvents $events,
        private readonly LoggerInterface $logger,
        private readonly string $what = 'address'
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $model = $observer->getEvent()->getDataObject();
            $customerId = is_object($model) ? (string) (int) $model->getCustomerId() : '0';
            if ($customerId === '0' || $this->creation->isCreating($customerId)) {
                return;
            }
            $deleted = $model->isDeleted();
            $cause = sprintf('%s %s %s', $this->what, (string) $model->getId(), $deleted ? 'deleted' : 'saved');
            $this->events->profileChanged($customerId, $cause);
        } catch (\Throwable $e) {
            $message = 'XDM Relay: ' . $this->what . ' observer failed: ' . $e->getMessage();
            $this->logger->error($message, ['exception' => $e]);
        }
    }
}
