<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;

/**
 * Order_cancel_after: Order::cancel() ran; the event goes out when the order's save commits.
 */
class OrderCancelled implements ObserverInterface
{
    /**
     * @param ChangeTracker $tracker
     * @param LoggerInterface $logger
     */
    public function __construct(private readonly ChangeTracker $tracker, private readonly LoggerInterface $logger)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $order = $observer->getEvent()->getOrder();
            if (is_object($order)) {
                $this->tracker->markCancelled($order);
            }
        } catch (\Throwable $e) {
            $message = 'XDM Relay: could not record a cancellation: ' . $e->getMessage();
            $this->logger->error($message, ['exception' => $e]);
        }
    }
}
