<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Store\Model\ScopeInterface;

/**
 * Reads the website's storefront-event settings (Stores › Configuration › Services › XDM Relay).
 *
 * Website ids are ?int (null: the current website), as in Model\Config.
 */
class Settings
{
    private const PREFIX = 'xdm_relay/storefront/';

    /**
     * @param ScopeConfigInterface $scopeConfig
     */
    public function __construct(private readonly ScopeConfigInterface $scopeConfig)
    {
    }

    /**
     * Whether storefront events are on for the website.
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function isStorefrontEnabled(?int $websiteId): bool
    {
        return $this->flag('enabled', $websiteId);
    }

    /**
     * Whether the browser beacon is on for the website (storefront events must be on too).
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function isBeaconEnabled(?int $websiteId): bool
    {
        return $this->isStorefrontEnabled($websiteId) && $this->flag('beacon', $websiteId);
    }

    /**
     * Whether the merchant's own Adobe Web SDK already sends page views on the website's pages.
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function isWebSdkDeployed(?int $websiteId): bool
    {
        return $this->flag('websdk_deployed', $websiteId);
    }

    /**
     * Whether an `mg_dnt` cookie stops storefront events on the website.
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function respectsDnt(?int $websiteId): bool
    {
        return $this->flag('respect_dnt', $websiteId);
    }

    /**
     * A website yes/no setting.
     *
     * @param string $field
     * @param int|null $websiteId
     * @return bool
     */
    private function flag(string $field, ?int $websiteId): bool
    {
        return $this->scopeConfig->isSetFlag(self::PREFIX . $field, ScopeInterface::SCOPE_WEBSITE, $websiteId);
    }
}
