<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer\Storefront;

use Magento\Customer\Model\Session as CustomerSession;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\EventName;
use XdmRelay\Connector\Model\Storefront\StorefrontEmitter;

/**
 * The shopper's account actions on the storefront: customer_login (signIn), customer_logout
 * (signOut), customer_register_success (createAccount), customer_account_edited (editAccount).
 * The back-office accountCreated/accountUpdated and profile records are sent as before.
 */
class AccountAction implements ObserverInterface
{
    /**
     * @param StorefrontEmitter $emitter
     * @param CustomerSession $customerSession
     * @param LoggerInterface $logger
     * @param string $event the storefront event this observer's Magento event means
     */
    public function __construct(
        private readonly StorefrontEmitter $emitter,
        private readonly CustomerSession $customerSession,
        private readonly LoggerInterface $logger,
        private readonly string $event = EventName::SIGN_IN
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $data = $observer->getEvent();
            $customer = $data->getCustomer();
            $identity = null;
            if (is_object($customer) && $customer->getId()) {
                $identity = ['id' => $customer->getId(), 'email' => $customer->getEmail()];
            } elseif ($this->customerSession->isLoggedIn()) {
                // customer_account_edited names only the (possibly new) e-mail.
                $identity = [
                    'id' => $this->customerSession->getCustomerId(),
                    'email' => is_string($data->getEmail()) && $data->getEmail() !== ''
                        ? $data->getEmail()
                        : $this->customerSession->getCustomer()->getEmail(),
                ];
            }
            $payload = [];
            if ($identity !== null) {
                $payload['customer'] = ['id' => (string) $identity['id'], 'email' => (string) $identity['email']];
            }
            $this->emitter->emit($this->event, $payload, null, null, $identity);
        } catch (\Throwable $e) {
            $this->logger->error(sprintf('XDM Relay: %s was not sent: %s', $this->event, $e->getMessage()), [
                'exception' => $e,
            ]);
        }
    }
}
