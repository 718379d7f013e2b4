<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

/**
 * What a save changed, recorded in *_save_before and read after the commit. Keyed by the object
 * itself (WeakMap) so a rolled-back save leaves nothing behind.
 */
class ChangeTracker
{
    private \WeakMap $changes;

    public function __construct()
    {
        $this->changes = new \WeakMap();
    }

    public function record(object $model): void
    {
        $isNew = method_exists($model, 'isObjectNew') ? (bool) $model->isObjectNew() : false;
        $isNew = $isNew || (method_exists($model, 'getId') && !$model->getId());
        $orig = method_exists($model, 'getOrigData') ? $model->getOrigData() : null;
        $this->changes[$model] = [
            'new' => $isNew || $orig === null,
            'state' => is_array($orig) ? ($orig['state'] ?? null) : null,
            'status' => is_array($orig) ? ($orig['status'] ?? null) : null,
        ];
    }

    /** @return array{new: bool, state: ?string, status: ?string}|null */
    public function take(object $model): ?array
    {
        if (!isset($this->changes[$model])) {
            return null;
        }
        $change = $this->changes[$model];
        unset($this->changes[$model]);
        return $change;
    }
}
