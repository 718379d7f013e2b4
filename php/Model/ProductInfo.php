<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Magento\Framework\UrlInterface;
use Magento\Store\Model\StoreManagerInterface;

/** Categories and the main image URL of an order item's product, for productListItems. */
class ProductInfo
{
    public function __construct(private readonly StoreManagerInterface $storeManager)
    {
    }

    /** @return array{categories?: list<array{id: string, name: string, path: string}>, image_url?: string} */
    public function forItem(object $item): array
    {
        $product = method_exists($item, 'getProduct') ? $item->getProduct() : null;
        if (!$product) {
            return [];
        }
        $out = [];
        $categories = [];
        foreach ($product->getCategoryCollection()->addAttributeToSelect('name') as $category) {
            $categories[] = ['id' => (string) $category->getId(), 'name' => (string) $category->getName(), 'path' => (string) $category->getPath()];
        }
        if ($categories) {
            $out['categories'] = $categories;
        }
        $image = (string) $product->getImage();
        if ($image !== '' && $image !== 'no_selection') {
            $media = $this->storeManager->getStore($item->getStoreId())->getBaseUrl(UrlInterface::URL_TYPE_MEDIA);
            $out['image_url'] = rtrim($media, '/') . '/catalog/product/' . ltrim($image, '/');
        }
        return $out;
    }
}
