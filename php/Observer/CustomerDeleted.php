<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Store\Model\StoreManagerInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Emitter;
use XdmRelay\Connector\Model\PayloadBuilder;

/** customer_delete_commit_after: accountDeleted and profileDeleted. */
class CustomerDeleted implements ObserverInterface
{
    public function __construct(
        private readonly Config $config,
        private readonly PayloadBuilder $payloads,
        private readonly Emitter $emitter,
        private readonly StoreManagerInterface $storeManager,
        private readonly LoggerInterface $logger
    ) {
    }

    public function execute(Observer $observer): void
    {
        try {
            $customer = $observer->getEvent()->getCustomer() ?? $observer->getEvent()->getDataObject();
            if (!$customer) {
                return;
            }
            $websiteId = $customer->getWebsiteId();
            $store = $this->storeManager->getWebsite($websiteId)->getDefaultStore();
            $payload = fn () => $this->payloads->customer($customer, $store);
            $id = (string) $customer->getId();
            if ($this->config->backofficeEnabled($websiteId)) {
                $this->emitter->emit('accountDeleted', $payload, $this->config->eventDestination($websiteId), "accountDeleted:$id", "customer $id");
            }
            if ($this->config->profilesEnabled($websiteId)) {
                $this->emitter->emit('profileDeleted', $payload, $this->config->profileDestination($websiteId), "profileDeleted:$id", "customer $id");
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: customer delete observer failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
