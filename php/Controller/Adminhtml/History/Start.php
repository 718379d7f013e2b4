<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Controller\Adminhtml\History;

use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Controller\Result\JsonFactory;
use Magento\Store\Model\ScopeInterface;
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

    /**
     * @param Context $context
     * @param JsonFactory $json
     * @param RunHistorySync $job
     * @param ScopeConfigInterface $scopeConfig
     */
    public function __construct(
        Context $context,
        private readonly JsonFactory $json,
        private readonly RunHistorySync $job,
        private readonly ScopeConfigInterface $scopeConfig
    ) {
        parent::__construct($context);
    }

    /**
     * Queue the saved range, or say why it cannot be.
     *
     * @return \Magento\Framework\Controller\Result\Json
     */
    public function execute()
    {
        $website = $this->getRequest()->getParam('website');
        $websiteId = is_numeric($website) ? (int) $website : null;
        $scope = $websiteId !== null ? ScopeInterface::SCOPE_WEBSITE : ScopeConfigInterface::SCOPE_TYPE_DEFAULT;
        $from = trim((string) $this->scopeConfig->getValue(Config::SECTION . '/history/from', $scope, $websiteId));
        $to = trim((string) $this->scopeConfig->getValue(Config::SECTION . '/history/to', $scope, $websiteId));
        try {
            $range = new Range($from, $to);
        } catch (\InvalidArgumentException $e) {
            return $this->json->create()->setData(['ok' => false, 'message' => $e->getMessage()]);
        }
        $this->job->queue($range, $websiteId);
        $message = __('Sync of %1 to %2 queued; it starts within a minute.', $from, $to);
        return $this->json->create()->setData(['ok' => true, 'message' => (string) $message]);
    }
}
