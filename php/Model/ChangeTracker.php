<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

/**
 * What a save changed, recorded in *_save_before and read after the commit.
 *
 * Keyed by the object itself (WeakMap) so a rolled-back save leaves nothing behind. Also holds
 * what must wait for another object's commit: Magento commits an invoice captured online inside
 * the order's save, before the order itself (its commit callback is registered first), so the
 * invoice's event is held until the order's has gone out.
 */
class ChangeTracker
{
    /**
     * @var \WeakMap<object, array{new: bool, state: ?string, status: ?string, changed: bool}>
     */
    private \WeakMap $changes;

    /**
     * @var \WeakMap<object, list<callable(): void>>
     */
    private \WeakMap $waiting;

    /**
     * @var \WeakMap<object, true>
     */
    private \WeakMap $cancelled;

    /**
     * Set up empty maps.
     */
    public function __construct()
    {
        $this->changes = new \WeakMap();
        $this->waiting = new \WeakMap();
        $this->cancelled = new \WeakMap();
    }

    /**
     * Remember whether the model is new, its state before the save, and whether any watched field changed.
     *
     * @param object $model
     * @param string[] $watched fields whose change counts (empty: every save counts as a change)
     * @return void
     */
    public function record(object $model, array $watched = []): void
    {
        $isNew = method_exists($model, 'isObjectNew') ? (bool) $model->isObjectNew() : false;
        $isNew = $isNew || (method_exists($model, 'getId') && !$model->getId());
        $orig = method_exists($model, 'getOrigData') ? $model->getOrigData() : null;
        $changed = $watched === [];
        foreach ($watched as $field) {
            if (method_exists($model, 'dataHasChangedFor') && $model->dataHasChangedFor($field)) {
                $changed = true;
                break;
            }
        }
        $this->changes[$model] = [
            'new' => $isNew || $orig === null,
            'state' => is_array($orig) ? ($orig['state'] ?? null) : null,
            'status' => is_array($orig) ? ($orig['status'] ?? null) : null,
            'changed' => $changed,
        ];
    }

    /**
     * The recorded change of a committed model, forgotten once read.
     *
     * @param object $model
     * @return array{new: bool, state: ?string, status: ?string, changed: bool}|null
     */
    public function take(object $model): ?array
    {
        if (!isset($this->changes[$model])) {
            return null;
        }
        $change = $this->changes[$model];
        unset($this->changes[$model]);
        return $change;
    }

    /**
     * Whether a save of this new model has begun and not yet committed.
     *
     * @param object $model
     * @return bool
     */
    public function isBeingCreated(object $model): bool
    {
        return isset($this->changes[$model]) && $this->changes[$model]['new'];
    }

    /**
     * Run $emit once $model's own commit has been handled (see release()).
     *
     * @param object $model
     * @param callable $emit called without arguments
     * @return void
     */
    public function afterCommitOf(object $model, callable $emit): void
    {
        $queue = $this->waiting[$model] ?? [];
        $queue[] = $emit;
        $this->waiting[$model] = $queue;
    }

    /**
     * Run what waited for $model's commit, in the order it arrived.
     *
     * @param object $model
     * @return void
     */
    public function release(object $model): void
    {
        $queue = $this->waiting[$model] ?? [];
        unset($this->waiting[$model]);
        foreach ($queue as $emit) {
            $emit();
        }
    }

    /**
     * Order::cancel() ran on this order (order_cancel_after).
     *
     * The state may stay processing or complete when invoiced items remain, so the state alone
     * does not tell.
     *
     * @param object $order
     * @return void
     */
    public function markCancelled(object $order): void
    {
        $this->cancelled[$order] = true;
    }

    /**
     * Whether Order::cancel() ran on this order since it was loaded; forgotten once read.
     *
     * @param object $order
     * @return bool
     */
    public function takeCancelled(object $order): bool
    {
        $cancelled = isset($this->cancelled[$order]);
        unset($this->cancelled[$order]);
        return $cancelled;
    }
}
