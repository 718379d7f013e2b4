<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Controller\Collect;

use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\App\CsrfAwareActionInterface;
use Magento\Framework\App\Request\Http as HttpRequest;
use Magento\Framework\App\Request\InvalidRequestException;
use Magento\Framework\App\RequestInterface;
use Magento\Framework\Controller\AbstractResult;
use Magento\Framework\Controller\Result\Json;
use Magento\Framework\Controller\ResultFactory;
use Magento\Framework\Controller\ResultInterface;
use Magento\Framework\UrlInterface;
use Magento\Store\Model\Store;
use Magento\Store\Model\StoreManagerInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\EventName;
use XdmRelay\Connector\Model\Storefront\Beacon\BeaconParser;
use XdmRelay\Connector\Model\Storefront\Beacon\InvalidBeaconException;
use XdmRelay\Connector\Model\Storefront\Beacon\Origin;
use XdmRelay\Connector\Model\Storefront\Beacon\ProductDetails;
use XdmRelay\Connector\Model\Storefront\Beacon\RateLimiter;
use XdmRelay\Connector\Model\Storefront\Consent;
use XdmRelay\Connector\Model\Storefront\StorefrontEmitter;

/**
 * POST /xdmrelay/collect: the storefront beacon's endpoint (docs/contract.md, "Storefront events").
 *
 * Answers 204 when the event was handed to the extension; otherwise a JSON {error} and no
 * event: 403 foreign origin or no consent, 404 beacon off for the website, 413 body too large,
 * 429 over the session's rate, 400 naming every bad field, 500 on an internal failure (logged,
 * no details to the client). Never cached.
 */
class Index implements HttpPostActionInterface, CsrfAwareActionInterface
{
    public const MAX_BODY_BYTES = 16384;

    /**
     * @param HttpRequest $request
     * @param ResultFactory $resultFactory
     * @param StoreManagerInterface $storeManager
     * @param Config $config
     * @param Consent $consent
     * @param RateLimiter $rateLimiter
     * @param BeaconParser $parser
     * @param ProductDetails $productDetails
     * @param StorefrontEmitter $emitter
     * @param Origin $origin
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly HttpRequest $request,
        private readonly ResultFactory $resultFactory,
        private readonly StoreManagerInterface $storeManager,
        private readonly Config $config,
        private readonly Consent $consent,
        private readonly RateLimiter $rateLimiter,
        private readonly BeaconParser $parser,
        private readonly ProductDetails $productDetails,
        private readonly StorefrontEmitter $emitter,
        private readonly Origin $origin,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * Validate, enrich and emit one beacon event.
     *
     * @return ResultInterface
     */
    public function execute(): ResultInterface
    {
        try {
            return $this->collect();
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: storefront beacon failed: ' . $e->getMessage(), ['exception' => $e]);
            return $this->error(500, 'internal error');
        }
    }

    /**
     * The checks in order of cost; the session is only touched once the shopper has consented.
     *
     * @return ResultInterface
     */
    private function collect(): ResultInterface
    {
        /** @var Store $store */
        $store = $this->storeManager->getStore();
        $origins = $this->storeOrigins($store);
        if (!in_array($this->requestOrigin(), $origins, true)) {
            return $this->error(403, 'Origin: not this store');
        }
        $websiteId = (int) $store->getWebsiteId();
        if (!$this->config->beaconEnabled($websiteId)) {
            return $this->error(404, 'storefront beacon is off');
        }
        $body = (string) $this->request->getContent();
        if (strlen($body) > self::MAX_BODY_BYTES) {
            return $this->error(413, 'body: larger than ' . self::MAX_BODY_BYTES . ' bytes');
        }
        if (!$this->consent->allows($websiteId)) {
            return $this->error(403, 'no consent');
        }
        if (!$this->rateLimiter->allow(time())) {
            return $this->error(429, 'too many events in this session');
        }
        try {
            $beacon = $this->parser->parse($body, $this->requestOrigin());
        } catch (InvalidBeaconException $e) {
            return $this->error(400, $e->getMessage());
        }
        // The emitter adds the shopper, the store and the user agent; the page is the beacon's.
        $payload = ['event_id' => $beacon['event_id'], 'page' => $beacon['page']];
        if ($beacon['event'] === EventName::PRODUCT_PAGE_VIEW) {
            $product = $this->productDetails->forSku((string) $beacon['sku'], $store);
            if ($product === null) {
                return $this->error(400, 'sku: no such product on this store');
            }
            $payload['product'] = $product;
        }
        if ($beacon['search'] !== null) {
            $payload['search'] = $beacon['search'];
        }
        if (!$this->emitter->emit($beacon['event'], $payload, $store)) {
            return $this->error(500, 'event not sent');
        }
        return $this->noStore($this->resultFactory->create(ResultFactory::TYPE_RAW)->setHttpResponseCode(204));
    }

    /**
     * The origin the request states: Origin, else the Referer's; '' when neither names one.
     *
     * Browsers send Origin on every POST (Fetch standard), sendBeacon included; Referer covers
     * an agent that leaves Origin out.
     *
     * @return string
     */
    private function requestOrigin(): string
    {
        $origin = (string) $this->request->getHeader('Origin');
        if ($origin === '') {
            $origin = (string) $this->request->getHeader('Referer');
        }
        return $this->origin->of($origin) ?? '';
    }

    /**
     * The origins the store's pages are served from (its unsecure and secure base URLs).
     *
     * @param Store $store
     * @return string[]
     */
    private function storeOrigins(Store $store): array
    {
        $origins = [];
        foreach ([false, true] as $secure) {
            $origin = $this->origin->of((string) $store->getBaseUrl(UrlInterface::URL_TYPE_LINK, $secure));
            if ($origin !== null) {
                $origins[] = $origin;
            }
        }
        return array_values(array_unique($origins));
    }

    /**
     * A JSON {error} answer.
     *
     * @param int $status
     * @param string $message
     * @return ResultInterface
     */
    private function error(int $status, string $message): ResultInterface
    {
        /** @var Json $result */
        $result = $this->resultFactory->create(ResultFactory::TYPE_JSON);
        $result->setData(['error' => $message])->setHttpResponseCode($status);
        return $this->noStore($result);
    }

    /**
     * Mark an answer as never cacheable by the browser or a proxy.
     *
     * @param AbstractResult $result
     * @return ResultInterface
     */
    private function noStore(AbstractResult $result): ResultInterface
    {
        $result->setHeader('Cache-Control', 'no-store', true);
        return $result;
    }

    /**
     * No form key check: sendBeacon cannot send one.
     *
     * The Origin check in collect() is this endpoint's cross-site protection instead.
     *
     * @param RequestInterface $request
     * @return InvalidRequestException|null
     */
    public function createCsrfValidationException(RequestInterface $request): ?InvalidRequestException
    {
        return null;
    }

    /**
     * See createCsrfValidationException().
     *
     * @param RequestInterface $request
     * @return bool|null
     */
    public function validateForCsrf(RequestInterface $request): ?bool
    {
        return true;
    }
}
