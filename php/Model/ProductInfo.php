<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Magento\Catalog\Model\ResourceModel\Category\CollectionFactory as CategoryCollectionFactory;
use Magento\Catalog\Model\ResourceModel\Product\CollectionFactory as ProductCollectionFactory;
use Magento\Framework\UrlInterface;
use Magento\Store\Model\StoreManagerInterface;

/**
 * Categories and the main image URL of ordered products, for productListItems.
 *
 * Read in the shopper's checkout request, so it costs three queries per order whatever its
 * number of lines (products with their image, their category ids, the categories' names) and
 * none for products already read in this process, instead of a full product load and a
 * category query per line.
 */
class ProductInfo
{
    /**
     * Entries kept per process; a history sync of a whole catalog must not grow without bound.
     */
    private const CACHE_LIMIT = 5000;

    /**
     * @var array<string, array{categories?: list<array{id: string, name: string, path: string}>, image_url?: string}>
     */
    private array $cache = [];

    /**
     * @param StoreManagerInterface $storeManager
     * @param ProductCollectionFactory $products
     * @param CategoryCollectionFactory $categories
     */
    public function __construct(
        private readonly StoreManagerInterface $storeManager,
        private readonly ProductCollectionFactory $products,
        private readonly CategoryCollectionFactory $categories
    ) {
    }

    /**
     * What the catalog says about each product, keyed by product id (nothing for deleted products).
     *
     * @param array<int|string|null> $productIds
     * @param int $storeId the store view whose names and media URL apply
     * @return array<string, array> per product: categories (id, name, path) and image_url, when known
     */
    public function forProducts(array $productIds, int $storeId): array
    {
        $ids = array_values(array_unique(array_filter(array_map('intval', $productIds))));
        $missing = array_filter($ids, fn (int $id) => !isset($this->cache["$storeId:$id"]));
        if ($missing) {
            if (count($this->cache) + count($missing) > self::CACHE_LIMIT) {
                $this->cache = [];
            }
            $this->load(array_values($missing), $storeId);
        }
        $out = [];
        foreach ($ids as $id) {
            $out[(string) $id] = $this->cache["$storeId:$id"] ?? [];
        }
        return $out;
    }

    /**
     * Read the products' image and categories in one go and cache them.
     *
     * @param int[] $ids
     * @param int $storeId
     * @return void
     */
    private function load(array $ids, int $storeId): void
    {
        foreach ($ids as $id) {
            $this->cache["$storeId:$id"] = [];
        }
        $products = $this->products->create();
        $products->setStoreId($storeId)->addIdFilter($ids)->addAttributeToSelect('image');
        $products->load();
        $products->addCategoryIds();
        $categoryIds = [];
        foreach ($products as $product) {
            foreach ((array) $product->getCategoryIds() as $categoryId) {
                $categoryIds[(int) $categoryId] = true;
            }
        }
        $names = $this->categoryNames(array_keys($categoryIds), $storeId);
        $media = null;
        foreach ($products as $product) {
            $info = [];
            $assigned = array_map('intval', (array) $product->getCategoryIds());
            sort($assigned);
            $categories = array_values(array_filter(array_map(static fn (int $c) => $names[$c] ?? null, $assigned)));
            if ($categories) {
                $info['categories'] = $categories;
            }
            $image = (string) $product->getData('image');
            if ($image !== '' && $image !== 'no_selection') {
                $store = $this->storeManager->getStore($storeId);
                $media ??= rtrim($store->getBaseUrl(UrlInterface::URL_TYPE_MEDIA), '/');
                $info['image_url'] = $media . '/catalog/product/' . ltrim($image, '/');
            }
            $this->cache["$storeId:" . (int) $product->getId()] = $info;
        }
    }

    /**
     * Id, store-level name and path of each category.
     *
     * @param int[] $categoryIds
     * @param int $storeId
     * @return array<int, array{id: string, name: string, path: string}>
     */
    private function categoryNames(array $categoryIds, int $storeId): array
    {
        if (!$categoryIds) {
            return [];
        }
        $collection = $this->categories->create();
        $collection->setStoreId($storeId)->addIdFilter($categoryIds)->addAttributeToSelect('name');
        $names = [];
        foreach ($collection as $category) {
            $names[(int) $category->getId()] = [
                'id' => (string) $category->getId(),
                'name' => (string) $category->getName(),
                'path' => (string) $category->getPath(),
            ];
        }
        return $names;
    }
}
