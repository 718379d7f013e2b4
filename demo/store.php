<?php
// One storefront or back-office action of the demo store, run under PHP-FPM through the real
// XdmRelay_Connector observers (with Magento stand-ins from tests/php) and the real extension.
//   ?action=register|edit|order|invoice|ship|complete|refund|cancel|delete&n=<number>[&part=<n>]
// Prints the events the action emitted, as JSON: [{"event": ..., "id": ...}].
declare(strict_types=1);

require __DIR__ . '/../tests/php/support/bootstrap.php';

use XdmRelay\Connector\Model\Emitter;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Observer\CreditmemoCommitted;
use XdmRelay\Connector\Observer\CustomerCommitted;
use XdmRelay\Connector\Observer\CustomerDeleted;
use XdmRelay\Connector\Observer\InvoiceCommitted;
use XdmRelay\Connector\Observer\OrderCommitted;
use XdmRelay\Connector\Observer\RecordChanges;
use XdmRelay\Connector\Observer\ShipmentCommitted;
use XdmRelay\Connector\Test\Fixtures;
use XdmRelay\Connector\Test\TestLogger;

/** The real extension, remembering what this request emitted. */
final class RecordingExtension extends Extension
{
    public array $sent = [];

    public function emit(string $event, array $payload, array $destination): string
    {
        $id = parent::emit($event, $payload, $destination);
        $this->sent[] = ['event' => $event, 'id' => $id];
        return $id;
    }
}

parse_str($_SERVER['QUERY_STRING'] ?? '', $q);
$action = (string) ($q['action'] ?? '');
$n = (int) ($q['n'] ?? 1);
$logger = new TestLogger();
$ext = new RecordingExtension($logger);
$f = new Fixtures($ext);
$f->scope->default['xdm_relay/general/edge_url'] = (string) ($_SERVER['XR_EDGE'] ?? getenv('XR_EDGE'));
$f->emitter = new Emitter($ext, $f->config, $logger);
$args = [$f->tracker, $f->config, $f->payloads, $f->emitter, $logger];
$record = new RecordChanges($f->tracker, $logger);
$save = function (object $model, object $committed, array $data = []) use ($record): void {
    $record->execute(Fixtures::observer(['data_object' => $model]));
    $committed->execute(Fixtures::observer($data + ['data_object' => $model]));
};
$existing = function (object $model): object {
    $model->setOrigData();
    $model->isObjectNew(false);
    return $model;
};
$names = ['Ava Martin', 'Noah Bernard', 'Léa Dubois', 'Liam Thomas', 'Zoë Petit', 'Hugo Robert', 'Chloé Richard', 'Ethan Durand'];
[$first, $last] = explode(' ', $names[$n % count($names)]);
$email = strtolower(str_replace(['é', 'ë'], 'e', "$first.$last")) . "+$n@example.com";
$customer = fn () => $f->customer(['entity_id' => (string) (1000 + $n), 'email' => $email, 'firstname' => $first, 'lastname' => $last, 'updated_at' => date('Y-m-d H:i:s')]);
$storeId = $n % 3 === 0 ? 2 : 1;
$order = fn (array $data = []) => $f->order($data + ['entity_id' => (string) (5000 + $n), 'increment_id' => sprintf('1%08d', $n), 'customer_email' => $email,
    'customer_id' => (string) (1000 + $n), 'customer_firstname' => $first, 'customer_lastname' => $last, 'created_at' => date('Y-m-d H:i:s'), 'updated_at' => date('Y-m-d H:i:s')], $storeId);
$customerArgs = [$f->tracker, $f->config, $f->payloads, $f->emitter, $f->stores, $logger];

switch ($action) {
    case 'register':
        $c = $customer();
        $save($c, new CustomerCommitted(...$customerArgs), ['customer' => $c]);
        break;
    case 'edit':
        $c = $existing($customer());
        $c->setLastname($last . '-Smith');
        // Magento stamps updated_at per save (second resolution); an edit is a later version.
        $c->setUpdatedAt(date('Y-m-d H:i:s', time() + 60));
        $save($c, new CustomerCommitted(...$customerArgs), ['customer' => $c]);
        break;
    case 'delete':
        (new CustomerDeleted($f->config, $f->payloads, $f->emitter, $f->stores, $logger))->execute(Fixtures::observer(['customer' => $customer()]));
        break;
    case 'order':
        $o = $order();
        $save($o, new OrderCommitted(...$args), ['order' => $o]);
        break;
    case 'invoice':
        $save($f->document('invoice', $order(), ['entity_id' => (string) (7000 + $n)]), new InvoiceCommitted(...$args));
        break;
    case 'ship':
        $part = (int) ($q['part'] ?? 1);
        $save($f->document('shipment', $order(), ['entity_id' => (string) (8000 + $n * 10 + $part)]), new ShipmentCommitted(...$args));
        break;
    case 'complete':
        $o = $existing($order(['state' => 'processing']));
        $o->setState('complete');
        $save($o, new OrderCommitted(...$args), ['order' => $o]);
        break;
    case 'refund':
        $save($f->document('creditmemo', $order(), ['entity_id' => (string) (9000 + $n)]), new CreditmemoCommitted(...$args));
        break;
    case 'cancel':
        $o = $existing($order(['state' => 'new']));
        $o->setState('canceled');
        $save($o, new OrderCommitted(...$args), ['order' => $o]);
        break;
    default:
        http_response_code(400);
}
header('Content-Type: application/json');
echo json_encode(['sent' => $ext->sent, 'errors' => $logger->messages('error')]);
