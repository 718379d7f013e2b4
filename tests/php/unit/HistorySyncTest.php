<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Framework\Api\SortOrderBuilder;
use Magento\Framework\FlagManager;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Console\Tester\CommandTester;
use XdmRelay\Connector\Console\Command\HistorySync;
use XdmRelay\Connector\Console\Command\Status;
use XdmRelay\Connector\Console\Command\TestConnection;
use XdmRelay\Connector\Model\History\Range;
use XdmRelay\Connector\Model\History\SyncService;
use XdmRelay\Connector\Test\FakeExtension;
use XdmRelay\Connector\Test\Fixtures;
use XdmRelay\Connector\Test\OrderRepository;

class HistorySyncTest extends TestCase
{
    private FakeExtension $ext;
    private Fixtures $f;
    private OrderRepository $repo;
    private FlagManager $flags;

    protected function setUp(): void
    {
        $this->ext = new FakeExtension();
        $this->f = new Fixtures($this->ext);
        $orders = [];
        for ($i = 1; $i <= 1050; $i++) {
            $day = sprintf('2024-%02d-%02d 12:00:00', 1 + intdiv($i - 1, 100), 1 + ($i % 28));
            $orders[] = $this->f->order(['entity_id' => (string) $i, 'increment_id' => sprintf('%09d', $i), 'created_at' => $day]);
        }
        $orders[] = $this->f->order(['entity_id' => '2000', 'increment_id' => 'old', 'created_at' => '2019-01-01 00:00:00']);
        $this->repo = new OrderRepository($orders);
        $this->flags = new FlagManager();
    }

    private function service(): SyncService
    {
        return new SyncService($this->repo, new SearchCriteriaBuilder(), new SortOrderBuilder(), $this->flags, $this->f->payloads, $this->f->config, $this->ext);
    }

    private function command(array $input): CommandTester
    {
        $tester = new CommandTester(new HistorySync($this->service(), $this->ext));
        $tester->execute($input);
        return $tester;
    }

    public function testPagesThroughTheRangeAndSendsEveryOrderOnce(): void
    {
        $tester = $this->command(['--from' => '2024-01-01', '--to' => '2024-12-31', '--batch' => '100']);
        $this->assertSame(0, $tester->getStatusCode(), $tester->getDisplay());
        $this->assertCount(1050, $this->ext->emitted);
        $this->assertSame(['historicalOrder'], array_values(array_unique(array_column($this->ext->emitted, 'event'))));
        $ids = array_map(static fn ($c) => $c['payload']['order']['entity_id'], $this->ext->emitted);
        $this->assertSame(range(1, 1050), array_map('intval', $ids), 'in entity_id order, none twice, none outside the range');
        $this->assertSame(100, $this->repo->maxPageSize, 'constant memory: pages of --batch orders');
        $this->assertStringContainsString('1050/1050', $tester->getDisplay());
        $this->assertStringContainsString('orders/s', $tester->getDisplay());
        $this->assertStringContainsString('Queued 1050 order(s).', $tester->getDisplay());
        $this->assertNull($this->flags->getFlagData(SyncService::CURSOR_FLAG), 'a finished sync clears its cursor');
    }

    public function testRefusesMoreThanFiveYearsAndReversedRanges(): void
    {
        $tester = $this->command(['--from' => '2019-01-01', '--to' => '2024-12-31']);
        $this->assertSame(1, $tester->getStatusCode());
        $this->assertStringContainsString('longer than 5 years', $tester->getDisplay());
        $tester = $this->command(['--from' => '2024-12-31', '--to' => '2024-01-01']);
        $this->assertSame(1, $tester->getStatusCode());
        $this->assertStringContainsString('reversed', $tester->getDisplay());
        $this->assertSame([], $this->ext->emitted);
    }

    public function testResumesAfterAnInterruption(): void
    {
        $range = new Range('2024-01-01', '2024-12-31');
        $this->flags->saveFlag(SyncService::CURSOR_FLAG, ['range' => $range->key(), 'website' => null, 'last_id' => 700]);
        $tester = $this->command(['--from' => '2024-01-01', '--to' => '2024-12-31', '--batch' => '100']);
        $this->assertSame(0, $tester->getStatusCode());
        $this->assertCount(350, $this->ext->emitted);
        $this->assertSame('701', $this->ext->emitted[0]['payload']['order']['entity_id']);
        $this->assertStringContainsString('Resumed after order id 700', $tester->getDisplay());
    }

    public function testACursorOfAnotherRangeIsIgnored(): void
    {
        $this->flags->saveFlag(SyncService::CURSOR_FLAG, ['range' => 'other', 'website' => null, 'last_id' => 700]);
        $this->command(['--from' => '2024-01-01', '--to' => '2024-12-31']);
        $this->assertCount(1050, $this->ext->emitted);
    }

    public function testDryRunMapsWithoutSending(): void
    {
        $tester = $this->command(['--from' => '2024-01-01', '--to' => '2024-01-31', '--dry-run' => true]);
        $this->assertSame(0, $tester->getStatusCode());
        $this->assertSame([], $this->ext->emitted);
        $this->assertCount(100, $this->ext->mapped);
        $this->assertStringContainsString('Dry run: mapped 100 order(s).', $tester->getDisplay());
        $this->assertNull($this->flags->getFlagData(SyncService::CURSOR_FLAG));
    }

    public function testRateLimitPacesEvents(): void
    {
        $this->f->scope->default['xdm_relay/history/events_per_second'] = '50';
        $slept = 0;
        $this->service()->run(new Range('2024-01-01', '2024-01-31'), null, 100, false, static fn () => null, function (int $us) use (&$slept) {
            $slept += $us;
        });
        $this->assertGreaterThan(1_500_000, $slept, '100 orders at 50/s take about 2 s');
        $this->assertLessThanOrEqual(2_000_000, $slept);
    }

    public function testStatusAndTestConnectionCommands(): void
    {
        $status = new CommandTester(new Status($this->ext, $this->f->config, $this->f->stores));
        $this->assertSame(0, $status->execute([]));
        $out = $status->getDisplay();
        $this->assertStringContainsString('xdm_relay fake', $out);
        $this->assertStringContainsString('ds-eu', $out);
        $this->assertStringContainsString('spool_bytes', $out);
        $this->f->scope->default['xdm_relay/auth/type'] = 'oauth';
        $this->f->scope->default['xdm_relay/auth/client_id'] = 'cid';
        $this->f->scope->default['xdm_relay/auth/client_secret'] = 'very-secret';
        $status->execute([]);
        $this->assertStringNotContainsString('very-secret', $status->getDisplay(), 'secrets are masked');
        $this->assertStringContainsString('********', $status->getDisplay());
        $test = new CommandTester(new TestConnection($this->ext, $this->f->config));
        $this->assertSame(0, $test->execute([]));
        $this->assertStringContainsString('OK HTTP 400 in 12 ms', $test->getDisplay());
    }
}
