<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront;

use Magento\Cookie\Helper\Cookie as CookieHelper;
use Magento\Framework\Stdlib\CookieManagerInterface;
use XdmRelay\Connector\Model\Config;

/**
 * Whether the shopper of this request may be tracked: the same two signals Adobe's storefront
 * collector honours (research/storefront.md §3), checked on the server so that nothing is sent
 * and no cookie is set without consent.
 */
class Consent
{
    /**
     * Adobe Commerce's opt-out cookie, set by the merchant's consent code.
     */
    public const DNT_COOKIE = 'mg_dnt';

    /**
     * @param Config $config
     * @param CookieHelper $cookieHelper
     * @param CookieManagerInterface $cookies
     */
    public function __construct(
        private readonly Config $config,
        private readonly CookieHelper $cookieHelper,
        private readonly CookieManagerInterface $cookies
    ) {
    }

    /**
     * Storefront events are on for the website and the shopper has not refused or withheld consent.
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function allows(?int $websiteId): bool
    {
        if (!$this->config->storefrontEnabled($websiteId)) {
            return false;
        }
        // Cookie Restriction Mode on and the shopper has not accepted cookies for this website.
        if ($this->cookieHelper->isUserNotAllowSaveCookie()) {
            return false;
        }
        return !($this->config->respectsDnt($websiteId) && $this->cookies->getCookie(self::DNT_COOKIE) !== null);
    }
}
