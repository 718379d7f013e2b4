<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Psr\Log\LoggerInterface;

/**
 * The xdm_relay extension as a service: the one place that calls its functions, so that a store
 * without the extension keeps working (one notice, no calls) and tests can substitute it.
 */
class Extension
{
    private static bool $noticeLogged = false;
    private ?string $configuredHash = null;

    public function __construct(private readonly LoggerInterface $logger)
    {
    }

    public function isLoaded(): bool
    {
        if (extension_loaded('xdm_relay')) {
            return true;
        }
        if (!self::$noticeLogged) {
            self::$noticeLogged = true;
            $this->logger->notice(
                'XDM Relay: the xdm_relay PHP extension is not loaded; no events are sent. '
                . 'Add extension=xdm_relay to php.ini for both CLI and PHP-FPM.'
            );
        }
        return false;
    }

    /** Cheap when the settings did not change since the last call in this process. */
    public function configure(array $settings): void
    {
        $hash = md5(serialize($settings));
        if ($hash === $this->configuredHash) {
            return;
        }
        \xdm_relay_configure($settings);
        $this->configuredHash = $hash;
    }

    public function emit(string $event, array $payload, array $destination): string
    {
        return \xdm_relay_emit($event, $payload, $destination);
    }

    public function map(string $event, array $payload): string
    {
        return \xdm_relay_map($event, $payload);
    }

    public function stats(): array
    {
        return \xdm_relay_stats();
    }

    public function testConnection(array $destination): array
    {
        return \xdm_relay_test_connection($destination);
    }

    public function flush(float $timeoutSeconds): bool
    {
        return \xdm_relay_flush($timeoutSeconds);
    }

    public function version(): string
    {
        return (string) phpversion('xdm_relay');
    }
}
