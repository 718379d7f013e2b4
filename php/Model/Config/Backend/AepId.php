<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\App\Config\Value;
use Magento\Framework\Exception\LocalizedException;
use XdmRelay\Connector\Model\Config;

/**
 * An AEP identifier (datastream or dataset id): empty, or letters, digits and - _ . :
 *
 * Anything else (spaces, quotes, line breaks) could never be sent: it is refused here, and
 * ignored at run time when set past this check with bin/magento config:set.
 */
class AepId extends Value
{
    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $this->setValue($this->checkedId());
        return parent::beforeSave();
    }

    /**
     * The trimmed value, refused with a message naming the field when it is not an AEP id.
     *
     * @return string
     * @throws LocalizedException
     */
    protected function checkedId(): string
    {
        $value = trim((string) $this->getValue());
        if ($value !== '' && !preg_match(Config::AEP_ID, $value)) {
            $label = (string) ($this->getData('field_config')['label'] ?? 'ID');
            throw new LocalizedException(__(
                '%1 "%2" is not an Adobe Experience Platform ID: use the ID as AEP shows it '
                . '(letters, digits, "-", "_", "." and ":").',
                $label,
                $value
            ));
        }
        return $value;
    }
}
