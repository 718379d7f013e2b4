<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Psr\Log\AbstractLogger;

class TestLogger extends AbstractLogger
{
    /** @var list<array{level: string, message: string, context: array}> */
    public array $records = [];

    public function log($level, $message, array $context = []): void
    {
        $this->records[] = ['level' => (string) $level, 'message' => (string) $message, 'context' => $context];
    }

    public function messages(string $level): array
    {
        return array_values(array_map(static fn ($r) => $r['message'], array_filter($this->records, static fn ($r) => $r['level'] === $level)));
    }
}
