<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Source;

use Magento\Framework\Data\OptionSourceInterface;

/**
 * Authorization types the extension supports.
 */
class AuthType implements OptionSourceInterface
{
    /**
     * @inheritdoc
     */
    public function toOptionArray(): array
    {
        return [
            ['value' => 'none', 'label' => __('None (unauthenticated datastream)')],
            ['value' => 'oauth', 'label' => __('OAuth server-to-server')],
        ];
    }
}
