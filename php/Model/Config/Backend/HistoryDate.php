<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\App\Config\Value;
use Magento\Framework\Exception\LocalizedException;
use XdmRelay\Connector\Model\History\Range;

/**
 * Order History From date: empty or a real YYYY-MM-DD date.
 */
class HistoryDate extends Value
{
    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $value = trim((string) $this->getValue());
        if ($value !== '') {
            try {
                new Range($value, $value);
            } catch (\InvalidArgumentException $e) {
                throw new LocalizedException(__($e->getMessage()));
            }
        }
        $this->setValue($value);
        return parent::beforeSave();
    }
}
