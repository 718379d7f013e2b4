<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Store\Model\ScopeInterface;

/** Reads Stores › Configuration › Services › XDM Relay. */
class Config
{
    public const SECTION = 'xdm_relay';

    public function __construct(private readonly ScopeConfigInterface $scopeConfig)
    {
    }

    private function global(string $path): string
    {
        return trim((string) $this->scopeConfig->getValue(self::SECTION . '/' . $path));
    }

    private function website(string $path, int|string|null $websiteId): string
    {
        return trim((string) $this->scopeConfig->getValue(self::SECTION . '/' . $path, ScopeInterface::SCOPE_WEBSITE, $websiteId));
    }

    private function websiteFlag(string $path, int|string|null $websiteId): bool
    {
        return $this->scopeConfig->isSetFlag(self::SECTION . '/' . $path, ScopeInterface::SCOPE_WEBSITE, $websiteId);
    }

    /** The process-wide settings array for xdm_relay_configure(). */
    public function extensionSettings(): array
    {
        $settings = ['edge_url' => $this->global('general/edge_url') ?: 'https://server.adobedc.net'];
        foreach (['org_id' => 'general/org_id', 'environment_id' => 'general/environment_id', 'tenant_id' => 'general/tenant_id'] as $key => $path) {
            $value = $this->global($path);
            if ($value !== '') {
                $settings[$key] = $value;
            }
        }
        if ($this->global('auth/type') === 'oauth' && $this->global('auth/client_id') !== '') {
            $settings['auth'] = [
                'type' => 'oauth',
                'client_id' => $this->global('auth/client_id'),
                'client_secret' => $this->global('auth/client_secret'),
                'scopes' => $this->global('auth/scopes'),
                'ims_url' => $this->global('auth/ims_url'),
            ];
        }
        return $settings;
    }

    public function backofficeEnabled(int|string|null $websiteId): bool
    {
        return $this->websiteFlag('events/backoffice_events', $websiteId) && $this->website('events/datastream_id', $websiteId) !== '';
    }

    public function profilesEnabled(int|string|null $websiteId): bool
    {
        return $this->websiteFlag('events/customer_profiles', $websiteId) && $this->profileDestination($websiteId)['datastream_id'] !== '';
    }

    /** @return array{datastream_id: string, dataset_id?: string} */
    public function eventDestination(int|string|null $websiteId): array
    {
        return $this->destination($this->website('events/datastream_id', $websiteId), $this->website('events/dataset_id', $websiteId));
    }

    /** @return array{datastream_id: string, dataset_id?: string} */
    public function profileDestination(int|string|null $websiteId): array
    {
        $datastream = $this->websiteFlag('events/profile_same_datastream', $websiteId)
            ? $this->website('events/datastream_id', $websiteId)
            : $this->website('events/profile_datastream_id', $websiteId);
        return $this->destination($datastream, $this->website('events/profile_dataset_id', $websiteId));
    }

    /** @return array{datastream_id: string, dataset_id?: string} */
    public function historyDestination(int|string|null $websiteId): array
    {
        $dataset = $this->websiteFlag('history/copy_dataset', $websiteId)
            ? $this->website('events/dataset_id', $websiteId)
            : $this->website('history/dataset_id', $websiteId);
        return $this->destination($this->website('events/datastream_id', $websiteId), $dataset);
    }

    public function historyEventsPerSecond(int|string|null $websiteId): int
    {
        return max(1, (int) ($this->website('history/events_per_second', $websiteId) ?: 200));
    }

    /** @return list<string> */
    public function orderCustomAttributes(int|string|null $websiteId): array
    {
        return $this->list($this->website('events/order_custom_attributes', $websiteId));
    }

    /** @return list<string> */
    public function itemCustomAttributes(int|string|null $websiteId): array
    {
        return $this->list($this->website('events/item_custom_attributes', $websiteId));
    }

    private function destination(string $datastream, string $dataset): array
    {
        $destination = ['datastream_id' => $datastream];
        if ($dataset !== '') {
            $destination['dataset_id'] = $dataset;
        }
        return $destination;
    }

    /** @return list<string> */
    private function list(string $value): array
    {
        return array_values(array_filter(array_map('trim', explode(',', $value)), static fn (string $s) => $s !== ''));
    }
}
