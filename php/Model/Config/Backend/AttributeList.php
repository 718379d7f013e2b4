<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\App\Config\Value;
use Magento\Framework\Exception\LocalizedException;
use XdmRelay\Connector\Model\Config;

/**
 * Custom attribute lists: comma-separated column names that are valid XDM field names.
 */
class AttributeList extends Value
{
    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $names = array_filter(array_map('trim', explode(',', (string) $this->getValue())), 'strlen');
        $bad = array_filter($names, static fn (string $name) => !preg_match(Config::FIELD_NAME, $name));
        if ($bad) {
            throw new LocalizedException(__(
                'Custom attributes must be column names made of letters, digits and underscores: %1',
                implode(', ', $bad)
            ));
        }
        $this->setValue(implode(',', $names));
        return parent::beforeSave();
    }
}
