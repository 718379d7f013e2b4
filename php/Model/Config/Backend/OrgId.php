<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\App\Config\Value;
use Magento\Framework\Exception\LocalizedException;

/** Organization ID: empty, or `<alphanumerics>@AdobeOrg`. */
class OrgId extends Value
{
    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $value = trim((string) $this->getValue());
        if ($value !== '' && !preg_match('/^[A-Za-z0-9]+@AdobeOrg$/', $value)) {
            throw new LocalizedException(__(
                'The Organization ID "%1" is not valid: it looks like 0123456789ABCDEF01234567@AdobeOrg.',
                $value
            ));
        }
        $this->setValue($value);
        return parent::beforeSave();
    }
}
