<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Block\Adminhtml\System\Config;

use Magento\Backend\Block\Template\Context;
use Magento\Config\Block\System\Config\Form\Field;
use Magento\Framework\Data\Form\Element\AbstractElement;
use Magento\Framework\FlagManager;
use XdmRelay\Connector\Cron\RunHistorySync;

/** Order History: the state of the last sync started from the admin (queued, running, done, failed). */
class SyncProgress extends Field
{
    /**
     * @param Context $context
     * @param FlagManager $flags
     * @param array $data
     */
    public function __construct(Context $context, private readonly FlagManager $flags, array $data = [])
    {
        parent::__construct($context, $data);
    }

    /**
     * A read-only line: no scope label, no "Use Default" checkbox.
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
        return $this->escapeHtml($this->describe($this->flags->getFlagData(RunHistorySync::PROGRESS_FLAG)));
    }

    /**
     * @inheritdoc
     */
    public function describe(mixed $progress): string
    {
        if (!is_array($progress)) {
            return (string) __('No sync started from the admin yet.');
        }
        return match ($progress['state'] ?? '') {
            'queued' => (string) __('Queued: starts with the next cron run.'),
            'running' => (string) __('Running: %1 orders sent so far.', (int) ($progress['sent'] ?? 0)),
            'done' => (string) __(
                'Done: %1 orders sent, %2 could not be mapped.',
                (int) ($progress['sent'] ?? 0),
                (int) ($progress['failed'] ?? 0)
            ),
            'failed' => (string) __('Failed: %1', (string) ($progress['message'] ?? '')),
            default => (string) __('Unknown state.'),
        };
    }
}
