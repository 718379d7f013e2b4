<?php
declare(strict_types=1);

namespace Magento\Rma\Model {
    /** Stand-in for Adobe Commerce's RMA model (absent on Open Source). */
    class Rma extends \Magento\Framework\Model\AbstractModel
    {
        public function getOrder()
        {
            return $this->getData('order');
        }

        public function getItems()
        {
            return $this->getData('item_objects') ?? [];
        }
    }
}

namespace XdmRelay\Connector\Test\E2e {

use Magento\Framework\DataObject;
use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Test\Address;
use XdmRelay\Connector\Test\ArrayCache;
use XdmRelay\Connector\Test\Customer;
use XdmRelay\Connector\Test\Fixtures;
use XdmRelay\Connector\Test\Magento;
use XdmRelay\Connector\Test\TestLogger;

/** The real extension maps what the observers emit (without sending): observer → xdm_relay_map → valid XDM. */
class MappingExtension extends Extension
{
    public array $documents = [];

    public function emit(string $event, array $payload, array $destination): string
    {
        $doc = json_decode($this->map($event, $payload), true, 512, JSON_THROW_ON_ERROR);
        $this->documents[] = ['event' => $event, 'destination' => $destination, 'xdm' => $doc];
        return $doc['_id'];
    }
}

class EndToEndTest extends TestCase
{
    public function testEveryObserverEventBecomesValidXdmThroughTheRealExtension(): void
    {
        $this->assertTrue(extension_loaded('xdm_relay'), 'run with -d extension=' . getenv('XDM_RELAY_SO'));
        $ext = new MappingExtension(new TestLogger(), new ArrayCache());
        $f = new Fixtures($ext);
        $logger = $f->logger;
        $magento = $f->magento;

        // Placed with an invoice captured inside the order save, shipped completely, a track added
        // later, refunded.
        $order = $f->order(['state' => 'processing', 'status' => 'processing']);
        $invoice = $f->document('invoice', $order);
        $magento->save($order, function () use ($magento, $order, $invoice): void {
            $invoice->setOrderId($order->getId());
            Fixtures::invoiceAll($order);
            $magento->save($invoice);
        });
        $order = Magento::loaded($order);
        Fixtures::shipAll($order);
        $shipment = $f->document('shipment', $order);
        $magento->transaction($shipment, $order);
        $shipment = Magento::loaded($shipment);
        $shipment->addTrack(Fixtures::track('1Z999AA10123456785'));
        $tracks = $shipment->getAllTracks();
        $magento->save(end($tracks));
        $magento->save($f->document('creditmemo', $order));

        // Partly invoiced, then canceled: stays processing (second website).
        $partial = $f->placedOrder(['entity_id' => '311', 'increment_id' => '000000311', 'updated_at' => '2024-05-03 10:00:00'], 2);
        Fixtures::invoiceAll($partial, ['6']);
        $partial = Magento::loaded($partial);
        $partial->cancel();
        $magento->save($partial);

        $rma = new \Magento\Rma\Model\Rma(['entity_id' => '8', 'increment_id' => 'RMA8', 'status' => 'pending', 'date_requested' => '2024-05-10 08:00:00', 'order' => $order,
            'item_objects' => [new DataObject(['order_item_id' => '6', 'qty_requested' => '1', 'reason' => 'Wrong size', 'condition' => 'Unopened', 'resolution' => 'Refund', 'status' => 'pending'])]]);
        $f->events->dispatch('model_save_before', ['object' => $rma]);
        $f->events->dispatch('model_save_commit_after', ['object' => $rma]);
        Magento::loaded($rma);
        $rma->setStatus('closed');
        $rma->setUpdatedAt('2024-05-14 12:00:00');
        $f->events->dispatch('model_save_before', ['object' => $rma]);
        $f->events->dispatch('model_save_commit_after', ['object' => $rma]);

        // Sign-up with an address, a profile change, an address change, deletion.
        $f->accountManagement()->createAccountWithPasswordHash(new Customer(null, ['email' => 'ann@example.com', 'firstname' => 'Ann', 'lastname' => 'Lee',
            'website_id' => '1', 'store_id' => '1', 'created_at' => '2024-05-01 08:00:00', 'updated_at' => '2024-05-01 08:00:00',
            'address_rows' => [['firstname' => 'Ann', 'lastname' => 'Lee', 'street' => '1 Main St', 'city' => 'Austin', 'postcode' => '78701', 'country_id' => 'US', 'telephone' => '555-0100']]]), 'hash');
        $customer = $f->customer();
        $customer->setLastname('Smith')->setUpdatedAt('2024-06-01 08:00:00');
        $magento->save($customer);
        $address = Magento::loaded(new Address($f->db->addresses['7']));
        $address->setStreet('2 Main St')->setUpdatedAt('2024-06-02 08:00:00');
        $magento->save($address);
        $magento->delete($f->loadCustomer('42'));

        $this->assertSame([], $logger->messages('error'), implode("\n", $logger->messages('error')));
        $events = array_column($ext->documents, 'event');
        sort($events);
        $this->assertSame([
            'accountCreated', 'accountDeleted', 'accountUpdated', 'orderCancelled', 'orderInvoiced', 'orderItemReturnCompleted',
            'orderItemsReturnInitiated', 'orderItemsShipped', 'orderItemsShipped', 'orderLineItemRefunded', 'orderPlaced', 'orderShipmentCompleted',
            'profileDeleted', 'profileRecord', 'profileRecord', 'profileRecord',
        ], $events);
        $this->assertSame(['orderPlaced', 'orderInvoiced'], array_column(array_slice($ext->documents, 0, 2), 'event'));
        $ids = array_map(static fn ($d) => $d['xdm']['_id'], $ext->documents);
        $this->assertSame($ids, array_values(array_unique($ids)), 'every event is a distinct document (the later track too)');

        $placed = $ext->documents[0]['xdm'];
        $this->assertSame('commerce.backofficeOrderPlaced', $placed['eventType']);
        $this->assertSame(['MJ01-XS-Red', '24-WG080', '24-MB01'], array_column($placed['productListItems'], 'SKU'));
        $this->assertSame('web', $placed['commerce']['order']['_acme']['order_channel']);
        $this->assertSame('Acme', $placed['productListItems'][0]['_acme']['brand']);
        $this->assertSame('env-1', $placed['commerce']['commerceScope']['environmentID']);

        $file = tempnam(sys_get_temp_dir(), 'xdm-e2e-');
        file_put_contents($file, json_encode(array_column($ext->documents, 'xdm')));
        $root = dirname(__DIR__, 3);
        $shared = getenv('XDM_RELAY_SHARED') ?: $root . '/../shared';
        exec(sprintf('python3 %s --schemas %s %s 2>&1', escapeshellarg($root . '/tools/xdm_check.py'), escapeshellarg($shared . '/xdm'), escapeshellarg($file)), $output, $status);
        unlink($file);
        $this->assertSame(0, $status, implode("\n", $output));
        $this->assertStringContainsString('checked 16 document(s), 0 problem(s)', implode("\n", $output));
    }
}
}
