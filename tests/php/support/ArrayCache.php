<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\App\CacheInterface;

/** Magento's cache in memory: load() is false for a missing or expired entry, as App\Cache's. */
class ArrayCache implements CacheInterface
{
    /** @var array<string, array{data: string, tags: array, expires: ?int}> */
    public array $entries = [];
    public int $now;

    public function __construct()
    {
        $this->now = time();
    }

    public function getFrontend()
    {
        return null;
    }

    public function load($identifier)
    {
        $entry = $this->entries[$identifier] ?? null;
        if ($entry === null || ($entry['expires'] !== null && $entry['expires'] <= $this->now)) {
            return false;
        }
        return $entry['data'];
    }

    public function save($data, $identifier, $tags = [], $lifeTime = null)
    {
        $this->entries[$identifier] = ['data' => (string) $data, 'tags' => $tags, 'expires' => $lifeTime ? $this->now + (int) $lifeTime : null];
        return true;
    }

    public function remove($identifier)
    {
        unset($this->entries[$identifier]);
        return true;
    }

    public function clean($tags = [])
    {
        $this->entries = [];
        return true;
    }
}
