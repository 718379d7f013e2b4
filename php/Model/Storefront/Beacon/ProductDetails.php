<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront\Beacon;

use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\Catalog\Model\Product;
use Magento\Catalog\Model\Product\Attribute\Source\Status;
use Magento\Catalog\Pricing\Price\RegularPrice;
use Magento\Catalog\Pricing\Price\SpecialPrice;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\UrlInterface;
use Magento\Store\Model\Store;

/**
 * The `product` payload of a productPageView, from the catalog (never from the browser).
 */
class ProductDetails
{
    /**
     * @param ProductRepositoryInterface $products
     */
    public function __construct(private readonly ProductRepositoryInterface $products)
    {
    }

    /**
     * The product a shopper can view on this store, or null when the SKU names none.
     *
     * @param string $sku
     * @param Store $store
     * @return array{sku: string, name?: string, image_url?: string, regular_price?: float,
     *     special_price?: float, currency_code: string}|null
     */
    public function forSku(string $sku, Store $store): ?array
    {
        try {
            $product = $this->products->get($sku, false, (int) $store->getId());
        } catch (NoSuchEntityException $e) {
            return null;
        }
        if (!$product instanceof Product || !$this->isViewable($product, $store)) {
            return null;
        }
        $details = ['sku' => (string) $product->getSku()];
        $name = (string) $product->getName();
        if ($name !== '') {
            $details['name'] = $name;
        }
        $image = (string) $product->getData('image');
        if ($image !== '' && $image !== 'no_selection') {
            $details['image_url'] = $store->getBaseUrl(UrlInterface::URL_TYPE_MEDIA) . 'catalog/product/'
                . ltrim($image, '/');
        }
        // The price models convert to the store's current currency, as the product page shows them.
        $prices = $product->getPriceInfo();
        $regular = $prices->getPrice(RegularPrice::PRICE_CODE)->getValue();
        if (is_numeric($regular)) {
            $details['regular_price'] = round((float) $regular, 4);
        }
        $special = $prices->getPrice(SpecialPrice::PRICE_CODE)->getValue();
        if (is_numeric($special) && (!is_numeric($regular) || (float) $special < (float) $regular)) {
            $details['special_price'] = round((float) $special, 4);
        }
        $details['currency_code'] = (string) $store->getCurrentCurrencyCode();
        return $details;
    }

    /**
     * Whether the product has a page a shopper of this store can see.
     *
     * @param Product $product
     * @param Store $store
     * @return bool
     */
    private function isViewable(Product $product, Store $store): bool
    {
        return (int) $product->getStatus() === Status::STATUS_ENABLED
            && in_array((int) $store->getWebsiteId(), array_map('intval', (array) $product->getWebsiteIds()), true)
            && $product->isVisibleInSiteVisibility();
    }
}
