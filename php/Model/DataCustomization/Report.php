<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\DataCustomization;

use Magento\Framework\App\CacheInterface;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Extension;

/**
 * Data customization: per configured dataset, the custom order and item attributes the store
 * sends beside those the dataset's schema in Experience Platform declares.
 *
 * Advisory only: nothing here changes what is sent. Reading the schemas blocks on Adobe's
 * Platform APIs, so a report is cached with its time and read again only on Refresh.
 */
class Report
{
    public const CACHE_TAG = 'XDM_RELAY_DATA_CUSTOMIZATION';
    private const CACHE_KEY = 'xdm_relay_data_customization_';
    private const CACHE_LIFETIME_S = 30 * 86400;

    /**
     * The datasets a website sends to, in the order the report shows them.
     */
    public const ROLES = ['event' => 'event dataset', 'history' => 'history dataset', 'profile' => 'profile dataset'];

    /**
     * @param Config $config
     * @param Extension $extension
     * @param AttributeComparison $comparison
     * @param RecentOrders $recentOrders
     * @param CacheInterface $cache
     */
    public function __construct(
        private readonly Config $config,
        private readonly Extension $extension,
        private readonly AttributeComparison $comparison,
        private readonly RecentOrders $recentOrders,
        private readonly CacheInterface $cache
    ) {
    }

    /**
     * The cached report of the website; null when none was made yet.
     *
     * @param int|null $websiteId
     * @return array|null
     */
    public function cached(?int $websiteId): ?array
    {
        $text = $this->cache->load($this->key($websiteId));
        $report = is_string($text) ? json_decode($text, true) : null;
        return is_array($report) ? $report : null;
    }

    /**
     * A fresh report: the schemas read again from Experience Platform, then cached.
     *
     * @param int|null $websiteId
     * @return array
     */
    public function refresh(?int $websiteId): array
    {
        $report = $this->build($websiteId);
        $this->cache->save(
            (string) json_encode($report),
            $this->key($websiteId),
            [self::CACHE_TAG],
            self::CACHE_LIFETIME_S
        );
        return $report;
    }

    /**
     * The cached report, or a fresh one when there is none.
     *
     * @param int|null $websiteId
     * @return array
     */
    public function get(?int $websiteId): array
    {
        return $this->cached($websiteId) ?? $this->refresh($websiteId);
    }

    /**
     * Cache key of a website's report.
     *
     * @param int|null $websiteId
     * @return string
     */
    private function key(?int $websiteId): string
    {
        return self::CACHE_KEY . ($websiteId ?? 'default');
    }

    /**
     * The report, with every dataset read from the Platform APIs now.
     *
     * @param int|null $websiteId
     * @return array
     */
    private function build(?int $websiteId): array
    {
        $orderAttributes = $this->config->orderCustomAttributes($websiteId);
        $itemAttributes = $this->config->itemCustomAttributes($websiteId);
        $report = [
            'website_id' => $websiteId,
            'fetched_at' => gmdate('Y-m-d\TH:i:s\Z'),
            'tenant_id' => $this->config->tenantId(),
            'order_attributes' => $orderAttributes,
            'item_attributes' => $itemAttributes,
            'recent' => $this->recentOrders->filled($websiteId, $orderAttributes, $itemAttributes),
            'datasets' => [],
            'unconfigured' => [],
        ];
        $destinations = [
            'event' => $this->config->eventDestination($websiteId),
            'history' => $this->config->historyDestination($websiteId),
            'profile' => $this->config->profileDestination($websiteId),
        ];
        $byDataset = [];
        foreach ($destinations as $role => $destination) {
            $dataset = (string) ($destination['dataset_id'] ?? '');
            if ($dataset === '') {
                $report['unconfigured'][] = $role;
                continue;
            }
            $byDataset[$dataset]['roles'][] = $role;
            $byDataset[$dataset]['destination'] = $destination;
        }
        $configured = false;
        foreach ($byDataset as $dataset => $entry) {
            if (!$configured && $this->extension->isLoaded()) {
                $this->extension->configure($this->config->extensionSettings());
                $configured = true;
            }
            $report['datasets'][] = $this->dataset((string) $dataset, $entry['roles'], $entry['destination'], $report);
        }
        return $report;
    }

