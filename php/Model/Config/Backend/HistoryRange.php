<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\App\Config\Value;
use Magento\Framework\Exception\LocalizedException;
use XdmRelay\Connector\Model\History\Range;

/**
 * Order History To date: a real date, not before From, at most five years after it.
 */
class HistoryRange extends Value
{
    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $to = trim((string) $this->getValue());
        $from = trim((string) $this->getFieldsetDataValue('from'));
        try {
            if ($to !== '') {
                new Range($from !== '' ? $from : $to, $to);
            }
        } catch (\InvalidArgumentException $e) {
            throw new LocalizedException(__($e->getMessage()));
        }
        $this->setValue($to);
        return parent::beforeSave();
    }
}
