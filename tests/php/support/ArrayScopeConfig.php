<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\App\Config\ScopeConfigInterface;

/** Config values by path, with website values falling back to default as Magento does. */
class ArrayScopeConfig implements ScopeConfigInterface
{
    /** @param array<string, mixed> $default @param array<string, array<string, mixed>> $websites */
    public function __construct(public array $default = [], public array $websites = [])
    {
    }

    public function getValue($path, $scopeType = self::SCOPE_TYPE_DEFAULT, $scopeCode = null)
    {
        if ($scopeType === 'website' && $scopeCode !== null && array_key_exists($path, $this->websites[(string) $scopeCode] ?? [])) {
            return $this->websites[(string) $scopeCode][$path];
        }
        return $this->default[$path] ?? null;
    }

    public function isSetFlag($path, $scopeType = self::SCOPE_TYPE_DEFAULT, $scopeCode = null)
    {
        return (bool) $this->getValue($path, $scopeType, $scopeCode);
    }
}
