<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\App\Filesystem\DirectoryList;
use Magento\Store\Model\ScopeInterface;

/**
 * Reads Stores › Configuration › Services › XDM Relay.
 *
 * Website ids are ?int throughout (null: the current website): union types would break the
 * interceptor and proxy generators of Magento 2.4.6.
 */
class Config
{
    public const SECTION = 'xdm_relay';

    /**
     * What can be an XDM field under the tenant namespace (and so a custom attribute).
     */
    public const FIELD_NAME = '/^[A-Za-z_][A-Za-z0-9_]*$/';

    /**
     * What an AEP datastream or dataset id looks like (UUIDs, 24-hex ids, the emulator's names).
     */
    public const AEP_ID = '/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/';

    /**
     * @param ScopeConfigInterface $scopeConfig
     * @param DirectoryList $directories
     */
    public function __construct(
        private readonly ScopeConfigInterface $scopeConfig,
        private readonly DirectoryList $directories
    ) {
    }

    /**
     * The process-wide settings array for xdm_relay_configure().
     *
     * @return array<string, mixed>
     */
    public function extensionSettings(): array
    {
        $settings = ['edge_url' => $this->global('general/edge_url') ?: 'https://server.adobedc.net'];
        if ($this->global('general/platform_url') !== '') {
            $settings['platform_url'] = $this->global('general/platform_url');
        }
        $paths = [
            'org_id' => 'general/org_id',
            'environment_id' => 'general/environment_id',
            'tenant_id' => 'general/tenant_id',
        ];
        foreach ($paths as $key => $path) {
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
        // The spool must outlive reboots and be shared by the PHP-FPM and the cron/CLI users:
        // var/ of the Magento installation is both, unlike the system temp dir. php.ini wins.
        if (trim((string) ini_get('xdm_relay.spool_dir')) === '') {
            $settings['spool_dir'] = $this->directories->getPath(DirectoryList::VAR_DIR) . '/xdm-relay';
        }
        return $settings;
    }

    /**
     * Whether back-office events are on and have somewhere to go.
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function backofficeEnabled(?int $websiteId): bool
    {
        return $this->websiteFlag('events/backoffice_events', $websiteId)
            && $this->website('events/datastream_id', $websiteId) !== '';
    }

    /**
     * Whether profile records are on and have somewhere to go.
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function profilesEnabled(?int $websiteId): bool
    {
        return $this->websiteFlag('events/customer_profiles', $websiteId)
            && $this->profileDestination($websiteId)['datastream_id'] !== '';
    }

    /**
     * Where back-office events of the website go.
     *
     * @param int|null $websiteId
     * @return array{datastream_id: string, dataset_id?: string}
     */
    public function eventDestination(?int $websiteId): array
    {
        return $this->destination(
            $this->website('events/datastream_id', $websiteId),
            $this->website('events/dataset_id', $websiteId)
        );
    }

    /**
     * Where profile records of the website go.
     *
     * @param int|null $websiteId
     * @return array{datastream_id: string, dataset_id?: string}
     */
    public function profileDestination(?int $websiteId): array
    {
        $datastream = $this->websiteFlag('events/profile_same_datastream', $websiteId)
            ? $this->website('events/datastream_id', $websiteId)
            : $this->website('events/profile_datastream_id', $websiteId);
        return $this->destination($datastream, $this->website('events/profile_dataset_id', $websiteId));
    }

    /**
     * Where historical orders of the website go.
     *
     * @param int|null $websiteId
     * @return array{datastream_id: string, dataset_id?: string}
     */
    public function historyDestination(?int $websiteId): array
    {
        $dataset = $this->websiteFlag('history/copy_dataset', $websiteId)
            ? $this->website('events/dataset_id', $websiteId)
            : $this->website('history/dataset_id', $websiteId);
        return $this->destination($this->website('events/datastream_id', $websiteId), $dataset);
    }

    /**
     * The history sync's pace.
     *
     * @param int|null $websiteId
     * @return int
     */
    public function historyEventsPerSecond(?int $websiteId): int
    {
        return max(1, (int) ($this->website('history/events_per_second', $websiteId) ?: 200));
    }

    /**
     * Order columns sent as custom attributes.
     *
     * @param int|null $websiteId
     * @return string[]
     */
    public function orderCustomAttributes(?int $websiteId): array
    {
        return $this->list($this->website('events/order_custom_attributes', $websiteId));
    }

    /**
     * Order item columns sent as custom attributes.
     *
     * @param int|null $websiteId
     * @return string[]
     */
    public function itemCustomAttributes(?int $websiteId): array
    {
        return $this->list($this->website('events/item_custom_attributes', $websiteId));
    }

    /**
     * Whether storefront events are on for the website and have somewhere to go.
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function storefrontEnabled(?int $websiteId): bool
    {
        return $this->websiteFlag('storefront/enabled', $websiteId)
            && $this->storefrontDestination($websiteId)['datastream_id'] !== '';
    }

    /**
     * Whether the storefront pages carry the beacon (page and product views of cached pages).
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function beaconEnabled(?int $websiteId): bool
    {
        return $this->storefrontEnabled($websiteId) && $this->websiteFlag('storefront/beacon', $websiteId);
    }

    /**
     * Whether the merchant's own AEP Web SDK runs on the storefront (it sends the page views).
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function webSdkDeployed(?int $websiteId): bool
    {
        return $this->websiteFlag('storefront/websdk_deployed', $websiteId);
    }

    /**
     * Whether an mg_dnt cookie stops storefront events, as it stops Adobe's collector.
     *
     * @param int|null $websiteId
     * @return bool
     */
    public function respectsDnt(?int $websiteId): bool
    {
        return $this->websiteFlag('storefront/respect_dnt', $websiteId);
    }

    /**
     * How long the first-party device id cookie lives, in days.
     *
     * @param int|null $websiteId
     * @return int
     */
    public function deviceIdLifetimeDays(?int $websiteId): int
    {
        return max(1, min(3650, (int) ($this->website('storefront/fpid_lifetime_days', $websiteId) ?: 395)));
    }

    /**
     * Where storefront events of the website go: their own datastream when set, else the event one.
     *
     * @param int|null $websiteId
     * @return array{datastream_id: string, dataset_id?: string}
     */
    public function storefrontDestination(?int $websiteId): array
    {
        $datastream = $this->website('storefront/datastream_id', $websiteId);
        if ($datastream === '') {
            return $this->eventDestination($websiteId);
        }
        return $this->destination($datastream, $this->website('storefront/dataset_id', $websiteId));
    }

    /**
     * The AEP organization id (names the Web SDK's identity cookie).
     *
     * @return string
     */
    public function orgId(): string
    {
        return $this->global('general/org_id');
    }

    /**
     * The tenant namespace custom attributes are sent under, without the leading underscore.
     *
     * @return string
     */
    public function tenantId(): string
    {
        return ltrim($this->global('general/tenant_id'), '_');
    }

    /**
     * A global setting, trimmed.
     *
     * @param string $path
     * @return string
     */
    private function global(string $path): string
    {
        return trim((string) $this->scopeConfig->getValue(self::SECTION . '/' . $path));
    }

    /**
     * A website setting, trimmed.
     *
     * @param string $path
     * @param int|null $websiteId
     * @return string
     */
    private function website(string $path, ?int $websiteId): string
    {
        $value = $this->scopeConfig->getValue(self::SECTION . '/' . $path, ScopeInterface::SCOPE_WEBSITE, $websiteId);
        return trim((string) $value);
    }

    /**
     * A website yes/no setting.
     *
     * @param string $path
     * @param int|null $websiteId
     * @return bool
     */
    private function websiteFlag(string $path, ?int $websiteId): bool
    {
        return $this->scopeConfig->isSetFlag(self::SECTION . '/' . $path, ScopeInterface::SCOPE_WEBSITE, $websiteId);
    }

    /**
     * A destination array for the extension.
     *
     * An id that cannot be one (set with bin/magento config:set past the admin's check) counts
     * as not configured: events stay off instead of being accepted and never delivered.
     *
     * @param string $datastream
     * @param string $dataset
     * @return array{datastream_id: string, dataset_id?: string}
     */
    private function destination(string $datastream, string $dataset): array
    {
        $destination = ['datastream_id' => preg_match(self::AEP_ID, $datastream) ? $datastream : ''];
        if (preg_match(self::AEP_ID, $dataset)) {
            $destination['dataset_id'] = $dataset;
        }
        return $destination;
    }

    /**
     * A comma-separated list of field names, without those that cannot be XDM fields.
     *
     * Such names (set with bin/magento config:set, past the admin's check) are ignored rather
     * than cost every event.
     *
     * @param string $value
     * @return string[]
     */
    private function list(string $value): array
    {
        $names = array_map('trim', explode(',', $value));
        return array_values(array_filter($names, static fn (string $s) => (bool) preg_match(self::FIELD_NAME, $s)));
    }
}