    /**
     * One dataset's part of the report.
     *
     * @param string $dataset
     * @param string[] $roles
     * @param array $destination
     * @param array $report the report so far (store side)
     * @return array
     */
    private function dataset(string $dataset, array $roles, array $destination, array $report): array
    {
        $entry = ['dataset_id' => $dataset, 'roles' => $roles, 'ok' => false, 'status' => 0, 'error' => '',
            'warnings' => [], 'order' => [], 'item' => []];
        if (!$this->extension->isLoaded()) {
            $entry['error'] = 'The xdm_relay PHP extension is not loaded on this server.';
            return $entry;
        }
        try {
            $schema = $this->extension->datasetSchema($destination);
        } catch (\Exception $e) {
            // \XdmRelay\PlatformException: the message says what to check, the code is the HTTP status.
            $entry['status'] = (int) $e->getCode();
            $entry['error'] = $e->getMessage();
            return $entry;
        }
        $tenant = (string) $schema['tenant_id'];
        // Profile records carry no order or item attributes; event and history datasets both do.
        $sendsAttributes = array_diff($roles, ['profile']) !== [];
        $order = $sendsAttributes ? $report['order_attributes'] : [];
        $items = $sendsAttributes ? $report['item_attributes'] : [];
        $entry = array_merge($entry, [
            'ok' => true,
            'status' => 200,
            'dataset_name' => $schema['dataset_name'],
            'sandbox' => $schema['sandbox'],
            'schema_id' => $schema['schema_id'],
            'schema_title' => $schema['schema_title'],
            'schema_tenant_id' => $tenant,
            'order' => $this->withSeen(
                $this->comparison->compare(
                    $order,
                    $schema['order_fields'],
                    "commerce.order._$tenant",
                    'Order custom attributes'
                ),
                $report['recent']['order'],
                $report['recent']['orders']
            ),
            'item' => $this->withSeen(
                $this->comparison->compare(
                    $items,
                    $schema['item_fields'],
                    "productListItems[]._$tenant",
                    'Order item custom attributes'
                ),
                $report['recent']['item'],
                $report['recent']['items']
            ),
        ]);
        if (($order || $items) && $report['tenant_id'] === '') {
            $entry['warnings'][] = sprintf(
                'No Tenant ID is set, so no custom attribute is sent at all: set Tenant ID to %s.',
                $tenant
            );
        } elseif (($order || $items) && $report['tenant_id'] !== $tenant) {
            $entry['warnings'][] = sprintf(
                'The Tenant ID setting (%s) is not the organization\'s tenant (%s): custom attributes go under _%s, '
                . 'which the schema does not have. Set Tenant ID to %s.',
                $report['tenant_id'],
                $tenant,
                $report['tenant_id'],
                $tenant
            );
        }
        if (!$sendsAttributes) {
            $entry['warnings'][] = 'Profile records carry no custom order or item attributes.';
        }
        return $entry;
    }

    /**
     * Adds what the latest orders hold to the store's side of each row.
     *
     * @param array $rows
     * @param array $filled per name: non-empty count, or null when the name is no column
     * @param int $of how many orders or items were looked at
     * @return array
     */
    private function withSeen(array $rows, array $filled, int $of): array
    {
        foreach ($rows as &$row) {
            if ($row['store'] === null) {
                $row['seen'] = '';
                continue;
            }
            $count = $filled[$row['store']] ?? null;
            $row['seen'] = $count === null ? 'not a column' : sprintf('%d of %d', $count, $of);
            if ($count === null) {
                $row['hint'] = trim($row['hint'] . ' The store has no such column, so nothing is sent for it.');
            }
        }
        return $rows;
    }
}
