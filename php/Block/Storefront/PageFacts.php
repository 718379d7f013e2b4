<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Block\Storefront;

use Magento\Catalog\Helper\Data as CatalogHelper;
use Magento\Cookie\Helper\Cookie as CookieHelper;
use Magento\Framework\View\Element\Template;
use Magento\Framework\View\Element\Template\Context;
use XdmRelay\Connector\Model\Config;

/**
 * The page facts the storefront beacon reads (`#xdmrelay-page`, docs/contract.md) and its script.
 *
 * Full-page-cache safe: only facts of the page and the store's configuration, never anything of
 * the shopper (the endpoint adds that server-side). Renders nothing while the website's beacon
 * is off. The page type comes from the layout handle (argument `page_type`).
 */
class PageFacts extends Template
{
    public const DEFAULT_PAGE_TYPE = 'Default';

    /**
     * @var string
     */
    protected $_template = 'XdmRelay_Connector::storefront/page-facts.phtml';

    /**
     * @param Context $context
     * @param Config $config
     * @param CookieHelper $cookieHelper
     * @param CatalogHelper $catalogHelper
     * @param array $data
     */
    public function __construct(
        Context $context,
        private readonly Config $config,
        private readonly CookieHelper $cookieHelper,
        private readonly CatalogHelper $catalogHelper,
        array $data = []
    ) {
        parent::__construct($context, $data);
    }

    /**
     * Whether the website sends storefront events from the browser.
     *
     * @return bool
     */
    public function isEnabled(): bool
    {
        return $this->config->beaconEnabled($this->websiteId());
    }

    /**
     * The facts as an array (the template encodes them).
     *
     * @return array<string, mixed>
     */
    public function getFacts(): array
    {
        $websiteId = $this->websiteId();
        $pageType = (string) ($this->getData('page_type') ?: self::DEFAULT_PAGE_TYPE);
        $facts = [
            'endpoint' => $this->getUrl('xdmrelay/collect', [
                '_secure' => $this->getRequest()->isSecure(),
                '_nosid' => true,
            ]),
            'pageType' => $pageType,
            'pageName' => (string) $this->pageConfig->getTitle()->get(),
            'websiteId' => $websiteId,
            'respectDnt' => $this->config->respectsDnt($websiteId),
            'cookieRestriction' => (bool) $this->cookieHelper->isCookieRestrictionModeEnabled(),
        ];
        if ($this->config->webSdkDeployed($websiteId)) {
            $facts['webSdk'] = true;
        }
        $product = $pageType === 'Product' ? $this->catalogHelper->getProduct() : null;
        if ($product !== null && (string) $product->getSku() !== '') {
            $facts['sku'] = (string) $product->getSku();
        }
        return $facts;
    }

    /**
     * The beacon script's URL (static content, versioned).
     *
     * @return string
     */
    public function getScriptUrl(): string
    {
        return $this->getViewFileUrl('XdmRelay_Connector::js/beacon.js');
    }

    /**
     * The current website's id.
     *
     * @return int
     */
    private function websiteId(): int
    {
        return (int) $this->_storeManager->getWebsite()->getId();
    }
}
