<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Model\DataCustomization\AttributeComparison;
use XdmRelay\Connector\Model\DataCustomization\RecentOrders;
use XdmRelay\Connector\Model\DataCustomization\Report;
use XdmRelay\Connector\Test\ArrayCache;
use XdmRelay\Connector\Test\FakeExtension;
use XdmRelay\Connector\Test\Fixtures;

/** The latest orders as a fixed answer (the real one queries sales_order). */
class FixedRecentOrders extends RecentOrders
{
    public function __construct(private readonly array $answer)
    {
    }

    public function filled(?int $websiteId, array $orderColumns, array $itemColumns): array
    {
        return $this->answer;
    }
}

/** Answers datasetSchema() from a table, or throws what it is told to. */
class SchemaExtension extends FakeExtension
{
    public array $schemas = [];
    public array $asked = [];

    public function datasetSchema(array $destination): array
    {
        $this->asked[] = $destination;
        $answer = $this->schemas[$destination['dataset_id']] ?? new \RuntimeException('no such dataset', 404);
        if ($answer instanceof \Throwable) {
            throw $answer;
        }
        return $answer;
    }
}

class DataCustomizationTest extends TestCase
{
    private function statuses(array $rows): array
    {
        $out = [];
        foreach ($rows as $row) {
            $out[] = [$row['store'], $row['schema'], $row['status']];
        }
        return $out;
    }

    public function testEveryKindOfMatchAndMismatchGetsItsStatusAndAHint(): void
    {
        $rows = (new AttributeComparison())->compare(
            ['gift_message', 'Channel', 'coupon_code'],
            ['gift_message', 'channel', 'loyalty_tier'],
            'commerce.order._acme',
            'Order custom attributes'
        );
        $this->assertSame([
            ['gift_message', 'gift_message', AttributeComparison::MATCH],
            ['Channel', 'channel', AttributeComparison::CASE_ONLY],
            ['coupon_code', null, AttributeComparison::MISSING_IN_SCHEMA],
            [null, 'loyalty_tier', AttributeComparison::MISSING_IN_STORE],
        ], $this->statuses($rows));
        $this->assertSame('', $rows[0]['hint']);
        $this->assertStringContainsString('case-sensitive', $rows[1]['hint']);
        $this->assertStringContainsString('coupon_code under commerce.order._acme', $rows[2]['hint']);
        $this->assertStringContainsString('Order custom attributes', $rows[3]['hint']);
    }

    public function testASchemaWithoutTheObjectSaysWhichFieldGroupToAdd(): void
    {
        $rows = (new AttributeComparison())->compare(['engraving'], null, 'productListItems[]._acme', 'x');
        $this->assertSame(AttributeComparison::MISSING_IN_SCHEMA, $rows[0]['status']);
        $this->assertStringContainsString('no productListItems[]', $rows[0]['hint']);
        $this->assertSame([], (new AttributeComparison())->compare([], null, 'commerce.order._acme', 'x'));
    }

    private function report(SchemaExtension $ext, ArrayCache $cache): Report
    {
        $f = new Fixtures($ext);
        return new Report(
            $f->config,
            $ext,
            new AttributeComparison(),
            new FixedRecentOrders(['orders' => 50, 'items' => 80,
                'order' => ['order_channel' => 12], 'item' => ['brand' => null]]),
            $cache
        );
    }

    public function testEachDatasetIsComparedOnceWithWhatTheLatestOrdersHold(): void
    {
        $ext = new SchemaExtension();
        $ext->schemas['events-base'] = ['dataset_id' => 'events-base', 'dataset_name' => 'Events', 'sandbox' => 'prod',
            'schema_id' => 'https://ns.adobe.com/acme/schemas/1', 'schema_title' => 'Orders', 'tenant_id' => 'acme',
            'order_fields' => ['Order_Channel'], 'item_fields' => ['brand', 'size'], 'latency_ms' => 3.0];
        $ext->schemas['profiles-base'] = new \RuntimeException('refused access (HTTP 403): check sandbox', 403);
        $report = $this->report($ext, new ArrayCache())->refresh(null);
        // the history dataset is copied from the event dataset: one request for both
        $this->assertSame(['events-base', 'profiles-base'], array_column($ext->asked, 'dataset_id'));
        [$events, $profiles] = $report['datasets'];
        $this->assertSame(['event', 'history'], $events['roles']);
        $this->assertSame([['order_channel', 'Order_Channel', AttributeComparison::CASE_ONLY]], $this->statuses($events['order']));
        $this->assertSame('12 of 50', $events['order'][0]['seen']);
        $this->assertSame([['brand', 'brand', 'match'], [null, 'size', 'missing_in_store']], $this->statuses($events['item']));
        $this->assertSame('not a column', $events['item'][0]['seen']);
        $this->assertStringContainsString('no such column', $events['item'][0]['hint']);
        $this->assertFalse($profiles['ok']);
        $this->assertSame(403, $profiles['status']);
        $this->assertStringContainsString('check sandbox', $profiles['error']);
    }

    public function testAWrongOrMissingTenantIdIsCalledOut(): void
    {
        $ext = new SchemaExtension();
        $ext->schemas['events-base'] = ['dataset_id' => 'events-base', 'dataset_name' => null, 'sandbox' => 'prod',
            'schema_id' => 's', 'schema_title' => null, 'tenant_id' => 'other', 'order_fields' => [],
            'item_fields' => [], 'latency_ms' => 1.0];
        $report = $this->report($ext, new ArrayCache())->refresh(null);
        $this->assertStringContainsString('Set Tenant ID to other', implode(' ', $report['datasets'][0]['warnings']));
    }

    public function testTheReportIsCachedWithItsTimeUntilRefresh(): void
    {
        $ext = new SchemaExtension();
        $cache = new ArrayCache();
        $report = $this->report($ext, $cache);
        $this->assertNull($report->cached(1));
        $first = $report->get(1);
        $asked = count($ext->asked);
        $this->assertSame($first, $report->get(1), 'served from the cache');
        $this->assertSame($first, $this->report($ext, $cache)->cached(1), 'survives the request');
        $this->assertCount($asked, $ext->asked, 'no Platform API call for a cached report');
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/', $first['fetched_at']);
        $report->refresh(1);
        $this->assertGreaterThan($asked, count($ext->asked));
        $this->assertNull($report->cached(2), 'per website');
    }
}
