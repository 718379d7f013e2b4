<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Controller\Adminhtml\Attributes;

use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\Controller\Result\JsonFactory;
use Magento\Framework\View\LayoutFactory;
use XdmRelay\Connector\Block\Adminhtml\DataCustomization\Table;
use XdmRelay\Connector\Model\DataCustomization\Report;

/** Data customization "Refresh": reads the datasets' schemas again; answers the new tables. */
class Refresh extends Action implements HttpPostActionInterface
{
    public const ADMIN_RESOURCE = 'XdmRelay_Connector::config';

    /**
     * @param Context $context
     * @param JsonFactory $json
     * @param Report $report
     * @param LayoutFactory $layouts
     */
    public function __construct(
        Context $context,
        private readonly JsonFactory $json,
        private readonly Report $report,
        private readonly LayoutFactory $layouts
    ) {
        parent::__construct($context);
    }

    /**
     * The refreshed report as JSON: ok, the errors of its datasets, and the tables' HTML.
     *
     * @return \Magento\Framework\Controller\Result\Json
     */
    public function execute()
    {
        $result = $this->json->create();
        $website = $this->getRequest()->getParam('website');
        try {
            $report = $this->report->refresh(is_numeric($website) ? (int) $website : null);
        } catch (\Throwable $e) {
            return $result->setData(['ok' => false, 'message' => $e->getMessage()]);
        }
        $errors = array_values(array_filter(array_column($report['datasets'], 'error')));
        $table = $this->layouts->create()->createBlock(Table::class);
        return $result->setData([
            'ok' => $errors === [],
            'fetched_at' => $report['fetched_at'],
            'errors' => $errors,
            'html' => $table->setReport($report)->toHtml(),
        ]);
    }
}
