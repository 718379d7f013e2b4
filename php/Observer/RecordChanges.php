<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;

/**
 * A *_save_before observer: remembers whether the object is new, its state before the save and
 * whether any of the watched fields changed (etc/di.xml sets them per entity).
 */
class RecordChanges implements ObserverInterface
{
    /**
     * @param ChangeTracker $tracker
     * @param LoggerInterface $logger
     * @param string[] $watchedFields fields whose change makes the save news (none: every save)
     */
    public function __construct(
        private readonly ChangeTracker $tracker,
        private readonly LoggerInterface $logger,
        private readonly array $watchedFields = []
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $model = $observer->getEvent()->getDataObject();
            if (is_object($model)) {
                $this->tracker->record($model, $this->watchedFields);
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: could not record a change: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
