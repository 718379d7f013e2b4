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

    public function __construct(
        Context $context,
        private readonly JsonFactory $json,
        private readonly Extension $extension,
        private readonly Config $config
    ) {
        parent::__construct($context);
    }

    public function execute()
    {
        $result = $this->json->create();
        if (!$this->extension->isLoaded()) {
            return $result->setData(['ok' => false, 'status' => 0, 'message' => (string) __('The xdm_relay PHP extension is not loaded on this server.')]);
        }
        try {
            $this->extension->configure($this->config->extensionSettings());
            return $result->setData($this->extension->testConnection($this->config->eventDestination($this->getRequest()->getParam('website'))));
        } catch (\Throwable $e) {
            return $result->setData(['ok' => false, 'status' => 0, 'message' => $e->getMessage()]);
        }
    }
}
