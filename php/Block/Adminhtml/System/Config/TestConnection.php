<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Block\Adminhtml\System\Config;

use Magento\Config\Block\System\Config\Form\Field;
use Magento\Framework\Data\Form\Element\AbstractElement;

/** The "Test connection" button: calls the admin controller and shows status and latency. */
class TestConnection extends Field
{
    /**
     * @var string
     */
    protected $_template = 'XdmRelay_Connector::system/config/button.phtml';

    /**
     * @inheritdoc
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
        $this->addData([
            'button_label' => (string) ($element->getOriginalData()['button_label'] ?? __('Test connection')),
            'html_id' => $element->getHtmlId(),
            'ajax_url' => $this->_urlBuilder->getUrl(
                'xdm_relay/connection/test',
                ['website' => $this->getRequest()->getParam('website')]
            ),
        ]);
        return $this->_toHtml();
    }
}
