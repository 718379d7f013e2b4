<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;

/** *_save_before: remembers whether the object is new and its state before the save. */
class RecordChanges implements ObserverInterface
{
    public function __construct(private readonly ChangeTracker $tracker, private readonly LoggerInterface $logger)
    {
    }

    public function execute(Observer $observer): void
    {
        try {
            $model = $observer->getEvent()->getDataObject();
            if (is_object($model)) {
                $this->tracker->record($model);
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: could not record a change: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
