<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Block\Adminhtml\System\Config;

use Magento\Backend\Block\Template\Context;
use Magento\Config\Block\System\Config\Form\Field;
use Magento\Framework\Data\Form\Element\AbstractElement;
use XdmRelay\Connector\Block\Adminhtml\DataCustomization\Table;
use XdmRelay\Connector\Model\DataCustomization\Report;

/**
 * Data customization: the cached report of the website and a Refresh button.
 *
 * Rendering never calls Experience Platform (the page must not wait on the network); only
 * Refresh does.
 */
class DataCustomization extends Field
{
    /**
     * @var string
     */
    protected $_template = 'XdmRelay_Connector::system/config/data_customization.phtml';

    /**
     * @param Context $context
     * @param Report $report
     * @param array $data
     */
    public function __construct(Context $context, private readonly Report $report, array $data = [])
    {
        parent::__construct($context, $data);
    }

    /**
     * A full-width block: no scope label, no "Use Default" checkbox.
     *
     * @param AbstractElement $element
     * @return string
     */
    public function render(AbstractElement $element)
    {
        $element->unsScope()->unsCanUseWebsiteValue()->unsCanUseDefaultValue();
        return parent::render($element);
    }

    /**
     * @inheritdoc
     */
    protected function _getElementHtml(AbstractElement $element)
    {
        $website = $this->websiteId();
        $this->addData([
            'html_id' => $element->getHtmlId(),
            'ajax_url' => $this->_urlBuilder->getUrl('xdm_relay/attributes/refresh', ['website' => $website]),
            'table_html' => $this->getLayout()->createBlock(Table::class)
                ->setReport($this->report->cached($website))->toHtml(),
        ]);
        return $this->_toHtml();
    }

    /**
     * The website whose configuration the page shows; null in the default scope.
     *
     * @return int|null
     */
    private function websiteId(): ?int
    {
        $website = $this->getRequest()->getParam('website');
        return is_numeric($website) ? (int) $website : null;
    }
}
