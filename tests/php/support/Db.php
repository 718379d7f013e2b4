<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

/** The rows the stand-ins load, and every query they made (to count them). */
class Db
{
    /** @var array<string, array> customer_entity by id */
    public array $customers = [];
    /** @var array<string, array> customer_address_entity by id */
    public array $addresses = [];
    /** @var list<array> newsletter_subscriber */
    public array $subscribers = [];
    /** @var array<int, array> catalog products by id: sku, image, category_ids, store => [store id => values] */
    public array $products = [];
    /** @var array<int, array> categories by id: name, path, store => [store id => [name]] */
    public array $categories = [];
    /** @var array<int, list<int>> store ids of each website */
    public array $websiteStores = [1 => [1], 2 => [2]];
    /** @var list<string> */
    public array $queries = [];
    private int $nextId = 1000;

    public function nextId(): string
    {
        return (string) $this->nextId++;
    }

    /** @return list<array> */
    public function addressesOf(string $customerId): array
    {
        return array_values(array_filter($this->addresses, static fn (array $a) => (string) $a['parent_id'] === $customerId));
    }
}
