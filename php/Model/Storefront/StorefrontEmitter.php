<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront;

use Magento\Customer\Model\Session as CustomerSession;
use Magento\Framework\Stdlib\Cookie\CookieMetadataFactory;
use Magento\Framework\Stdlib\CookieManagerInterface;
use Magento\Store\Model\StoreManagerInterface;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Emitter;

/**
 * TEMPORARY stand-in for the lead's StorefrontEmitter (issue 11b branch only; dropped at merge).
 *
 * Adds shopper (FPID cookie, signed-in customer), store scope, event_id and occurred_at, checks
 * that storefront events are on and allowed, and hands the event to the extension.
 */
class StorefrontEmitter
{
    public const FPID_COOKIE = 'xdm_relay_fpid';
    private const FPID_LIFETIME_S = 34560000;

    /**
     * @param Settings $settings
     * @param Consent $consent
     * @param Config $config
     * @param Emitter $emitter
     * @param StoreManagerInterface $storeManager
     * @param CustomerSession $customerSession
     * @param CookieManagerInterface $cookies
     * @param CookieMetadataFactory $cookieMetadata
     */
    public function __construct(
        private readonly Settings $settings,
        private readonly Consent $consent,
        private readonly Config $config,
        private readonly Emitter $emitter,
        private readonly StoreManagerInterface $storeManager,
        private readonly CustomerSession $customerSession,
        private readonly CookieManagerInterface $cookies,
        private readonly CookieMetadataFactory $cookieMetadata
    ) {
    }

    /**
     * Emit one storefront event; whether it was handed to the extension.
     *
     * @param string $event
     * @param array $payload
     * @return bool
     */
    public function emit(string $event, array $payload): bool
    {
        $websiteId = (int) $this->storeManager->getWebsite()->getId();
        if (!$this->settings->isStorefrontEnabled($websiteId) || !$this->consent->allows()) {
            return false;
        }
        $store = $this->storeManager->getStore();
        $shopper = ['fpid' => $this->fpid()];
        if ($this->customerSession->isLoggedIn()) {
            $shopper['customer_id'] = (string) $this->customerSession->getCustomerId();
            $shopper['email'] = (string) $this->customerSession->getCustomer()->getEmail();
        }
        $payload['event_id'] = $payload['event_id'] ?? $this->uuid();
        $payload['occurred_at'] = (int) floor(microtime(true) * 1000);
        $payload['shopper'] = $shopper;
        $payload['store'] = [
            'website_code' => (string) $this->storeManager->getWebsite()->getCode(),
            'store_code' => (string) $store->getGroup()->getCode(),
            'store_view_code' => (string) $store->getCode(),
        ];
        $id = $this->emitter->emit(
            $event,
            static fn () => $payload,
            $this->config->eventDestination($websiteId),
            $event . ':' . $payload['event_id'],
            'event ' . $payload['event_id']
        );
        return $id !== null;
    }

    /**
     * The shopper's FPID, set (or renewed) as a first-party cookie.
     *
     * @return string
     */
    private function fpid(): string
    {
        $fpid = (string) $this->cookies->getCookie(self::FPID_COOKIE);
        if (!preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $fpid)) {
            $fpid = $this->uuid();
        }
        $metadata = $this->cookieMetadata->createPublicCookieMetadata()
            ->setDuration(self::FPID_LIFETIME_S)->setPath('/')->setHttpOnly(true)->setSameSite('Lax');
        $this->cookies->setPublicCookie(self::FPID_COOKIE, $fpid, $metadata);
        return $fpid;
    }

    /**
     * A random UUID v4.
     *
     * @return string
     */
    private function uuid(): string
    {
        $bytes = random_bytes(16);
        $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
        $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($bytes), 4));
    }
}
