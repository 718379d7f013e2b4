<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\App\Config\Value;
use Magento\Framework\Exception\LocalizedException;
use XdmRelay\Connector\Model\History\Range;

/** Order History To date: not before From, at most five years after it. */
class HistoryRange extends Value
{
    public function beforeSave()
    {
        $to = trim((string) $this->getValue());
        $from = trim((string) $this->getFieldsetDataValue('from'));
        if ($to !== '' && $from !== '') {
            try {
                Range::parse($from, $to);
            } catch (\InvalidArgumentException $e) {
                throw new LocalizedException(__($e->getMessage()));
            }
        }
        return parent::beforeSave();
    }
}
