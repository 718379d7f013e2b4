<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\DataCustomization;

use Magento\Framework\App\ResourceConnection;

/**
 * How often the configured custom attribute columns hold a value on a website's latest orders.
 *
 * Two indexed reads (the latest orders by id, then their items), for the admin report only.
 */
class RecentOrders
{
    public const LIMIT = 50;

    /**
     * @param ResourceConnection $resource
     */
    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * Per column, on how many of the latest orders (or their items) it is non-empty.
     *
     * A configured name that is not a column of the table maps to null: nothing is ever sent.
     *
     * @param int|null $websiteId null: every website
     * @param string[] $orderColumns
     * @param string[] $itemColumns
     * @return array{orders: int, items: int, order: array<string, ?int>, item: array<string, ?int>}
     */
    public function filled(?int $websiteId, array $orderColumns, array $itemColumns): array
    {
        $db = $this->resource->getConnection();
        $orderTable = $this->resource->getTableName('sales_order');
        $itemTable = $this->resource->getTableName('sales_order_item');
        $orderCols = array_values(array_intersect($orderColumns, array_keys($db->describeTable($orderTable))));
        $itemCols = array_values(array_intersect($itemColumns, array_keys($db->describeTable($itemTable))));
        $select = $db->select()->from($orderTable, array_merge(['entity_id'], $orderCols))
            ->order('entity_id DESC')->limit(self::LIMIT);
        if ($websiteId !== null) {
            $stores = $db->select()->from($this->resource->getTableName('store'), ['store_id'])
                ->where('website_id = ?', $websiteId);
            $select->where('store_id IN (?)', $stores);
        }
        $orders = $db->fetchAll($select);
        $items = [];
        if ($orders && $itemCols) {
            $items = $db->fetchAll($db->select()->from($itemTable, $itemCols)
                ->where('order_id IN (?)', array_column($orders, 'entity_id')));
        } elseif ($orders) {
            $items = $db->fetchCol($db->select()->from($itemTable, ['item_id'])
                ->where('order_id IN (?)', array_column($orders, 'entity_id')));
        }
        return [
            'orders' => count($orders),
            'items' => count($items),
            'order' => $this->counts($orderColumns, $orderCols, $orders),
            'item' => $this->counts($itemColumns, $itemCols, $items),
        ];
    }

    /**
     * Non-empty values per configured name; null for a name that is no column.
     *
     * @param string[] $configured
     * @param string[] $columns
     * @param array $rows
     * @return array<string, ?int>
     */
    private function counts(array $configured, array $columns, array $rows): array
    {
        $out = [];
        foreach ($configured as $name) {
            if (!in_array($name, $columns, true)) {
                $out[$name] = null;
                continue;
            }
            $out[$name] = count(array_filter(
                $rows,
                static fn ($row) => is_array($row) && isset($row[$name]) && $row[$name] !== ''
            ));
        }
        return $out;
    }
}
