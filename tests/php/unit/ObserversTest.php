<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Test\FakeExtension;
use XdmRelay\Connector\Test\Fixtures;
use XdmRelay\Connector\Test\Magento;

/** Order events, through Magento's save flow and the module's events.xml/di.xml. */
class ObserversTest extends TestCase
{
    private FakeExtension $ext;
    private Fixtures $f;
    private Magento $magento;

    protected function setUp(): void
    {
        $this->ext = new FakeExtension();
        $this->f = new Fixtures($this->ext);
        $this->magento = $this->f->magento;
    }

    private function events(): array
    {
        return $this->f->emittedEvents();
    }

    /** No observer failed (they log instead of throwing), except where a test makes it. */
    protected function assertPostConditions(): void
    {
        if ($this->getName(false) !== 'testAThrowingExtensionIsSwallowedAndLoggedWithTheOrderNumber') {
            $this->assertSame([], $this->f->logger->messages('error'));
        }
    }

    public function testOrderPlacedSendsTheContractPayloadOnceAfterCommit(): void
    {
        $order = $this->f->order();
        $this->magento->save($order);
        $this->assertSame(['orderPlaced'], $this->events());
        [$call] = $this->ext->emitted;
        $this->assertSame(['datastream_id' => 'ds-base', 'dataset_id' => 'events-base'], $call['destination']);
        $p = $call['payload'];
        $this->assertSame(['website_code' => 'base', 'store_code' => 'main_website_store', 'store_view_code' => 'default'], $p['store']);
        $this->assertSame('000000310', $p['order']['increment_id']);
        $this->assertSame($order->getId(), $p['order']['entity_id']);
        $this->assertSame('Jane.Doe@Example.com', $p['order']['customer_email']);
        $this->assertCount(6, $p['order']['items'], 'children are passed; the extension folds them');
        $this->assertSame([['label' => 'Size', 'value' => 'XS'], ['label' => 'Color', 'value' => 'Red']], $p['order']['items'][0]['product_options']['attributes_info']);
        $this->assertSame('1', $p['order']['items'][1]['parent_item_id']);
        $this->assertSame([['id' => '3', 'name' => 'Men', 'path' => '1/2/3'], ['id' => '12', 'name' => 'Gear', 'path' => '1/2/12']], $p['order']['items'][0]['categories']);
        $this->assertSame('https://shop.example/media/catalog/product/m/j/mj01.jpg', $p['order']['items'][0]['image_url']);
        $this->assertArrayNotHasKey('image_url', $p['order']['items'][1], 'no_selection is no image');
        $this->assertArrayNotHasKey('categories', $p['order']['items'][1]);
        $this->assertSame(['brand' => 'Acme'], $p['order']['items'][0]['custom_attributes']);
        $this->assertSame(['order_channel' => 'web'], $p['order']['custom_attributes']);
        $this->assertSame("1 Main St\nApt 2", $p['order']['billing_address']['street']);
        $this->assertSame('checkmo', $p['order']['payment']['method']);
        $this->assertSame('acme', $this->ext->configured[0]['tenant_id']);

        // The same order saved and committed again in the request: nothing more.
        $order->setUpdatedAt('2024-05-01 10:15:40');
        $this->magento->save($order);
        $this->assertSame(['orderPlaced'], $this->events());
    }

    public function testPrivateOrderColumnsNeverLeaveTheStore(): void
    {
        $this->magento->save($this->f->order());
        $order = $this->ext->emitted[0]['payload']['order'];
        foreach (['protect_code', 'remote_ip', 'x_forwarded_for'] as $column) {
            $this->assertArrayNotHasKey($column, $order);
        }
        $this->assertSame(
            ['method' => 'checkmo', 'amount_ordered' => '190.0000', 'base_amount_ordered' => '190.0000', 'last_trans_id' => null, 'po_number' => null],
            $order['payment'],
            'card data, gateway responses and everything else of the payment stay'
        );
    }

