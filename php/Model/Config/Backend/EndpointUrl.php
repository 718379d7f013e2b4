<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Backend;

use Magento\Framework\App\Config\Value;
use Magento\Framework\Exception\LocalizedException;

/**
 * Edge and IMS URLs: https, or plain http only to this machine (the local emulator).
 *
 * The IMS request carries the client secret and every Edge request a token: over plain http
 * they would cross the network in clear. The extension refuses such URLs too; refusing them on
 * save tells the merchant at once instead of in the log of every event.
 */
class EndpointUrl extends Value
{
    private const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]', '::1'];

    /**
     * @inheritdoc
     */
    public function beforeSave()
    {
        $value = trim((string) $this->getValue());
        if ($value !== '') {
            $matched = preg_match('~^(https?)://([^/?#]*)~i', $value, $url);
            $scheme = strtolower($url[1] ?? '');
            $authority = $url[2] ?? '';
            $host = strtolower((string) preg_replace('~:\d+$~', '', $authority));
            $secure = $scheme === 'https' || ($scheme === 'http' && in_array($host, self::LOOPBACK, true));
            if (!$matched || $host === '' || !$secure || str_contains($authority, '@')) {
                $label = (string) ($this->getData('field_config')['label'] ?? 'URL');
                throw new LocalizedException(__(
                    '%1 "%2" must be an https URL without credentials (plain http only to 127.0.0.1 or localhost).',
                    $label,
                    $value
                ));
            }
        }
        $this->setValue($value);
        return parent::beforeSave();
    }
}
