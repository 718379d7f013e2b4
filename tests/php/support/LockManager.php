<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\Lock\LockManagerInterface;

/** Named locks; $heldElsewhere are held by another process (lock() fails on them, as with a 0 timeout). */
class LockManager implements LockManagerInterface
{
    public array $held = [];

    public function __construct(public array $heldElsewhere = [])
    {
    }

    public function lock(string $name, int $timeout = -1): bool
    {
        if (isset($this->held[$name]) || in_array($name, $this->heldElsewhere, true)) {
            return false;
        }
        $this->held[$name] = true;
        return true;
    }

    public function unlock(string $name): bool
    {
        $was = isset($this->held[$name]);
        unset($this->held[$name]);
        return $was;
    }

    public function isLocked(string $name): bool
    {
        return isset($this->held[$name]) || in_array($name, $this->heldElsewhere, true);
    }
}