    public function testNothingIsSentForARolledBackSaveOrWhenNothingWatchedChanged(): void
    {
        try {
            $this->magento->failingSave($this->f->order(), new \RuntimeException('deadlock'));
            $this->fail('the save should have failed');
        } catch (\RuntimeException) {
        }
        $this->assertSame([], $this->events(), 'save_before alone (a rolled-back save) sends nothing');

        $existing = $this->f->placedOrder();
        $existing->setUpdatedAt('2024-05-09 10:00:00');
        $this->magento->save($existing);
        $this->assertContains('sales_order_save_commit_after', $this->f->events->dispatched, 'the save did commit');
        $this->assertSame([], $this->events());
    }

    public function testAnOrderCanceledWithNothingInvoicedEmitsOrderCancelledOnce(): void
    {
        $order = $this->f->placedOrder(['state' => 'new', 'status' => 'pending']);
        $order->cancel();
        $this->assertSame('canceled', $order->getState());
        $this->magento->save($order);
        $this->assertSame(['orderCancelled'], $this->events());
        $this->assertSame('canceled', $this->ext->emitted[0]['payload']['order']['state']);
    }

    public function testAPartialCancelThatLeavesTheOrderProcessingEmitsOrderCancelled(): void
    {
        // W5: the bag is invoiced, the rest is canceled; Magento keeps the order processing.
        $order = $this->f->placedOrder();
        Fixtures::invoiceAll($order, ['6']);
        $order = Magento::loaded($order);
        $order->cancel();
        $this->assertSame('processing', $order->getState(), 'registerCancellation keeps invoiced orders processing');
        $this->assertContains('order_cancel_after', $this->f->events->dispatched);
        $this->magento->save($order);
        $this->assertSame(['orderCancelled'], $this->events());
        $this->assertSame('2.0000', $this->ext->emitted[0]['payload']['order']['items'][5]['qty_invoiced']);
        $this->assertEquals(1, $this->ext->emitted[0]['payload']['order']['items'][0]['qty_canceled']);

        // A later save of the same order is no second cancellation.
        $order->setUpdatedAt('2024-06-01 00:00:00');
        $this->magento->save($order);
        $this->assertSame(['orderCancelled'], $this->events());
    }

    public function testAPartialCancelThatLeavesTheOrderCompleteEmitsOnlyOrderCancelled(): void
    {
        $order = $this->f->placedOrder();
        Fixtures::invoiceAll($order, ['6']);
        Fixtures::shipAll($order, ['6']);
        $order = Magento::loaded($order);
        $order->cancel();
        $this->assertSame('complete', $order->getState());
        $this->magento->save($order);
        $this->assertSame(['orderCancelled'], $this->events(), 'no orderShipmentCompleted from a cancellation');
    }

    public function testAnUncancellableOrderFiresNoCancellation(): void
    {
        $order = $this->f->placedOrder();
        Fixtures::invoiceAll($order);
        $order = Magento::loaded($order);
        $order->cancel();
        $order->setUpdatedAt('2024-06-01 00:00:00');
        $this->magento->save($order);
        $this->assertNotContains('order_cancel_after', $this->f->events->dispatched);
        $this->assertSame([], $this->events());
    }

    public function testReachingCompleteOrClosedByStateAloneIsNoShipmentCompletion(): void
    {
        foreach (['complete', 'closed'] as $i => $state) {
            $order = $this->f->placedOrder(['entity_id' => (string) (320 + $i)]);
            $order->setState($state)->setStatus($state);
            $this->magento->save($order);
        }
        $this->assertSame([], $this->events());
    }

    public function testAShipmentThatShipsEverythingCompletesAPhysicalOrder(): void
    {
        // W1: shipped before being invoiced, the order stays processing; everything is shipped.
        $order = $this->f->placedOrder();
        $this->assertTrue($order->canShip());
        Fixtures::shipAll($order);
        $shipment = $this->f->document('shipment', $order, ['total_qty' => '6.0000']);
        $this->magento->transaction($shipment, $order);
        $this->assertSame('processing', $order->getState());
        $this->assertSame(['orderItemsShipped', 'orderShipmentCompleted'], $this->events());
        $completed = $this->ext->emitted[1]['payload'];
        $this->assertSame($shipment->getId(), $completed['shipment']['entity_id']);
        $this->assertSame('000000310', $completed['order']['increment_id']);
    }

