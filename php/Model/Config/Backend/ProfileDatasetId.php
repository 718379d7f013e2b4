<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\Exception\LocalizedException;

/** Profile records need their own dataset (an Individual Profile one), never the event dataset. */
class ProfileDatasetId extends AepId
{
    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $value = $this->checkedId();
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
