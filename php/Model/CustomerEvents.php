<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Magento\Customer\Model\CustomerFactory;
use Magento\Store\Model\StoreManagerInterface;

/**
 * The customer events and profile records, emitted for a customer model: what every customer
 * observer and the account-creation plugin send, so the rules live in one place.
 */
class CustomerEvents
{
    /**
     * @param Config $config
     * @param PayloadBuilder $payloads
     * @param Emitter $emitter
     * @param StoreManagerInterface $storeManager
     * @param CustomerFactory $customers
     */
    public function __construct(
        private readonly Config $config,
        private readonly PayloadBuilder $payloads,
        private readonly Emitter $emitter,
        private readonly StoreManagerInterface $storeManager,
        private readonly CustomerFactory $customers
    ) {
    }

    /**
     * A customer account was created: accountCreated and its first profile record.
     *
     * @param object $customer the customer model, with its addresses saved
     * @return void
     */
    public function created(object $customer): void
    {
        $id = (string) $customer->getId();
        $this->event(EventName::ACCOUNT_CREATED, $customer, EventName::ACCOUNT_CREATED . ":$id");
        $this->record($customer, EventName::PROFILE_RECORD . ":$id:created");
    }

    /**
     * The customer's own fields changed: accountUpdated and a profile record.
     *
     * @param object $customer
     * @return void
     */
    public function updated(object $customer): void
    {
        $id = (string) $customer->getId();
        $version = (string) $customer->getUpdatedAt();
        $this->event(EventName::ACCOUNT_UPDATED, $customer, EventName::ACCOUNT_UPDATED . ":$id:$version");
        $this->record($customer, EventName::PROFILE_RECORD . ":$id:$version");
    }

    /**
     * Something the profile holds outside the customer row changed: a profile record.
     *
     * An address or the newsletter subscription; the record shows the customer as it is now.
     *
     * @param string $customerId
     * @param string $cause what changed, e.g. "address 12 saved" (one record per change)
     * @return void
     */
    public function profileChanged(string $customerId, string $cause): void
    {
        $customer = $this->customers->create()->load($customerId);
        if (!$customer->getId()) {
            return;
        }
        $this->record($customer, EventName::PROFILE_RECORD . ":$customerId:$cause");
    }

    /**
     * The customer was deleted: accountDeleted and a profile record marking the account disabled.
     *
     * @param object $customer
     * @return void
     */
    public function deleted(object $customer): void
    {
        $id = (string) $customer->getId();
        $websiteId = $this->websiteId($customer);
        $payload = fn () => $this->payloads->customer($customer, $this->store($websiteId));
        if ($this->config->backofficeEnabled($websiteId)) {
            $destination = $this->config->eventDestination($websiteId);
            $guardKey = EventName::ACCOUNT_DELETED . ":$id";
            $this->emitter->emit(EventName::ACCOUNT_DELETED, $payload, $destination, $guardKey, "customer $id");
        }
        if ($this->config->profilesEnabled($websiteId)) {
            $destination = $this->config->profileDestination($websiteId);
            $guardKey = EventName::PROFILE_DELETED . ":$id";
            $this->emitter->emit(EventName::PROFILE_DELETED, $payload, $destination, $guardKey, "customer $id");
        }
    }

    /**
     * An account event to the event dataset, when back-office events are on for the website.
     *
     * @param string $event
     * @param object $customer
     * @param string $guardKey
     * @return void
     */
    private function event(string $event, object $customer, string $guardKey): void
    {
        $websiteId = $this->websiteId($customer);
        if (!$this->config->backofficeEnabled($websiteId)) {
            return;
        }
        $this->emitter->emit(
            $event,
            fn () => $this->payloads->customer($customer, $this->store($websiteId)),
            $this->config->eventDestination($websiteId),
            $guardKey,
            'customer ' . $customer->getId()
        );
    }

    /**
     * A profile record to the profile dataset, when profiles are on for the website.
     *
     * Stamped with the time of the commit it reports, to the millisecond: Magento's rows keep
     * whole seconds, and records of one customer from different requests in one second must
     * still order in AEP (which keeps the record with the latest lastUpdatedDate).
     *
     * @param object $customer
     * @param string $guardKey
     * @return void
     */
    private function record(object $customer, string $guardKey): void
    {
        $websiteId = $this->websiteId($customer);
        if (!$this->config->profilesEnabled($websiteId)) {
            return;
        }
        $changedAt = (new \DateTimeImmutable('now', new \DateTimeZone('UTC')))->format('Y-m-d H:i:s.v');
        $this->emitter->emit(
            EventName::PROFILE_RECORD,
            fn () => $this->payloads->customer($customer, $this->store($websiteId), $changedAt),
            $this->config->profileDestination($websiteId),
            $guardKey,
            'customer ' . $customer->getId()
        );
    }

    /**
     * The customer's website id.
     *
     * @param object $customer
     * @return int|null
     */
    private function websiteId(object $customer): ?int
    {
        $id = $customer->getWebsiteId();
        return $id === null || $id === '' ? null : (int) $id;
    }

    /**
     * The default store view of the website (the store scope of account events).
     *
     * @param int|null $websiteId
     * @return object|null
     */
    private function store(?int $websiteId): ?object
    {
        return $websiteId === null ? null : $this->storeManager->getWebsite($websiteId)->getDefaultStore();
    }
}
