<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Emitter;
use XdmRelay\Connector\Model\PayloadBuilder;

/** A new invoice, shipment or credit memo was committed: one event with the order and the document. */
abstract class DocumentCommitted implements ObserverInterface
{
    /** The contract event name. */
    abstract protected function event(): string;

    /** The payload key of the document (invoice, shipment, creditmemo). */
    abstract protected function documentKey(): string;

    public function __construct(
        private readonly ChangeTracker $tracker,
        private readonly Config $config,
        private readonly PayloadBuilder $payloads,
        private readonly Emitter $emitter,
        private readonly LoggerInterface $logger
    ) {
    }

    public function execute(Observer $observer): void
    {
        try {
            $document = $observer->getEvent()->getDataObject();
            $change = $document ? $this->tracker->take($document) : null;
            if (!$document || !$change || !$change['new']) {
                return;
            }
            $order = $document->getOrder();
            $websiteId = $this->payloads->websiteId($order);
            if (!$this->config->backofficeEnabled($websiteId)) {
                return;
            }
            $event = $this->event();
            $this->emitter->emit(
                $event,
                fn () => $this->payloads->order($order) + [$this->documentKey() => $this->payloads->document($document)],
                $this->config->eventDestination($websiteId),
                "$event:{$order->getId()}:{$document->getId()}",
                'order ' . $order->getIncrementId()
            );
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: ' . $this->event() . ' observer failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
