<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront;

use XdmRelay\Connector\Model\EventName;

/**
 * Cart changes of this request, held until their quote is committed.
 *
 * Magento adds and removes lines in memory first (`Quote::addProduct`, `Quote::removeItem`,
 * `Cart::updateItems`) and saves the quote later, in storefront, REST and GraphQL alike; a
 * change whose save fails never happened, and a new cart has no id before it. So changes are
 * recorded per quote object and emitted from `sales_quote_save_commit_after`.
 */
class CartChanges
{
    /**
     * Changes by quote object id: ['quote' => the quote, 'opened' => bool, 'changes' => [[event, item, qty]]].
     *
     * Each entry holds its quote, so the object id is not reused in this request.
     *
     * @var array<int, array>
     */
    private array $pending = [];

    /** @var array<int, array<int, float>> quantities before a cart page update, by quote object and item id */
    private array $before = [];

    /**
     * Lines added by Quote::addProduct (a new line, or more of one already in the cart).
     *
     * @param object $quote
     * @param object[] $items what sales_quote_product_add_after names (parents and children)
     * @return void
     */
    public function added(object $quote, array $items): void
    {
        $key = spl_object_id($quote);
        $visible = [];
        foreach ($items as $item) {
            if (!$item->getParentItem()) {
                $visible[] = $item;
            }
        }
        if (!$visible) {
            return;
        }
        $this->pending[$key] ??= ['quote' => $quote, 'opened' => $this->wasEmpty($quote, $visible), 'changes' => []];
        foreach ($visible as $item) {
            $qty = (float) ($item->getQtyToAdd() ?: $item->getQty());
            if ($qty > 0) {
                $this->pending[$key]['changes'][] = [
                    'event' => EventName::ADD_TO_CART,
                    'item' => $item,
                    'qty' => $qty,
                ];
            }
        }
    }

    /**
     * A line removed by Quote::removeItem (its whole quantity).
     *
     * @param object $item
     * @return void
     */
    public function removed(object $item): void
    {
        $quote = $item->getQuote();
        if (!$quote || $item->getParentItem() || !$item->getId()) {
            return;
        }
        $key = spl_object_id($quote);
        $this->pending[$key] ??= ['quote' => $quote, 'opened' => false, 'changes' => []];
        $this->pending[$key]['changes'][] = [
            'event' => EventName::REMOVE_FROM_CART,
            'item' => $item,
            'qty' => (float) ($item->getOrigData('qty') ?? $item->getQty()),
        ];
    }

    /**
     * Quantities before the cart page's update (checkout_cart_update_items_before).
     *
     * @param object $quote
     * @return void
     */
    public function beforeUpdate(object $quote): void
    {
        $quantities = [];
        foreach ($quote->getAllVisibleItems() as $item) {
            if ($item->getId()) {
                $quantities[(int) $item->getId()] = (float) $item->getQty();
            }
        }
        $this->before[spl_object_id($quote)] = $quantities;
    }

    /**
     * The cart page's quantity changes (checkout_cart_update_items_after).
     *
     * Removals were already recorded by removed().
     *
     * @param object $quote
     * @return void
     */
    public function afterUpdate(object $quote): void
    {
        $key = spl_object_id($quote);
        $before = $this->before[$key] ?? [];
        unset($this->before[$key]);
        foreach ($quote->getAllVisibleItems() as $item) {
            $id = (int) $item->getId();
            if (!isset($before[$id]) || $item->isDeleted()) {
                continue;
            }
            $delta = (float) $item->getQty() - $before[$id];
            if (abs($delta) < 0.0001) {
                continue;
            }
            $this->pending[$key] ??= ['quote' => $quote, 'opened' => false, 'changes' => []];
            $this->pending[$key]['changes'][] = [
                'event' => $delta > 0 ? EventName::ADD_TO_CART : EventName::REMOVE_FROM_CART,
                'item' => $item,
                'qty' => abs($delta),
            ];
        }
    }

    /**
     * The changes recorded for $quote, forgotten once taken.
     *
     * @param object $quote
     * @return array|null ['quote' => ..., 'opened' => bool, 'changes' => [['event', 'item', 'qty'], ...]]
     */
    public function take(object $quote): ?array
    {
        $key = spl_object_id($quote);
        $pending = $this->pending[$key] ?? null;
        unset($this->pending[$key]);
        return $pending && $pending['changes'] ? $pending : null;
    }

    /**
     * Whether the cart had no lines before these were added.
     *
     * @param object $quote
     * @param object[] $added
     * @return bool
     */
    private function wasEmpty(object $quote, array $added): bool
    {
        foreach ($added as $item) {
            if ($item->getId()) {
                return false;
            }
        }
        foreach ($quote->getAllVisibleItems() as $item) {
            if (!in_array($item, $added, true) && !$item->isDeleted()) {
                return false;
            }
        }
        return true;
    }
}
