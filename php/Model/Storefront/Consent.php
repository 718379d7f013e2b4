<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront;

use Magento\Cookie\Helper\Cookie as CookieHelper;
use Magento\Framework\Stdlib\CookieManagerInterface;
use Magento\Store\Model\StoreManagerInterface;

/**
 * TEMPORARY stand-in for the lead's Consent (issue 11b branch only; dropped at merge).
 *
 * The shopper allows storefront events: Cookie Restriction Mode is off or accepted for the
 * website, and no `mg_dnt` cookie while the website respects it.
 */
class Consent
{
    /**
     * @param CookieHelper $cookieHelper
     * @param CookieManagerInterface $cookies
     * @param StoreManagerInterface $storeManager
     * @param Settings $settings
     */
    public function __construct(
        private readonly CookieHelper $cookieHelper,
        private readonly CookieManagerInterface $cookies,
        private readonly StoreManagerInterface $storeManager,
        private readonly Settings $settings
    ) {
    }

    /**
     * Whether this request's shopper allows storefront events.
     *
     * @return bool
     */
    public function allows(): bool
    {
        if ($this->cookieHelper->isUserNotAllowSaveCookie()) {
            return false;
        }
        $websiteId = (int) $this->storeManager->getWebsite()->getId();
        return !($this->settings->respectsDnt($websiteId) && $this->cookies->getCookie('mg_dnt') !== null);
    }
}
