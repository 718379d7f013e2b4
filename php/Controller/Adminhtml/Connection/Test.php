<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Controller\Adminhtml\Connection;

use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\Controller\Result\JsonFactory;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Extension;

/** Admin "Test connection": one synchronous Edge (and IMS) request with the saved settings. */
class Test extends Action implements HttpPostActionInterface
{
    public const ADMIN_RESOURCE = 'XdmRelay_Connector::config';

    /**
     * @param Context $context
     * @param JsonFactory $json
     * @param Extension $extension
     * @param Config $config
     */
    public function __construct(
        Context $context,
        private readonly JsonFactory $json,
        private readonly Extension $extension,
        private readonly Config $config
    ) {
        parent::__construct($context);
    }

    /**
     * One request with the saved settings; its outcome as JSON.
     *
     * @return \Magento\Framework\Controller\Result\Json
     */
    public function execute()
    {
        $result = $this->json->create();
        if (!$this->extension->isLoaded()) {
            $message = __('The xdm_relay PHP extension is not loaded on this server.');
            return $result->setData(['ok' => false, 'message' => (string) $message]);
        }
        $website = $this->getRequest()->getParam('website');
        try {
            $this->extension->configure($this->config->extensionSettings());
            $destination = $this->config->eventDestination(is_numeric($website) ? (int) $website : null);
            return $result->setData($this->extension->testConnection($destination));
        } catch (\Throwable $e) {
            return $result->setData(['ok' => false, 'message' => $e->getMessage()]);
        }
    }
}