    public function testAPartialShipmentDoesNotCompleteTheOrder(): void
    {
        $order = $this->f->placedOrder();
        Fixtures::shipAll($order, ['6']);
        $this->magento->transaction($this->f->document('shipment', $order), $order);
        $this->assertTrue($order->canShip(), 'the jacket and the kit are still to ship');
        $this->assertSame(['orderItemsShipped'], $this->events());

        // The second shipment ships the rest: now the order is complete.
        Fixtures::shipAll($order);
        $this->magento->transaction($this->f->document('shipment', $order, ['increment_id' => '000000056']), $order);
        $this->assertSame(['orderItemsShipped', 'orderItemsShipped', 'orderShipmentCompleted'], $this->events());
    }

    public function testAVirtualOrderNeverCompletesAShipment(): void
    {
        $order = $this->f->placedOrder(['is_virtual' => '1']);
        foreach ($order->getAllItems() as $item) {
            $item->setIsVirtual('1');
        }
        $this->assertFalse($order->canShip());
        Fixtures::invoiceAll($order);
        $order->setState('complete')->setStatus('complete');
        $this->magento->transaction($this->f->document('invoice', $order), $order);
        $this->assertSame(['orderInvoiced'], $this->events());
        // Even a shipment document of a virtual order (an import) is no completion.
        $this->magento->save($this->f->document('shipment', $order, ['increment_id' => '000000057']));
        $this->assertSame(['orderInvoiced', 'orderItemsShipped'], $this->events());
    }

    public function testAnInvoiceCapturedInsideTheOrderSaveFollowsOrderPlaced(): void
    {
        // W4: Payment::capture adds the invoice as a related object, saved inside the order's save.
        $order = $this->f->order(['state' => 'processing', 'status' => 'processing']);
        $invoice = $this->f->document('invoice', $order);
        $this->magento->save($order, function () use ($order, $invoice): void {
            $invoice->setOrderId($order->getId());
            $this->magento->save($invoice);
        });
        $dispatched = array_values(array_filter($this->f->events->dispatched, static fn ($e) => str_ends_with($e, 'save_commit_after') && !str_starts_with($e, 'model')));
        $this->assertSame(['sales_order_invoice_save_commit_after', 'sales_order_save_commit_after'], $dispatched, 'Magento commits the invoice first');
        $this->assertSame(['orderPlaced', 'orderInvoiced'], $this->events());
        $this->assertSame($invoice->getId(), $this->ext->emitted[1]['payload']['invoice']['entity_id']);
        $this->assertSame($order->getId(), $this->ext->emitted[1]['payload']['order']['entity_id']);
    }

    public function testAnInvoiceOfAnExistingOrderGoesOutAtOnce(): void
    {
        $order = $this->f->placedOrder();
        $this->magento->save($this->f->document('invoice', $order));
        $this->assertSame(['orderInvoiced'], $this->events());
    }

    public function testATrackAddedToAnExistingShipmentResendsOrderItemsShipped(): void
    {
        // W6: AddTrack saves only the track; the shipment row is unchanged.
        $order = $this->f->placedOrder();
        $shipment = $this->f->document('shipment', $order, ['entity_id' => '55']);
        Magento::loaded($shipment);
        $shipment->addTrack(Fixtures::track('1Z999AA10123456785'));
        $tracks = $shipment->getAllTracks();
        $this->magento->save(end($tracks));
        $this->assertSame(['orderItemsShipped'], $this->events());
        $payload = $this->ext->emitted[0]['payload'];
        $this->assertSame('55', $payload['shipment']['entity_id']);
        $this->assertSame(['1Z999AA10123456784', '1Z999AA10123456785'], array_column($payload['shipment']['tracks'], 'track_number'));

        // Editing an existing track is not a new one.
        $track = Magento::loaded(end($tracks));
        $track->setTitle('UPS Ground');
        $this->magento->save($track);
        $this->assertSame(['orderItemsShipped'], $this->events());
    }

    public function testTracksSavedWithANewShipmentAddNothing(): void
    {
        $order = $this->f->placedOrder();
        $shipment = $this->f->document('shipment', $order);
        $shipment->addTrack(Fixtures::track('1Z999AA10123456785'));
        $this->magento->save($shipment, function () use ($shipment): void {
            foreach ($shipment->getAllTracks() as $track) {
                $track->setParentId($shipment->getId());
                $this->magento->save($track);
            }
        });
        $this->assertSame(2, count(array_keys($this->f->events->dispatched, 'sales_order_shipment_track_save_commit_after', true)));
        $this->assertSame(['orderItemsShipped'], $this->events());
        $this->assertCount(2, $this->ext->emitted[0]['payload']['shipment']['tracks']);
    }

