<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\DataObject;
use Magento\Framework\Event;
use Magento\Framework\Event\Observer;
use XdmRelay\Connector\Model\ChangeTracker;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Emitter;
use XdmRelay\Connector\Model\PayloadBuilder;
use XdmRelay\Connector\Model\ProductInfo;

/** Realistic Magento objects and a module wired to a fake (or real) extension. */
class Fixtures
{
    public ArrayScopeConfig $scope;
    public StoreManager $stores;
    public TestLogger $logger;
    public ChangeTracker $tracker;
    public Config $config;
    public PayloadBuilder $payloads;
    public Emitter $emitter;

    public function __construct(public \XdmRelay\Connector\Model\Extension $extension)
    {
        $this->scope = new ArrayScopeConfig(
            [
                'xdm_relay/general/edge_url' => 'http://127.0.0.1:9',
                'xdm_relay/general/tenant_id' => 'acme',
                'xdm_relay/general/environment_id' => 'env-1',
                'xdm_relay/events/backoffice_events' => '1',
                'xdm_relay/events/customer_profiles' => '1',
                'xdm_relay/events/datastream_id' => 'ds-base',
                'xdm_relay/events/dataset_id' => 'events-base',
                'xdm_relay/events/profile_dataset_id' => 'profiles-base',
                'xdm_relay/events/profile_same_datastream' => '1',
                'xdm_relay/events/order_custom_attributes' => 'order_channel',
                'xdm_relay/events/item_custom_attributes' => 'brand',
                'xdm_relay/history/copy_dataset' => '1',
                'xdm_relay/history/events_per_second' => '100000',
            ],
            ['2' => ['xdm_relay/events/datastream_id' => 'ds-eu', 'xdm_relay/events/dataset_id' => 'events-eu']]
        );
        $this->stores = new StoreManager([
            1 => Store::make(1, 'base', 'main_website_store', 'default', 1),
            2 => Store::make(2, 'eu', 'eu_store', 'eu_de', 2),
        ]);
        $this->logger = new TestLogger();
        $this->tracker = new ChangeTracker();
        $this->config = new Config($this->scope);
        $this->payloads = new PayloadBuilder($this->config, new ProductInfo($this->stores));
        $this->emitter = new Emitter($extension, $this->config, $this->logger);
    }

    public static function observer(array $data): Observer
    {
        return new Observer(['event' => new Event($data)]);
    }

    public static function address(string $first = 'Jane'): DataObject
    {
        return new DataObject([
            'entity_id' => '7', 'parent_id' => '310', 'address_type' => 'billing', 'firstname' => $first, 'lastname' => 'Doe',
            'street' => "1 Main St\nApt 2", 'city' => 'Austin', 'region' => 'Texas', 'postcode' => '78701', 'country_id' => 'US', 'telephone' => '+1 512 555 0100',
        ]);
    }

    public static function item(array $data): OrderItem
    {
        return new OrderItem($data + [
            'qty_ordered' => '1.0000', 'qty_shipped' => '0.0000', 'qty_refunded' => '0.0000', 'qty_canceled' => '0.0000',
            'price' => '20.0000', 'row_total' => '20.0000', 'discount_amount' => '0.0000', 'tax_amount' => '0.0000', 'store_id' => 1,
            'product' => new Product(['image' => '/m/j/mj01.jpg', 'categories' => [['entity_id' => 12, 'id' => 12, 'name' => 'Gear', 'path' => '1/2/12']]]),
        ]);
    }

