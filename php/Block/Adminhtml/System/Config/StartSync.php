<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Block\Adminhtml\System\Config;

/** The Order History "Start sync" button: queues the saved range for the cron job. */
class StartSync extends TestConnection
{
    /**
     * @inheritdoc
     */
    protected function _getElementHtml(\Magento\Framework\Data\Form\Element\AbstractElement $element)
    {
        $this->addData([
            'button_label' => (string) ($element->getOriginalData()['button_label'] ?? __('Start sync')),
            'html_id' => $element->getHtmlId(),
            'ajax_url' => $this->_urlBuilder->getUrl(
                'xdm_relay/history/start',
                ['website' => $this->getRequest()->getParam('website')]
            ),
        ]);
        return $this->_toHtml();
    }
}
