<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\Api\SearchCriteria;
use Magento\Framework\DataObject;
use Magento\Sales\Api\OrderRepositoryInterface;

/** Orders in memory, filtered and paged the way the sales_order grid would be. */
class OrderRepository implements OrderRepositoryInterface
{
    public int $pagesRead = 0;
    public int $maxPageSize = 0;

    /** @param list<Order> $orders */
    public function __construct(public array $orders)
    {
    }

    public function getList(SearchCriteria $searchCriteria)
    {
        $rows = array_filter($this->orders, static function ($o) use ($searchCriteria) {
            foreach ($searchCriteria->getData('filters') as [$field, $value, $cond]) {
                $v = $o->getData($field);
                $ok = match ($cond) {
                    'gteq' => $v >= $value,
                    'lteq' => $v <= $value,
                    'gt' => (int) $v > (int) $value,
                    default => $v == $value,
                };
                if (!$ok) {
                    return false;
                }
            }
            return true;
        });
        usort($rows, static fn ($a, $b) => (int) $a->getId() <=> (int) $b->getId());
        $total = count($rows);
        $size = $searchCriteria->getData('page_size');
        if ($size !== null) {
            $this->pagesRead++;
            $this->maxPageSize = max($this->maxPageSize, $size);
            $rows = array_slice($rows, ($searchCriteria->getData('current_page') - 1) * $size, $size);
        }
        return new DataObject(['items' => array_values($rows), 'total_count' => $total]);
    }

    public function get($id)
    {
        return $this->orders[$id] ?? null;
    }
}
