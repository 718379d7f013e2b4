<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Store\Model\StoreManagerInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Emitter;
use XdmRelay\Connector\Model\PayloadBuilder;

/**
 * customer_save_commit_after (storefront, admin and API saves): accountCreated or accountUpdated
 * to the event dataset, and a profileRecord to the profile dataset.
 */
class CustomerCommitted implements ObserverInterface
{
    public function __construct(
        private readonly ChangeTracker $tracker,
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
            $change = $customer ? $this->tracker->take($customer) : null;
            if (!$customer || $change === null) {
                return;
            }
            $websiteId = $customer->getWebsiteId();
            $store = $this->storeManager->getWebsite($websiteId)->getDefaultStore();
            $payload = fn () => $this->payloads->customer($customer, $store);
            $id = (string) $customer->getId();
            $version = (string) $customer->getUpdatedAt();
            $reference = 'customer ' . $id;
            if ($this->config->backofficeEnabled($websiteId)) {
                $event = $change['new'] ? 'accountCreated' : 'accountUpdated';
                $this->emitter->emit($event, $payload, $this->config->eventDestination($websiteId), "$event:$id:$version", $reference);
            }
            if ($this->config->profilesEnabled($websiteId)) {
                $this->emitter->emit('profileRecord', $payload, $this->config->profileDestination($websiteId), "profileRecord:$id:$version", $reference);
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: customer observer failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
