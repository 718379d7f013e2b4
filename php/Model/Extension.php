<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Magento\Framework\App\CacheInterface;
use Psr\Log\LoggerInterface;

/**
 * The xdm_relay extension as a service.
 *
 * The one place that calls its functions, so that a store without the extension keeps working
 * (one notice, no calls) and tests can substitute it.
 */
class Extension
{
    /**
     * Cache entry that says the missing-extension notice was logged; PHP forgets static state
     * between requests, so without it every FPM request would log it again.
     */
    private const NOTICE_CACHE_KEY = 'xdm_relay_extension_missing_logged';
    private const NOTICE_INTERVAL_S = 86400;

    /**
     * @var array<string, mixed>|null the settings last passed to xdm_relay_configure()
     */
    private ?array $configured = null;

    /**
     * @var bool whether the notice was already considered in this request
     */
    private bool $noticeChecked = false;

    /**
     * @param LoggerInterface $logger
     * @param CacheInterface $cache
     */
    public function __construct(private readonly LoggerInterface $logger, private readonly CacheInterface $cache)
    {
    }

    /**
     * Whether the extension is loaded; logs a notice (once a day) when it is not.
     *
     * @return bool
     */
    public function isLoaded(): bool
    {
        if (extension_loaded('xdm_relay')) {
            return true;
        }
        if (!$this->noticeChecked) {
            $this->noticeChecked = true;
            if (!$this->cache->load(self::NOTICE_CACHE_KEY)) {
                $this->cache->save('1', self::NOTICE_CACHE_KEY, [], self::NOTICE_INTERVAL_S);
                $this->logger->notice(
                    'XDM Relay: the xdm_relay PHP extension is not loaded; no events are sent. '
                    . 'Add extension=xdm_relay to php.ini for both CLI and PHP-FPM.'
                );
            }
        }
        return false;
    }

    /**
     * Pass the settings to the extension; nothing to do when they did not change in this process.
     *
     * @param array $settings
     * @return void
     */
    public function configure(array $settings): void
    {
        if ($settings === $this->configured) {
            return;
        }
        \xdm_relay_configure($settings);
        $this->configured = $settings;
    }

    /**
     * Map, spool and queue one event; its _id.
     *
     * @param string $event
     * @param array $payload
     * @param array $destination
     * @return string
     */
    public function emit(string $event, array $payload, array $destination): string
    {
        return \xdm_relay_emit($event, $payload, $destination);
    }

    /**
     * The XDM document of an event, without sending it.
     *
     * @param string $event
     * @param array $payload
     * @return string
     */
    public function map(string $event, array $payload): string
    {
        return \xdm_relay_map($event, $payload);
    }

    /**
     * Delivery counters of this process and of the spool.
     *
     * @return array
     */
    public function stats(): array
    {
        return \xdm_relay_stats();
    }

    /**
     * One synchronous request to the Edge (and IMS).
     *
     * @param array $destination
     * @return array
     */
    public function testConnection(array $destination): array
    {
        return \xdm_relay_test_connection($destination);
    }

    /**
     * The schema of a destination's dataset and its custom fields, read from the Platform APIs.
     *
     * @param array $destination
     * @return array
     * @throws \Exception \XdmRelay\PlatformException when a Platform API refuses or does not answer
     */
    public function datasetSchema(array $destination): array
    {
        return \xdm_relay_dataset_schema($destination);
    }

    /**
     * Wait for delivery of what this process accepted.
     *
     * @param float $timeoutSeconds
     * @return bool
     */
    public function flush(float $timeoutSeconds): bool
    {
        return \xdm_relay_flush($timeoutSeconds);
    }

    /**
     * The extension's version.
     *
     * @return string
     */
    public function version(): string
    {
        return (string) phpversion('xdm_relay');
    }
}
