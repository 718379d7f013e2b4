<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\DataObject;
use Magento\Store\Model\StoreManagerInterface;

class Store extends DataObject
{
    public static function make(int $websiteId, string $website, string $group, string $view, int $storeId): self
    {
        return new self([
            'store_id' => $storeId,
            'website_id' => $websiteId,
            'code' => $view,
            'website' => new DataObject(['code' => $website, 'id' => $websiteId]),
            'group' => new DataObject(['code' => $group]),
        ]);
    }

    public function getBaseUrl($type = 'link')
    {
        return 'https://shop.example/media/';
    }
}

class StoreManager implements StoreManagerInterface
{
    /** @param array<int, Store> $stores by store id */
    public function __construct(public array $stores)
    {
    }

    public function getStore($storeId = null)
    {
        return $this->stores[(int) $storeId] ?? reset($this->stores);
    }

    public function getWebsite($websiteId = null)
    {
        foreach ($this->stores as $store) {
            if ((int) $store->getWebsiteId() === (int) $websiteId) {
                return new DataObject(['id' => $websiteId, 'code' => $store->getWebsite()->getCode(), 'default_store' => $store]);
            }
        }
        return new DataObject(['id' => $websiteId, 'default_store' => null]);
    }

    public function getWebsites($withDefault = false, $codeKey = false)
    {
        $out = [];
        foreach ($this->stores as $store) {
            $out[$store->getWebsiteId()] = new DataObject(['id' => $store->getWebsiteId(), 'code' => $store->getWebsite()->getCode()]);
        }
        return array_values($out);
    }
}