    public function testGuestOrderAndSecondWebsiteUseTheirOwnDataAndDestination(): void
    {
        $order = $this->f->order(['customer_id' => null, 'customer_is_guest' => '1', 'customer_email' => 'guest@example.org'], 2);
        $this->magento->save($order);
        [$call] = $this->ext->emitted;
        $this->assertSame(['datastream_id' => 'ds-eu', 'dataset_id' => 'events-eu'], $call['destination']);
        $this->assertSame('eu_de', $call['payload']['store']['store_view_code']);
        $this->assertNull($call['payload']['order']['customer_id']);
        $this->assertSame('1', $call['payload']['order']['customer_is_guest']);
        $this->assertSame('Herren', $call['payload']['order']['items'][0]['categories'][0]['name'], 'store view names');
        $this->assertSame('https://shop.example/media/catalog/product/w/g/wg080-eu.jpg', $call['payload']['order']['items'][2]['image_url']);
    }

    public function testDocumentsCarryTheOrderAndTheNewDocument(): void
    {
        $order = $this->f->placedOrder();
        foreach ([['invoice', 'orderInvoiced'], ['shipment', 'orderItemsShipped'], ['creditmemo', 'orderLineItemRefunded']] as [$key, $event]) {
            $doc = $this->f->document($key, $order);
            $this->magento->save($doc);
            $call = end($this->ext->emitted);
            $this->assertSame($event, $call['event']);
            $this->assertSame('000000310', $call['payload']['order']['increment_id']);
            $this->assertSame($doc->getId(), $call['payload'][$key]['entity_id']);
            $this->assertSame('6', $call['payload'][$key]['items'][0]['order_item_id']);
        }
        $this->assertSame('1Z999AA10123456784', $this->ext->emitted[1]['payload']['shipment']['tracks'][0]['track_number']);
        $this->assertSame(['orderInvoiced', 'orderItemsShipped', 'orderLineItemRefunded'], $this->events());
    }

    public function testProductInfoCostsThreeQueriesPerOrderAndNoneForKnownProducts(): void
    {
        $this->magento->save($this->f->order());
        $this->assertCount(3, $this->f->db->queries, implode("\n", $this->f->db->queries));
        $this->assertStringStartsWith('products ', $this->f->db->queries[0]);
        $this->assertStringStartsWith('category ids of products ', $this->f->db->queries[1]);
        $this->assertStringStartsWith('categories ', $this->f->db->queries[2]);
        $this->magento->save($this->f->order(['increment_id' => '000000311']));
        $this->assertCount(3, $this->f->db->queries, 'products already read in this process cost nothing');
        $this->assertCount(2, $this->ext->emitted);
        $this->assertSame($this->ext->emitted[0]['payload']['order']['items'][5]['categories'], $this->ext->emitted[1]['payload']['order']['items'][5]['categories']);
    }

    public function testTogglesOffMeansNoCall(): void
    {
        $this->f->scope->default['xdm_relay/events/backoffice_events'] = '0';
        $this->f->scope->default['xdm_relay/events/customer_profiles'] = '0';
        $this->magento->save($this->f->order());
        $this->magento->save($this->f->document('shipment', $this->f->placedOrder()));
        $this->assertSame([], $this->ext->emitted);
        $this->assertSame([], $this->ext->configured);
    }

    public function testAThrowingExtensionIsSwallowedAndLoggedWithTheOrderNumber(): void
    {
        $this->ext->throw = new \InvalidArgumentException('orderPlaced: order.grand_total: "abc" is not a number');
        $this->magento->save($this->f->order());
        $errors = $this->f->logger->messages('error');
        $this->assertCount(1, $errors);
        $this->assertStringContainsString('order 000000310', $errors[0]);
        $this->assertStringContainsString('order.grand_total', $errors[0]);
        $this->ext->throw = new \Error('engine failure');
        $this->magento->save($this->f->order(['increment_id' => '000000400']));
        $this->assertCount(2, $this->f->logger->messages('error'), 'even an Error never reaches the order save');
    }
}
