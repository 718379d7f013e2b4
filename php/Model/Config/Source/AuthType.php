<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Config\Source;

use Magento\Framework\Data\OptionSourceInterface;

class AuthType implements OptionSourceInterface
{
    public function toOptionArray(): array
    {
        return [
            ['value' => 'none', 'label' => __('None (unauthenticated datastream)')],
            ['value' => 'oauth', 'label' => __('OAuth server-to-server')],
            ['value' => 'jwt', 'label' => __('JWT service account (deprecated by Adobe, not supported)')],
        ];
    }
}
