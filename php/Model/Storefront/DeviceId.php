<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront;

use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\App\State;
use Magento\Framework\Stdlib\Cookie\CookieMetadataFactory;
use Magento\Framework\Stdlib\CookieManagerInterface;
use Magento\Framework\App\RequestInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\Config;

/**
 * The shopper's first-party device id (FPID): a UUID v4 in a cookie the store itself sets
 * with Set-Cookie, so that browsers' limits on script-written and third-party cookies do not
 * shorten its life (research/storefront.md §4.2, §4.4).
 *
 * A cart driven through REST or GraphQL carries no cookie; its device id is derived from the
 * quote, so every event of that cart, and its order, name the same device.
 */
class DeviceId
{
    public const COOKIE = 'xdm_relay_fpid';

    private const UUID_V4 = '/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/';

    /**
     * Browser areas: the only ones whose responses reach a browser that keeps our cookie.
     */
    private const BROWSER_AREAS = ['frontend'];

    /** @var string|null this request's device id, once known (one per request, however many events) */
    private ?string $current = null;

    /**
     * @param CookieManagerInterface $cookies
     * @param CookieMetadataFactory $cookieMetadata
     * @param Config $config
     * @param State $appState
     * @param RequestInterface $request
     * @param DeploymentConfig $deployment
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly CookieManagerInterface $cookies,
        private readonly CookieMetadataFactory $cookieMetadata,
        private readonly Config $config,
        private readonly State $appState,
        private readonly RequestInterface $request,
        private readonly DeploymentConfig $deployment,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * The device id for an event of this request, or null when there is none to be had.
     *
     * Call only when consent allows: in a browser request this sets (or renews) the cookie.
     *
     * @param int|null $websiteId
     * @param int|null $quoteId the cart the event is about, for cookie-less API carts
     * @return string|null
     */
    public function forRequest(?int $websiteId, ?int $quoteId): ?string
    {
        if ($this->current !== null) {
            return $this->current;
        }
        $cookie = strtolower((string) $this->cookies->getCookie(self::COOKIE));
        $browser = $this->inBrowserArea();
        if (preg_match(self::UUID_V4, $cookie)) {
            $this->current = $cookie;
        } elseif ($browser) {
            $this->current = $this->format(random_bytes(16));
        } elseif ($quoteId !== null) {
            return $this->forCart($quoteId);
        } else {
            return null;
        }
        if ($browser) {
            $this->renew($this->current, $websiteId);
        }
        return $this->current;
    }

    /**
     * The device id of a cart that no browser cookie names (an API cart), stable across requests.
     *
     * Keyed with the installation's secret, so nobody outside the store can compute it from a
     * quote id.
     *
     * @param int $quoteId
     * @return string
     */
    public function forCart(int $quoteId): string
    {
        $secret = (string) $this->deployment->get('crypt/key');
        return $this->format(hash_hmac('sha256', 'xdm-relay-cart-device|' . $quoteId, $secret, true));
    }

    /**
     * Sixteen bytes as a UUID v4 (version and variant bits set, as the Edge requires of an FPID).
     *
     * @param string $bytes at least 16 bytes
     * @return string
     */
    public function format(string $bytes): string
    {
        $hex = bin2hex(substr($bytes, 0, 16));
        $hex[12] = '4';
        $hex[16] = dechex((hexdec($hex[16]) & 0x3) | 0x8);
        return sprintf(
            '%s-%s-%s-%s-%s',
            substr($hex, 0, 8),
            substr($hex, 8, 4),
            substr($hex, 12, 4),
            substr($hex, 16, 4),
            substr($hex, 20)
        );
    }

    /**
     * Whether this request comes from a storefront browser.
     *
     * @return bool
     */
    private function inBrowserArea(): bool
    {
        try {
            return in_array($this->appState->getAreaCode(), self::BROWSER_AREAS, true);
        } catch (\Throwable $e) {
            return false;
        }
    }

    /**
     * Set the cookie for another full lifetime (ITP only shortens script-written cookies).
     *
     * @param string $deviceId
     * @param int|null $websiteId
     * @return void
     */
    private function renew(string $deviceId, ?int $websiteId): void
    {
        try {
            $metadata = $this->cookieMetadata->createPublicCookieMetadata()
                ->setDuration($this->config->deviceIdLifetimeDays($websiteId) * 86400)
                ->setPath('/')
                ->setHttpOnly(true)
                ->setSecure($this->request->isSecure())
                ->setSameSite('Lax');
            $this->cookies->setPublicCookie(self::COOKIE, $deviceId, $metadata);
        } catch (\Throwable $e) {
            // Headers already sent, or a cookie size limit: the event still names the device.
            $this->logger->warning('XDM Relay: the device id cookie was not set: ' . $e->getMessage());
        }
    }
}
