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
use XdmRelay\Connector\Observer\CreditmemoCommitted;
use XdmRelay\Connector\Observer\CustomerCommitted;
use XdmRelay\Connector\Observer\CustomerDeleted;
use XdmRelay\Connector\Observer\InvoiceCommitted;
use XdmRelay\Connector\Observer\OrderCommitted;
use XdmRelay\Connector\Observer\RecordChanges;
use XdmRelay\Connector\Observer\RecordRmaChanges;
use XdmRelay\Connector\Observer\RmaCommitted;
use XdmRelay\Connector\Observer\ShipmentCommitted;
use XdmRelay\Connector\Test\Fixtures;
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
        $logger = new TestLogger();
        $ext = new MappingExtension($logger);
        $f = new Fixtures($ext);
        $f->emitter = new \XdmRelay\Connector\Model\Emitter($ext, $f->config, $logger);
        $record = new RecordChanges($f->tracker, $logger);
        $save = function (object $model, object $committed, array $data = []) use ($record): void {
            $record->execute(Fixtures::observer(['data_object' => $model]));
            $committed->execute(Fixtures::observer($data + ['data_object' => $model]));
        };
        $args = [$f->tracker, $f->config, $f->payloads, $f->emitter, $logger];

        $order = $f->order();
        $save($order, new OrderCommitted(...$args), ['order' => $order]);
        foreach ([[InvoiceCommitted::class, 'invoice'], [ShipmentCommitted::class, 'shipment'], [CreditmemoCommitted::class, 'creditmemo']] as [$class, $kind]) {
            $save($f->document($kind, $order, ['entity_id' => (string) (60 + count($ext->documents))]), new $class(...$args));
        }
        $order->setOrigData();
        $order->isObjectNew(false);
        $order->setState('complete');
        $save($order, new OrderCommitted(...$args), ['order' => $order]);
        $cancelled = $f->order(['entity_id' => '311', 'increment_id' => '000000311', 'updated_at' => '2024-05-03 10:00:00'], 2);
        $cancelled->setOrigData();
        $cancelled->isObjectNew(false);
        $cancelled->setState('canceled');
        $save($cancelled, new OrderCommitted(...$args), ['order' => $cancelled]);

        $rma = new \Magento\Rma\Model\Rma(['entity_id' => '8', 'increment_id' => 'RMA8', 'status' => 'pending', 'date_requested' => '2024-05-10 08:00:00', 'order' => $order,
            'item_objects' => [new DataObject(['order_item_id' => '6', 'qty_requested' => '1', 'reason' => 'Wrong size', 'condition' => 'Unopened', 'resolution' => 'Refund', 'status' => 'pending'])]]);
        $recordRma = new RecordRmaChanges($f->tracker, $logger);
        $rmaCommitted = new RmaCommitted(...$args);
        $recordRma->execute(Fixtures::observer(['object' => $rma]));
        $rmaCommitted->execute(Fixtures::observer(['object' => $rma]));
        $rma->setOrigData();
        $rma->isObjectNew(false);
        $rma->setStatus('closed');
        $rma->setUpdatedAt('2024-05-14 12:00:00');
        $recordRma->execute(Fixtures::observer(['object' => $rma]));
        $rmaCommitted->execute(Fixtures::observer(['object' => $rma]));

        $customer = $f->customer();
        $customerArgs = [$f->tracker, $f->config, $f->payloads, $f->emitter, $f->stores, $logger];
        $save($customer, new CustomerCommitted(...$customerArgs), ['customer' => $customer]);
        $customer->setOrigData();
        $customer->isObjectNew(false);
        $customer->setUpdatedAt('2024-06-01 08:00:00');
        $save($customer, new CustomerCommitted(...$customerArgs), ['customer' => $customer]);
        (new CustomerDeleted($f->config, $f->payloads, $f->emitter, $f->stores, $logger))->execute(Fixtures::observer(['customer' => $customer]));

        $this->assertSame([], $logger->messages('error'), implode("\n", $logger->messages('error')));
        $events = array_column($ext->documents, 'event');
        sort($events);
        $this->assertSame([
            'accountCreated', 'accountDeleted', 'accountUpdated', 'orderCancelled', 'orderInvoiced', 'orderItemReturnCompleted',
            'orderItemsReturnInitiated', 'orderItemsShipped', 'orderLineItemRefunded', 'orderPlaced', 'orderShipmentCompleted',
            'profileDeleted', 'profileRecord', 'profileRecord',
        ], $events);

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
        $this->assertStringContainsString('checked 14 document(s), 0 problem(s)', implode("\n", $output));
    }
}
}
