<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\System\Message;

use Magento\Framework\Notification\MessageInterface;

/** The admin notice shown while the xdm_relay PHP extension is not loaded: no events are sent. */
class ExtensionMissing implements MessageInterface
{
    /** @var callable(): bool */
    private $loaded;

    /**
     * @param callable|null $loaded
     */
    public function __construct(?callable $loaded = null)
    {
        $this->loaded = $loaded ?? static fn (): bool => extension_loaded('xdm_relay');
    }

    /**
     * @inheritdoc
     */
    public function getIdentity()
    {
        return 'xdm_relay_extension_missing';
    }

    /**
     * @inheritdoc
     */
    public function isDisplayed()
    {
        return !($this->loaded)();
    }

    /**
     * @inheritdoc
     */
    public function getText()
    {
        return (string) __(
            'XDM Relay: the xdm_relay PHP extension is not loaded on this server, so no events reach Adobe '
            . 'Experience Platform. Add extension=xdm_relay to php.ini for PHP-FPM and the CLI, then restart PHP-FPM.'
        );
    }

    /**
     * @inheritdoc
     */
    public function getSeverity()
    {
        return self::SEVERITY_MAJOR;
    }
}
