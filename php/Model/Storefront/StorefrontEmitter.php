<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront;

use Magento\Customer\Model\Session as CustomerSession;
use Magento\Framework\App\Request\Http as HttpRequest;
use Magento\Framework\App\RequestInterface;
use Magento\Framework\App\State;
use Magento\Framework\Stdlib\CookieManagerInterface;
use Magento\Store\Model\StoreManagerInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Emitter;
use XdmRelay\Connector\Model\PayloadBuilder;

/**
 * Emits one storefront event with what every storefront event carries (docs/contract.md,
 * "Storefront events"): the shopper's identities, the page, the store, when, and a fresh id.
 *
 * Consent is checked here, before any cookie is read into an event or set, so no caller can
 * forget it. Never throws: a storefront event must not break the shopper's request.
 */
class StorefrontEmitter
{
    /**
     * Longest page URL, referrer or user agent passed on: the Edge's 64 KB event limit.
     */
    private const MAX_TEXT = 2048;

    /**
     * Where a shopper acts: the storefront and the APIs of headless storefronts. An order or cart
     * built by an admin (adminhtml) or a job (crontab) is no shopper behaviour.
     */
    private const SHOPPER_AREAS = ['frontend', 'webapi_rest', 'webapi_soap', 'graphql'];

    /**
     * @param Config $config
     * @param Consent $consent
     * @param DeviceId $deviceId
     * @param Emitter $emitter
     * @param PayloadBuilder $payloads
     * @param StoreManagerInterface $storeManager
     * @param CustomerSession $customerSession
     * @param CookieManagerInterface $cookies
     * @param RequestInterface $request
     * @param State $appState
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly Config $config,
        private readonly Consent $consent,
        private readonly DeviceId $deviceId,
        private readonly Emitter $emitter,
        private readonly PayloadBuilder $payloads,
        private readonly StoreManagerInterface $storeManager,
        private readonly CustomerSession $customerSession,
        private readonly CookieManagerInterface $cookies,
        private readonly RequestInterface $request,
        private readonly State $appState,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * Whether storefront events of this request would be sent: a shopper's area, enabled and
     * consented. Callers ask before building a payload, so a store with the stream off or an
     * admin saving a cart pays nothing.
     *
     * @param object|null $store the store the event belongs to (null: the current one)
     * @return bool
     */
    public function allowed(?object $store = null): bool
    {
        try {
            return in_array($this->appState->getAreaCode(), self::SHOPPER_AREAS, true)
                && $this->consent->allows($this->websiteId($store));
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: storefront consent check failed: ' . $e->getMessage(), [
                'exception' => $e,
            ]);
            return false;
        }
    }

    /**
     * Emit $event; true when it was handed to the extension.
     *
     * @param string $event a storefront event name (EventName)
     * @param array $payload the event's own keys (cart, product, order, customer, search, page, event_id)
     * @param object|null $store the store the event belongs to (null: the current one)
     * @param int|null $quoteId the cart the event is about (names the device of a cookie-less API cart)
     * @param array|null $customer ['id' => ..., 'email' => ...] when the event knows its customer
     * @return bool
     */
    public function emit(
        string $event,
        array $payload,
        ?object $store = null,
        ?int $quoteId = null,
        ?array $customer = null
    ): bool {
        try {
            $store ??= $this->storeManager->getStore();
            if (!$this->allowed($store)) {
                return false;
            }
            $websiteId = $this->websiteId($store);
            $fpid = $this->deviceId->forRequest($websiteId, $quoteId);
            if ($fpid === null) {
                return false;
            }
            $eventId = (string) ($payload['event_id'] ?? $this->deviceId->format(random_bytes(16)));
            $payload['event_id'] = $eventId;
            $payload['occurred_at'] = (int) round(microtime(true) * 1000);
            $payload['shopper'] = $this->shopper($fpid, $customer);
            $payload['page'] = ($payload['page'] ?? []) + $this->page();
            $payload['store'] = $this->payloads->store($store);
            $reference = $quoteId !== null ? "cart $quoteId" : "device $fpid";
            return $this->emitter->emit(
                $event,
                static fn () => $payload,
                $this->config->storefrontDestination($websiteId),
                "$event:$eventId",
                $reference
            ) !== null;
        } catch (\Throwable $e) {
            $this->logger->error(sprintf('XDM Relay: %s was not sent: %s', $event, $e->getMessage()), [
                'exception' => $e,
            ]);
            return false;
        }
    }

    /**
     * The shopper's identities: device, the Web SDK's ECID cookie, the signed-in customer.
     *
     * @param string $fpid
     * @param array|null $customer
     * @return array
     */
    private function shopper(string $fpid, ?array $customer): array
    {
        $shopper = ['fpid' => $fpid];
        $org = $this->config->orgId();
        if ($org !== '') {
            // Alloy names its identity cookie after the org, with '@' made cookie-safe.
            $ecidCookie = $this->cookies->getCookie('kndctr_' . str_replace('@', '_', $org) . '_identity');
            if (is_string($ecidCookie) && $ecidCookie !== '' && strlen($ecidCookie) <= self::MAX_TEXT) {
                $shopper['ecid_cookie'] = $ecidCookie;
            }
        }
        if ($customer === null && $this->customerSession->isLoggedIn()) {
            $data = $this->customerSession->getCustomer();
            $customer = ['id' => $data->getId(), 'email' => $data->getEmail()];
        }
        if (!empty($customer['id'])) {
            $shopper['customer_id'] = (string) $customer['id'];
        }
        if (!empty($customer['email'])) {
            $shopper['email'] = (string) $customer['email'];
        }
        return $shopper;
    }

    /**
     * The page the shopper is on, as far as the server sees it.
     *
     * A page request is the page itself; a POST (add to cart, sign in) or an API call comes
     * from the page named by its Referer.
     *
     * @return array
     */
    private function page(): array
    {
        if (!$this->request instanceof HttpRequest) {
            return [];
        }
        $page = [];
        $referer = (string) $this->request->getServer('HTTP_REFERER');
        if ($this->request->isGet() && !$this->request->isAjax()) {
            $page['url'] = $this->request->getUriString();
            $page['referrer'] = $referer;
        } else {
            $page['url'] = $referer;
        }
        $page['user_agent'] = (string) $this->request->getServer('HTTP_USER_AGENT');
        return array_filter(
            array_map(static fn (string $v) => mb_substr($v, 0, self::MAX_TEXT), $page),
            static fn (string $v) => $v !== ''
        );
    }

    /**
     * The website of $store (null: the current one).
     *
     * @param object|null $store
     * @return int|null
     */
    private function websiteId(?object $store): ?int
    {
        $store ??= $this->storeManager->getStore();
        return $store->getWebsiteId() !== null ? (int) $store->getWebsiteId() : null;
    }
}
