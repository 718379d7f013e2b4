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
     * @param \DateTimeImmutable $from first second of the range (UTC)
     * @param \DateTimeImmutable $to last second of the range (UTC)
     */
    private function __construct(public readonly \DateTimeImmutable $from, public readonly \DateTimeImmutable $to)
    {
    }

    /**
     * The range from two dates as the merchant typed them (YYYY-MM-DD, or with a time).
     *
     * @param string $from
     * @param string $to
     * @return self
     * @throws \InvalidArgumentException with a message for the merchant
     */
    public static function parse(string $from, string $to): self
    {
        $from = trim($from);
        $to = trim($to);
        if ($from === '' || $to === '') {
            throw new \InvalidArgumentException(
                'Set both From and To (YYYY-MM-DD) under Order History and save the configuration first.'
            );
        }
        $start = self::date($from, 'From', '00:00:00');
        $end = self::date($to, 'To', '23:59:59');
        if ($end < $start) {
            throw new \InvalidArgumentException(sprintf('The range is reversed: To (%s) is before From (%s).', $to, $from));
        }
        if ($start->modify('+' . self::MAX_YEARS . ' years') < $end) {
            throw new \InvalidArgumentException(sprintf(
                'The range %s to %s is longer than %d years; sync at most %d years at a time.',
                $from,
                $to,
                self::MAX_YEARS,
                self::MAX_YEARS
            ));
        }
        return new self($start, $end);
    }

    /**
     * One date, strictly: a calendar date that exists, optionally with a time.
     *
     * @param string $value
     * @param string $label the field's name for the message
     * @param string $defaultTime the time of day when only a date is given
     * @return \DateTimeImmutable
     * @throws \InvalidArgumentException
     */
    public static function date(string $value, string $label, string $defaultTime = '00:00:00'): \DateTimeImmutable
    {
        $text = strlen($value) === 10 ? "$value $defaultTime" : $value;
        $date = \DateTimeImmutable::createFromFormat('!Y-m-d H:i:s', $text, new \DateTimeZone('UTC'));
        if ($date === false || $date->format('Y-m-d H:i:s') !== $text) {
            throw new \InvalidArgumentException(sprintf('%s "%s" is not a date (use YYYY-MM-DD).', $label, $value));
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
