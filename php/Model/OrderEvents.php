<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

/**
 * Emits one order event (the order, plus a document for invoice, shipment and credit memo
 * events) to the website's event dataset, when back-office events are on for it.
 */
class OrderEvents
{
    /**
     * @param Config $config
     * @param PayloadBuilder $payloads
     * @param Emitter $emitter
     */
    public function __construct(
        private readonly Config $config,
        private readonly PayloadBuilder $payloads,
        private readonly Emitter $emitter
    ) {
    }

    /**
     * Emit $event for $order.
     *
     * @param string $event a contract event name
     * @param object $order the order model
     * @param string $guardKey the business event (a second emit of it in this request is skipped)
     * @param string|null $documentKey the payload key of the document: invoice, shipment, creditmemo, rma
     * @param object|null $document the document model
     * @return void
     */
    public function emit(
        string $event,
        object $order,
        string $guardKey,
        ?string $documentKey = null,
        ?object $document = null
    ): void {
        $websiteId = $this->payloads->websiteId($order);
        if (!$this->config->backofficeEnabled($websiteId)) {
            return;
        }
        $payload = function () use ($order, $documentKey, $document): array {
            $payload = $this->payloads->order($order);
            if ($documentKey === 'rma' && $document !== null) {
                $payload['rma'] = $this->payloads->rma($document);
            } elseif ($documentKey !== null && $document !== null) {
                $payload[$documentKey] = $this->payloads->document($document);
            }
            return $payload;
        };
        $reference = 'order ' . $order->getIncrementId();
        $this->emitter->emit($event, $payload, $this->config->eventDestination($websiteId), $guardKey, $reference);
    }
}
