<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\Exception\LocalizedException;

/**
 * The event dataset is required as soon as back office events are on.
 */
class DatasetId extends AepId
{
    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $value = $this->checkedId();
        $eventsOn = (string) $this->getFieldsetDataValue('backoffice_events') === '1';
        if ($eventsOn && $value === '') {
            throw new LocalizedException(__(
                'Dataset ID is required while events are on: '
                . 'enter the AEP dataset that receives them, or turn events off.'
            ));
        }
        $this->setValue($value);
        return parent::beforeSave();
    }
}
