<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Observer\CreditmemoCommitted;
use XdmRelay\Connector\Observer\CustomerCommitted;
use XdmRelay\Connector\Observer\CustomerDeleted;
use XdmRelay\Connector\Observer\InvoiceCommitted;
use XdmRelay\Connector\Observer\OrderCommitted;
use XdmRelay\Connector\Observer\RecordChanges;
use XdmRelay\Connector\Observer\ShipmentCommitted;
use XdmRelay\Connector\Test\FakeExtension;
use XdmRelay\Connector\Test\Fixtures;

class ObserversTest extends TestCase
{
    private FakeExtension $ext;
    private Fixtures $f;

    protected function setUp(): void
    {
        $this->ext = new FakeExtension();
        $this->f = new Fixtures($this->ext);
    }

    private function save(object $model, string $committedClass, array $eventData = []): void
    {
        (new RecordChanges($this->f->tracker, $this->f->logger))->execute(Fixtures::observer(['data_object' => $model]));
        $this->commit($model, $committedClass, $eventData);
    }

    private function commit(object $model, string $committedClass, array $eventData = []): void
    {
        $observer = match ($committedClass) {
            OrderCommitted::class, InvoiceCommitted::class, ShipmentCommitted::class, CreditmemoCommitted::class =>
                new $committedClass($this->f->tracker, $this->f->config, $this->f->payloads, $this->f->emitter, $this->f->logger),
            CustomerCommitted::class => new CustomerCommitted($this->f->tracker, $this->f->config, $this->f->payloads, $this->f->emitter, $this->f->stores, $this->f->logger),
            CustomerDeleted::class => new CustomerDeleted($this->f->config, $this->f->payloads, $this->f->emitter, $this->f->stores, $this->f->logger),
        };
        $observer->execute(Fixtures::observer($eventData + ['data_object' => $model]));
    }

    public function testOrderPlacedSendsTheContractPayloadOnceAfterCommit(): void
    {
        $order = $this->f->order();
        $this->save($order, OrderCommitted::class, ['order' => $order]);
        $this->assertCount(1, $this->ext->emitted);
        [$call] = $this->ext->emitted;
        $this->assertSame('orderPlaced', $call['event']);
        $this->assertSame(['datastream_id' => 'ds-base', 'dataset_id' => 'events-base'], $call['destination']);
        $p = $call['payload'];
        $this->assertSame(['website_code' => 'base', 'store_code' => 'main_website_store', 'store_view_code' => 'default'], $p['store']);
        $this->assertSame('000000310', $p['order']['increment_id']);
        $this->assertSame('Jane.Doe@Example.com', $p['order']['customer_email']);
        $this->assertCount(6, $p['order']['items'], 'children are passed; the extension folds them');
        $this->assertSame([['label' => 'Size', 'value' => 'XS'], ['label' => 'Color', 'value' => 'Red']], $p['order']['items'][0]['product_options']['attributes_info']);
        $this->assertSame('1', $p['order']['items'][1]['parent_item_id']);
        $this->assertSame([['id' => '12', 'name' => 'Gear', 'path' => '1/2/12']], $p['order']['items'][0]['categories']);
        $this->assertSame('https://shop.example/media/catalog/product/m/j/mj01.jpg', $p['order']['items'][0]['image_url']);
        $this->assertSame(['brand' => 'Acme'], $p['order']['items'][0]['custom_attributes']);
        $this->assertSame(['order_channel' => 'web'], $p['order']['custom_attributes']);
        $this->assertSame("1 Main St\nApt 2", $p['order']['billing_address']['street']);
        $this->assertSame('checkmo', $p['order']['payment']['method']);
        $this->assertArrayNotHasKey('additional_information', $p['order']['payment'], 'only scalar columns');
        $this->assertSame('acme', $this->ext->configured[0]['tenant_id']);

        // The same order committed again in the request (a second save): nothing more.
        $this->save($order, OrderCommitted::class, ['order' => $order]);
        $this->assertCount(1, $this->ext->emitted);
    }

    public function testNothingIsSentWithoutACommitOrWhenNothingChanged(): void
    {
        $order = $this->f->order();
        (new RecordChanges($this->f->tracker, $this->f->logger))->execute(Fixtures::observer(['data_object' => $order]));
        $this->assertSame([], $this->ext->emitted, 'save_before alone (a rolled-back save) sends nothing');
        $existing = $this->f->order(['entity_id' => '311', 'increment_id' => '000000311']);
        $existing->setOrigData();
        $existing->isObjectNew(false);
        $this->save($existing, OrderCommitted::class, ['order' => $existing]);
        $this->assertSame([], $this->ext->emitted);
    }

    public function testCancelAndCompleteFollowTheStateChange(): void
    {
        $order = $this->f->order();
        $order->setOrigData();
        $order->isObjectNew(false);
        $order->setState('canceled');
        $this->save($order, OrderCommitted::class, ['order' => $order]);
        $order2 = $this->f->order(['entity_id' => '320', 'increment_id' => '000000320', 'state' => 'processing']);
        $order2->setOrigData();
        $order2->isObjectNew(false);
        $order2->setState('complete');
        $this->save($order2, OrderCommitted::class, ['order' => $order2]);
        $this->assertSame(['orderCancelled', 'orderShipmentCompleted'], array_column($this->ext->emitted, 'event'));
    }

