<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\Model\AbstractModel;

/**
 * How Magento's resource models save and delete, as far as events go (2.4.6
 * Model/ResourceModel/Db/AbstractDb::save/delete, VersionControl\AbstractDb):
 *
 * - model_save_before and <prefix>_save_before, then the row is written (a new model gets its id);
 * - what is saved inside (relations: an order's invoice, a shipment's tracks) runs in the same
 *   transaction and registers its commit callback first;
 * - an unchanged loaded model (same scalar data as at load) writes nothing and fires nothing;
 * - after the outermost commit, each callback fires model_save_commit_after and
 *   <prefix>_save_commit_after, in registration order; an exception rolls back: no commit events.
 */
class Magento
{
    private int $depth = 0;
    /** @var list<callable> */
    private array $callbacks = [];

    public function __construct(public EventManager $events, public Db $db)
    {
    }

    /** A model as loaded from the database: not new, its data the original data. */
    public static function loaded(AbstractModel $model): AbstractModel
    {
        $model->setOrigData();
        $model->isObjectNew(false);
        return $model;
    }

    /** @param callable|null $inside saves that happen inside this one's transaction */
    public function save(Model $model, ?callable $inside = null): void
    {
        if ($model->getOrigData() !== null && PayloadRows::scalars($model->getData()) == PayloadRows::scalars((array) $model->getOrigData())) {
            return;
        }
        $this->depth++;
        try {
            if (!$model->getId()) {
                $model->isObjectNew(true);
            }
            $this->events->dispatch('model_save_before', ['object' => $model]);
            $this->events->dispatch($model->getEventPrefix() . '_save_before', $model->eventData());
            if (!$model->getId()) {
                $model->setId($this->db->nextId());
            }
            $this->write($model);
            if ($inside) {
                $inside();
            }
            $this->events->dispatch($model->getEventPrefix() . '_save_after', $model->eventData());
            $this->callbacks[] = function () use ($model): void {
                $this->events->dispatch('model_save_commit_after', ['object' => $model]);
                $this->events->dispatch($model->getEventPrefix() . '_save_commit_after', $model->eventData());
            };
        } catch (\Throwable $e) {
            $this->depth--;
            if ($this->depth === 0) {
                $this->callbacks = [];
            }
            throw $e;
        }
        $this->depth--;
        if ($this->depth === 0) {
            $callbacks = $this->callbacks;
            $this->callbacks = [];
            foreach ($callbacks as $callback) {
                $callback();
            }
        }
    }

    /** Magento\Framework\DB\Transaction::save(): the models saved in turn, one commit. */
    public function transaction(Model ...$models): void
    {
        $this->depth++;
        try {
            foreach ($models as $model) {
                $this->save($model);
            }
        } catch (\Throwable $e) {
            $this->depth--;
            if ($this->depth === 0) {
                $this->callbacks = [];
            }
            throw $e;
        }
        $this->depth--;
        if ($this->depth === 0) {
            $callbacks = $this->callbacks;
            $this->callbacks = [];
            foreach ($callbacks as $callback) {
                $callback();
            }
        }
    }

    /** A save that fails after save_before (a constraint violation, an exception in a relation). */
    public function failingSave(Model $model, \Throwable $error): void
    {
        $this->save($model, static function () use ($error): void {
            throw $error;
        });
    }

    public function delete(Model $model): void
    {
        $this->events->dispatch('model_delete_before', ['object' => $model]);
        $this->events->dispatch($model->getEventPrefix() . '_delete_before', $model->eventData());
        match (true) {
            $model instanceof Customer => $this->deleteCustomer((string) $model->getId()),
            $model instanceof Address => $this->deleteAddress((string) $model->getId()),
            default => null,
        };
        $model->isDeleted(true);
        $this->events->dispatch($model->getEventPrefix() . '_delete_after', $model->eventData());
        $this->events->dispatch('model_delete_commit_after', ['object' => $model]);
        $this->events->dispatch($model->getEventPrefix() . '_delete_commit_after', $model->eventData());
    }

    private function write(Model $model): void
    {
        $row = PayloadRows::scalars($model->getData());
        if ($model instanceof Customer) {
            $this->db->customers[(string) $model->getId()] = $row;
        } elseif ($model instanceof Address) {
            $this->db->addresses[(string) $model->getId()] = $row;
        } elseif ($model instanceof Subscriber) {
            $this->db->subscribers = array_values(array_filter($this->db->subscribers, static fn ($r) => (string) $r['subscriber_id'] !== (string) $model->getId()));
            $this->db->subscribers[] = $row;
        }
    }

    private function deleteCustomer(string $id): void
    {
        unset($this->db->customers[$id]);
        foreach ($this->db->addressesOf($id) as $address) {
            unset($this->db->addresses[$address['entity_id']]);
        }
    }

    private function deleteAddress(string $id): void
    {
        unset($this->db->addresses[$id]);
    }
}

final class PayloadRows
{
    public static function scalars(array $data): array
    {
        return array_filter($data, static fn ($v) => $v === null || is_scalar($v));
    }
}
