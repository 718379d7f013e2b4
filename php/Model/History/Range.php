<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\History;

/**
 * A historical sync range: From ≤ To, at most five years, as Adobe's own Order History tab.
 */
class Range
{
    public const MAX_YEARS = 5;

    /**
     * @var \DateTimeImmutable first second of the range (UTC)
     */
    public readonly \DateTimeImmutable $from;

    /**
     * @var \DateTimeImmutable last second of the range (UTC)
     */
    public readonly \DateTimeImmutable $to;

    /**
     * The range from two dates as the merchant typed them (YYYY-MM-DD, or with a time).
     *
     * @param string $from
     * @param string $to
     * @throws \InvalidArgumentException with a message for the merchant
     */
    public function __construct(string $from, string $to)
    {
        $from = trim($from);
        $to = trim($to);
        if ($from === '' || $to === '') {
            throw new \InvalidArgumentException(
                'Set both From and To (YYYY-MM-DD) under Order History and save the configuration first.'
            );
        }
        $this->from = $this->date($from, '00:00:00');
        $this->to = $this->date($to, '23:59:59');
        if ($this->to < $this->from) {
            throw new \InvalidArgumentException(
                sprintf('The range is reversed: To (%s) is before From (%s).', $to, $from)
            );
        }
        if ($this->from->modify('+' . self::MAX_YEARS . ' years') < $this->to) {
            throw new \InvalidArgumentException(sprintf(
                'The range %s to %s is longer than %d years; sync at most %d years at a time.',
                $from,
                $to,
                self::MAX_YEARS,
                self::MAX_YEARS
            ));
        }
    }

    /**
     * One date, strictly: a calendar date that exists, optionally with a time.
     *
     * @param string $value
     * @param string $defaultTime the time of day when only a date is given
     * @return \DateTimeImmutable
     * @throws \InvalidArgumentException
     */
    private function date(string $value, string $defaultTime): \DateTimeImmutable
    {
        $text = strlen($value) === 10 ? "$value $defaultTime" : $value;
        $date = \DateTimeImmutable::createFromFormat('!Y-m-d H:i:s', $text, new \DateTimeZone('UTC'));
        if ($date === false || $date->format('Y-m-d H:i:s') !== $text) {
            throw new \InvalidArgumentException(sprintf('"%s" is not a date (use YYYY-MM-DD).', $value));
        }
        return $date;
    }

    /**
     * Identifies the range, for the resume cursor.
     *
     * @return string
     */
    public function key(): string
    {
        return $this->from->format('Y-m-d H:i:s') . '|' . $this->to->format('Y-m-d H:i:s');
    }
}
