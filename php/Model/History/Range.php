<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\History;

/** A historical sync range: From ≤ To, at most five years, as Adobe's own Order History tab. */
final class Range
{
    public const MAX_YEARS = 5;

    private function __construct(public readonly \DateTimeImmutable $from, public readonly \DateTimeImmutable $to)
    {
    }

    /** @throws \InvalidArgumentException with a message for the merchant */
    public static function parse(string $from, string $to): self
    {
        $utc = new \DateTimeZone('UTC');
        try {
            $start = new \DateTimeImmutable(trim($from) . (strlen(trim($from)) === 10 ? ' 00:00:00' : ''), $utc);
            $end = new \DateTimeImmutable(trim($to) . (strlen(trim($to)) === 10 ? ' 23:59:59' : ''), $utc);
        } catch (\Exception) {
            throw new \InvalidArgumentException(sprintf('"%s" to "%s" is not a date range (use YYYY-MM-DD)', $from, $to));
        }
        if ($end < $start) {
            throw new \InvalidArgumentException(sprintf('The range is reversed: To (%s) is before From (%s).', $to, $from));
        }
        if ($start->modify('+' . self::MAX_YEARS . ' years') < $end) {
            throw new \InvalidArgumentException(sprintf('The range %s to %s is longer than %d years; sync at most %d years at a time.', $from, $to, self::MAX_YEARS, self::MAX_YEARS));
        }
        return new self($start, $end);
    }

    public function key(): string
    {
        return $this->from->format('Y-m-d H:i:s') . '|' . $this->to->format('Y-m-d H:i:s');
    }
}
