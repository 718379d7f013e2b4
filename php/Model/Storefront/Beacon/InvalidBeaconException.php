<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront\Beacon;

/**
 * A beacon body that cannot become an event; the message names every bad field.
 */
class InvalidBeaconException extends \InvalidArgumentException
{
    /**
     * @param string[] $problems one "field: what is wrong" per bad field
     */
    public function __construct(private readonly array $problems)
    {
        parent::__construct(implode('; ', $problems));
    }

    /**
     * One "field: what is wrong" per bad field.
     *
     * @return string[]
     */
    public function getProblems(): array
    {
        return $this->problems;
    }
}
