<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\ChangeTracker;

/**
 * Model_save_before, for Adobe Commerce RMAs only (the class is absent on Open Source).
 */
class RecordRmaChanges implements ObserverInterface
{
    public const RMA_CLASS = \Magento\Rma\Model\Rma::class;

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
            $model = $observer->getEvent()->getObject();
            if (is_object($model) && is_a($model, self::RMA_CLASS)) {
                $this->tracker->record($model);
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: could not record an RMA change: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