    public function testGuestOrderAndSecondWebsiteUseTheirOwnDataAndDestination(): void
    {
        $order = $this->f->order(['customer_id' => null, 'customer_is_guest' => '1', 'customer_email' => 'guest@example.org'], 2);
        $this->save($order, OrderCommitted::class, ['order' => $order]);
        [$call] = $this->ext->emitted;
        $this->assertSame(['datastream_id' => 'ds-eu', 'dataset_id' => 'events-eu'], $call['destination']);
        $this->assertSame('eu_de', $call['payload']['store']['store_view_code']);
        $this->assertNull($call['payload']['order']['customer_id']);
        $this->assertSame('1', $call['payload']['order']['customer_is_guest']);
    }

    public function testDocumentsCarryTheOrderAndTheNewDocument(): void
    {
        $order = $this->f->order();
        foreach ([[InvoiceCommitted::class, 'invoice', 'orderInvoiced'], [ShipmentCommitted::class, 'shipment', 'orderItemsShipped'], [CreditmemoCommitted::class, 'creditmemo', 'orderLineItemRefunded']] as [$class, $key, $event]) {
            $doc = $this->f->document($key, $order);
            $this->save($doc, $class);
            $call = end($this->ext->emitted);
            $this->assertSame($event, $call['event']);
            $this->assertSame('000000310', $call['payload']['order']['increment_id']);
            $this->assertSame('55', $call['payload'][$key]['entity_id']);
            $this->assertSame('6', $call['payload'][$key]['items'][0]['order_item_id']);
        }
        $this->assertSame('1Z999AA10123456784', $this->ext->emitted[1]['payload']['shipment']['tracks'][0]['track_number']);
        $this->assertCount(3, $this->ext->emitted);
    }

    public function testCustomerCreatedUpdatedDeletedWithProfileRecords(): void
    {
        $customer = $this->f->customer();
        $this->save($customer, CustomerCommitted::class, ['customer' => $customer]);
        $this->assertSame(['accountCreated', 'profileRecord'], array_column($this->ext->emitted, 'event'));
        $this->assertSame(['datastream_id' => 'ds-base', 'dataset_id' => 'profiles-base'], $this->ext->emitted[1]['destination']);
        $payload = $this->ext->emitted[0]['payload'];
        $this->assertSame('42', $payload['customer']['id']);
        $this->assertArrayNotHasKey('password_hash', $payload['customer'], 'secrets never leave Magento');
        $this->assertTrue($payload['customer']['addresses'][0]['default_billing']);
        $this->assertTrue($payload['customer']['addresses'][1]['default_shipping']);
        $this->assertSame('base', $payload['store']['website_code']);

        $customer->setOrigData();
        $customer->isObjectNew(false);
        $customer->setUpdatedAt('2024-06-01 08:00:00');
        $this->save($customer, CustomerCommitted::class, ['customer' => $customer]);
        $this->commit($customer, CustomerDeleted::class, ['customer' => $customer]);
        $this->assertSame(['accountCreated', 'profileRecord', 'accountUpdated', 'profileRecord', 'accountDeleted', 'profileDeleted'], array_column($this->ext->emitted, 'event'));
    }

    public function testTogglesOffMeansNoCall(): void
    {
        $this->f->scope->default['xdm_relay/events/backoffice_events'] = '0';
        $this->f->scope->default['xdm_relay/events/customer_profiles'] = '0';
        $order = $this->f->order();
        $this->save($order, OrderCommitted::class, ['order' => $order]);
        $customer = $this->f->customer();
        $this->save($customer, CustomerCommitted::class, ['customer' => $customer]);
        $this->assertSame([], $this->ext->emitted);
        $this->assertSame([], $this->ext->configured);
    }

    public function testProfilesOnlyWhenProfilesAreOn(): void
    {
        $this->f->scope->default['xdm_relay/events/customer_profiles'] = '0';
        $customer = $this->f->customer();
        $this->save($customer, CustomerCommitted::class, ['customer' => $customer]);
        $this->assertSame(['accountCreated'], array_column($this->ext->emitted, 'event'));
    }

    public function testAThrowingExtensionIsSwallowedAndLoggedWithTheOrderNumber(): void
    {
        $this->ext->throw = new \InvalidArgumentException('orderPlaced: order.grand_total: "abc" is not a number');
        $order = $this->f->order();
        $this->save($order, OrderCommitted::class, ['order' => $order]);
        $errors = $this->f->logger->messages('error');
        $this->assertCount(1, $errors);
        $this->assertStringContainsString('order 000000310', $errors[0]);
        $this->assertStringContainsString('order.grand_total', $errors[0]);
        $this->ext->throw = new \Error('engine failure');
        $order2 = $this->f->order(['entity_id' => '400', 'increment_id' => '000000400']);
        $this->save($order2, OrderCommitted::class, ['order' => $order2]);
        $this->assertCount(2, $this->f->logger->messages('error'), 'even an Error never reaches the order save');
    }
}
