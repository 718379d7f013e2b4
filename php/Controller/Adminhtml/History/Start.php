<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Controller\Adminhtml\History;

use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\Controller\Result\JsonFactory;
use XdmRelay\Connector\Cron\RunHistorySync;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\History\Range;

/**
 * Order History "Start sync": validates the saved range and queues it; the cron job runs the same
 * sync service as the CLI, so this request returns at once.
 */
class Start extends Action implements HttpPostActionInterface
{
    public const ADMIN_RESOURCE = 'XdmRelay_Connector::config';

    public function __construct(
        Context $context,
        private readonly JsonFactory $json,
        private readonly RunHistorySync $job,
        private readonly \Magento\Framework\App\Config\ScopeConfigInterface $scopeConfig
    ) {
        parent::__construct($context);
    }

    public function execute()
    {
        $website = $this->getRequest()->getParam('website');
        $scope = $website ? \Magento\Store\Model\ScopeInterface::SCOPE_WEBSITE : 'default';
        $from = (string) $this->scopeConfig->getValue(Config::SECTION . '/history/from', $scope, $website);
        $to = (string) $this->scopeConfig->getValue(Config::SECTION . '/history/to', $scope, $website);
        try {
            $range = Range::parse($from, $to);
        } catch (\InvalidArgumentException $e) {
            return $this->json->create()->setData(['ok' => false, 'message' => $e->getMessage()]);
        }
        $this->job->queue($range, $website === null ? null : (int) $website);
        return $this->json->create()->setData(['ok' => true, 'message' => (string) __('Sync of %1 to %2 queued; it starts within a minute.', $from, $to)]);
    }
}
