<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use XdmRelay\Connector\Model\Extension;

/** Records what the module asks of the extension; can be told to throw like a broken one. */
class FakeExtension extends Extension
{
    public array $emitted = [];
    public array $mapped = [];
    public array $configured = [];
    public ?\Throwable $throw = null;

    public function __construct()
    {
        parent::__construct(new TestLogger(), new ArrayCache());
    }

    public function isLoaded(): bool
    {
        return true;
    }

    public function configure(array $settings): void
    {
        $this->configured[] = $settings;
    }

    public function emit(string $event, array $payload, array $destination): string
    {
        if ($this->throw) {
            throw $this->throw;
        }
        $this->emitted[] = ['event' => $event, 'payload' => $payload, 'destination' => $destination];
        return 'id-' . count($this->emitted);
    }

    public function map(string $event, array $payload): string
    {
        $this->mapped[] = ['event' => $event, 'payload' => $payload];
        return '{}';
    }

    public function flush(float $timeoutSeconds): bool
    {
        return true;
    }

    public function stats(): array
    {
        return ['spool_bytes' => 0, 'spool_events' => 0, 'queued' => 0, 'accepted' => count($this->emitted), 'delivered' => 0, 'failed' => 0, 'dropped' => 0, 'last_error' => '', 'last_delivery_at' => null];
    }

    public function testConnection(array $destination): array
    {
        return ['ok' => true, 'status' => 400, 'message' => 'datastream and credentials accepted', 'latency_ms' => 12.5];
    }

    public function version(): string
    {
        return 'fake';
    }
}
