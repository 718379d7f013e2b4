<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Psr\Log\LoggerInterface;

/**
 * Hands one event to the extension. Never throws: a failure here must not fail the order or
 * customer save that triggered it, so every Throwable is logged with its reference.
 */
class Emitter
{
    /** @var array<string, true> events already emitted in this request (same object committed twice) */
    private array $emitted = [];

    public function __construct(
        private readonly Extension $extension,
        private readonly Config $config,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @param string $guardKey identifies the business event (e.g. "orderPlaced:42") so that a
     *                         second commit of the same object in one request emits nothing
     * @param string $reference what the log names: the order number or customer id
     */
    public function emit(string $event, callable $payload, array $destination, string $guardKey, string $reference): ?string
    {
        if (isset($this->emitted[$guardKey])) {
            return null;
        }
        try {
            if (!$this->extension->isLoaded()) {
                return null;
            }
            $this->extension->configure($this->config->extensionSettings());
            $id = $this->extension->emit($event, $payload(), $destination);
            $this->emitted[$guardKey] = true;
            return $id;
        } catch (\Throwable $e) {
            $this->logger->error(sprintf('XDM Relay: %s for %s was not sent: %s', $event, $reference, $e->getMessage()), [
                'exception' => $e,
                'event' => $event,
                'reference' => $reference,
            ]);
            return null;
        }
    }
}
