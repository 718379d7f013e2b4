<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Plugin;

use Magento\Customer\Api\AccountManagementInterface;
use Magento\Customer\Model\CustomerFactory;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\AccountCreation;
use XdmRelay\Connector\Model\CustomerEvents;

/**
 * Around AccountManagement::createAccountWithPasswordHash() (storefront sign-up, admin and REST
 * customer creation, account creation after checkout): the customers it creates are announced
 * once it returns, with their addresses and subscription, instead of at each of its saves.
 */
class AnnounceCreatedAccounts
{
    /**
     * @param AccountCreation $creation
     * @param CustomerEvents $events
     * @param CustomerFactory $customers
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly AccountCreation $creation,
        private readonly CustomerEvents $events,
        private readonly CustomerFactory $customers,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * Collect the customers created inside the call, then announce those that still exist.
     *
     * Magento deletes the customer again when an address fails to save and rethrows: such a
     * customer no longer exists and is not announced. One created and kept despite a later
     * exception (a failing confirmation e-mail) is.
     *
     * @param AccountManagementInterface $subject
     * @param callable $proceed
     * @param mixed $arguments the customer, the password hash and the redirect URL
     * @return mixed
     * @SuppressWarnings(PHPMD.UnusedFormalParameter)
     */
    public function aroundCreateAccountWithPasswordHash(
        AccountManagementInterface $subject,
        callable $proceed,
        mixed ...$arguments
    ) {
        $this->creation->begin();
        try {
            return $proceed(...$arguments);
        } finally {
            $this->announce($this->creation->end());
        }
    }

    /**
     * Announce each created customer, loaded as it is now.
     *
     * @param string[] $customerIds
     * @return void
     */
    private function announce(array $customerIds): void
    {
        foreach ($customerIds as $id) {
            try {
                $customer = $this->customers->create()->load($id);
                if ($customer->getId()) {
                    $this->events->created($customer);
                }
            } catch (\Throwable $e) {
                $message = "XDM Relay: account creation of customer $id not sent: " . $e->getMessage();
                $this->logger->error($message, ['exception' => $e]);
            }
        }
    }
}
