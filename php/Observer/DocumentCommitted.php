<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;
use XdmRelay\Connector\Model\OrderEvents;

/**
 * A new invoice, shipment or credit memo was committed: one event with the order and the document.
 *
 * A document committed inside its order's creation (an invoice captured online at checkout)
 * waits for the order's own commit, so orderPlaced always goes first.
 */
abstract class DocumentCommitted implements ObserverInterface
{
    /**
     * @param ChangeTracker $tracker
     * @param OrderEvents $events
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly ChangeTracker $tracker,
        protected readonly OrderEvents $events,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * The contract event name.
     *
     * @return string
     */
    abstract protected function event(): string;

    /**
     * The payload key of the document (invoice, shipment, creditmemo).
     *
     * @return string
     */
    abstract protected function documentKey(): string;

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $document = $observer->getEvent()->getDataObject();
            $change = is_object($document) ? $this->tracker->take($document) : null;
            if ($change === null || !$change['new']) {
                return;
            }
            $order = $document->getOrder();
            if ($this->tracker->isBeingCreated($order)) {
                $this->tracker->afterCommitOf($order, fn () => $this->send($order, $document));
                return;
            }
            $this->send($order, $document);
        } catch (\Throwable $e) {
            $message = 'XDM Relay: ' . $this->event() . ' observer failed: ' . $e->getMessage();
            $this->logger->error($message, ['exception' => $e]);
        }
    }

    /**
     * Emit the document's event.
     *
     * @param object $order
     * @param object $document
     * @return void
     */
    protected function send(object $order, object $document): void
    {
        $event = $this->event();
        $guardKey = "$event:{$order->getId()}:{$document->getId()}";
        $this->events->emit($event, $order, $guardKey, $this->documentKey(), $document);
    }
}
