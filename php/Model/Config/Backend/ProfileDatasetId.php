<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\App\Config\Value;
use Magento\Framework\Exception\LocalizedException;

/** Profile records need their own dataset (an Individual Profile one), never the event dataset. */
class ProfileDatasetId extends Value
{
    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $value = trim((string) $this->getValue());
        $events = trim((string) $this->getFieldsetDataValue('dataset_id'));
        if ($value !== '' && $value === $events) {
            throw new LocalizedException(__(
                'Profile dataset ID must differ from the event Dataset ID: '
                . 'profile records need an Individual Profile dataset.'
            ));
        }
        if ($value === '' && (string) $this->getFieldsetDataValue('customer_profiles') === '1') {
            throw new LocalizedException(__('Profile dataset ID is required while Customer profiles are on.'));
        }
        $this->setValue($value);
        return parent::beforeSave();
    }
}
