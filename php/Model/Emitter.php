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

    /**
     * @param Extension $extension
     * @param Config $config
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly Extension $extension,
        private readonly Config $config,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * Hand one event to the extension; its _id, or null when it was not sent (logged).
     *
     * @param string $event the contract event name
     * @param callable $payload builds the payload array (only called when the event is sent)
     * @param array $destination
     * @param string $guardKey identifies the business event (e.g. "orderPlaced:42") so that a
     *                         second commit of the same object in one request emits nothing
     * @param string $reference what the log names: the order number or customer id
     * @return string|null
     */
    public function emit(
        string $event,
        callable $payload,
        array $destination,
        string $guardKey,
        string $reference
    ): ?string {
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
            $message = sprintf('XDM Relay: %s for %s was not sent: %s', $event, $reference, $e->getMessage());
            $this->logger->error($message, [
                'exception' => $e,
                'event' => $event,
                'reference' => $reference,
            ]);
            return null;
        }
    }
}