    /** A configurable jacket (parent + child), a bundle (parent + 2 children) and a simple product. */
    public function order(array $data = [], int $storeId = 1): Order
    {
        $items = [
            self::item(['item_id' => '1', 'product_type' => 'configurable', 'sku' => 'MJ01-XS-Red', 'name' => 'Beaumont Summit Kit', 'price' => '50.0000', 'row_total' => '50.0000', 'discount_amount' => '5.0000', 'brand' => 'Acme',
                'product_options' => ['attributes_info' => [['label' => 'Size', 'value' => 'XS'], ['label' => 'Color', 'value' => 'Red']]]]),
            self::item(['item_id' => '2', 'parent_item_id' => '1', 'product_type' => 'simple', 'sku' => 'MJ01-XS-Red', 'name' => 'Beaumont Summit Kit-XS-Red', 'price' => '0.0000', 'row_total' => '0.0000']),
            self::item(['item_id' => '3', 'product_type' => 'bundle', 'sku' => '24-WG080', 'name' => 'Sprite Yoga Companion Kit', 'price' => '61.0000', 'row_total' => '61.0000',
                'product_options' => ['bundle_options' => [['label' => 'Ball', 'value' => [['title' => 'Sprite Stasis Ball 55 cm', 'qty' => 1]]]]]]),
            self::item(['item_id' => '4', 'parent_item_id' => '3', 'product_type' => 'simple', 'sku' => '24-WG081-blue', 'name' => 'Sprite Stasis Ball']),
            self::item(['item_id' => '5', 'parent_item_id' => '3', 'product_type' => 'simple', 'sku' => '24-WG084', 'name' => 'Sprite Foam Yoga Brick', 'qty_ordered' => '2.0000']),
            self::item(['item_id' => '6', 'product_type' => 'simple', 'sku' => '24-MB01', 'name' => 'Joust Duffle Bag', 'qty_ordered' => '2.0000', 'price' => '34.0000', 'row_total' => '68.0000']),
        ];
        $order = new Order($data + [
            'entity_id' => '310', 'increment_id' => '000000310', 'state' => 'new', 'status' => 'pending', 'store_id' => $storeId,
            'created_at' => '2024-05-01 10:15:29', 'updated_at' => '2024-05-01 10:15:31', 'customer_id' => '42',
            'customer_email' => 'Jane.Doe@Example.com', 'customer_firstname' => 'Jane', 'customer_lastname' => 'Doe', 'customer_is_guest' => '0',
            'order_currency_code' => 'USD', 'base_currency_code' => 'USD', 'grand_total' => '190.0000', 'subtotal' => '179.0000',
            'tax_amount' => '11.0000', 'discount_amount' => '-5.0000', 'shipping_amount' => '5.0000', 'shipping_method' => 'flatrate_flatrate',
            'shipping_description' => 'Flat Rate - Fixed', 'order_channel' => 'web', 'protect_code' => 'abc123',
        ]);
        $order->setData('all_items', $items);
        $order->setData('billing_address_object', self::address());
        $order->setData('shipping_address_object', self::address());
        $order->setData('payment_object', new DataObject(['method' => 'checkmo', 'amount_ordered' => '190.0000', 'last_trans_id' => null, 'po_number' => null, 'additional_information' => ['x' => 1]]));
        $order->setData('store', $this->stores->getStore($storeId));
        return $order;
    }

    public function document(string $kind, Order $order, array $data = []): Document
    {
        $class = $kind === 'shipment' ? Shipment::class : Document::class;
        $doc = new $class($data + ['entity_id' => '55', 'increment_id' => '000000055', 'order_id' => $order->getId(), 'created_at' => '2024-05-02 09:30:00', 'grand_total' => '68.0000']);
        $doc->setData('order', $order);
        $doc->setData('all_items', [new DataObject(['order_item_id' => '6', 'sku' => '24-MB01', 'name' => 'Joust Duffle Bag', 'qty' => '1.0000', 'price' => '34.0000', 'row_total' => '34.0000'])]);
        if ($kind === 'shipment') {
            $doc->setData('all_tracks', [new DataObject(['track_number' => '1Z999AA10123456784', 'carrier_code' => 'ups', 'title' => 'UPS'])]);
        }
        return $doc;
    }

    public function customer(array $data = []): Customer
    {
        $customer = new Customer($data + [
            'entity_id' => '42', 'email' => 'Jane.Doe@Example.com', 'firstname' => 'Jane', 'lastname' => 'Doe', 'dob' => '1985-07-14',
            'gender' => '2', 'created_at' => '2023-01-02 03:04:05', 'updated_at' => '2024-05-01 08:00:00', 'website_id' => '1',
            'default_billing' => '7', 'default_shipping' => '8', 'password_hash' => 'secret-hash',
        ]);
        $customer->setData('address_objects', [
            new \Magento\Framework\Model\AbstractModel(['entity_id' => '7', 'firstname' => 'Jane', 'lastname' => 'Doe', 'street' => '1 Main St', 'city' => 'Austin', 'postcode' => '78701', 'country_id' => 'US', 'telephone' => '555-0100']),
            new \Magento\Framework\Model\AbstractModel(['entity_id' => '8', 'firstname' => 'Jane', 'lastname' => 'Doe', 'street' => '9 Warehouse Rd', 'city' => 'Dallas', 'postcode' => '75201', 'country_id' => 'US', 'telephone' => '555-0199']),
        ]);
        return $customer;
    }
}
