<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Catalog\Model\ResourceModel\Category\CollectionFactory as CategoryCollectionFactory;
use Magento\Catalog\Model\ResourceModel\Product\CollectionFactory as ProductCollectionFactory;
use Magento\Customer\Model\CustomerFactory;
use Magento\Framework\App\Filesystem\DirectoryList;
use Magento\Framework\DataObject;
use Magento\Framework\Event;
use Magento\Framework\Event\Observer;
use Magento\Newsletter\Model\SubscriberFactory;
use Magento\Store\Model\StoreManagerInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\AccountCreation;
use XdmRelay\Connector\Model\ChangeTracker;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\CustomerEvents;
use XdmRelay\Connector\Model\Emitter;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Model\OrderEvents;
use XdmRelay\Connector\Model\PayloadBuilder;
use XdmRelay\Connector\Model\ProductInfo;

/**
 * Realistic Magento objects and the module wired to a fake (or real) extension, with its
 * observers attached to Magento's events through its own events.xml and di.xml.
 */
class Fixtures
{
    public ArrayScopeConfig $scope;
    public StoreManager $stores;
    public TestLogger $logger;
    public Db $db;
    public ChangeTracker $tracker;
    public AccountCreation $creation;
    public Config $config;
    public ProductInfo $productInfo;
    public PayloadBuilder $payloads;
    public Emitter $emitter;
    public OrderEvents $orderEvents;
    public CustomerEvents $customerEvents;
    public CustomerFactory $customerFactory;
    public EventManager $events;
    public Magento $magento;

    public function __construct(public Extension $extension)
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
        $this->db = new Db();
        $this->seedCatalog();
        $this->tracker = new ChangeTracker();
        $this->creation = new AccountCreation();
        $this->config = new Config($this->scope, new DirectoryList('/srv/shop'));
        $this->productInfo = new ProductInfo(
            $this->stores,
            new ProductCollectionFactory(fn () => new ProductCollection($this->db)),
            new CategoryCollectionFactory(fn () => new CategoryCollection($this->db))
        );
        $this->payloads = new PayloadBuilder($this->config, $this->productInfo, new SubscriberFactory(fn (array $data = []) => new Subscriber($this->db, $data)));
        $this->emitter = new Emitter($extension, $this->config, $this->logger);
        $this->customerFactory = new CustomerFactory(fn (array $data = []) => new Customer($this->db, $data));
        $this->orderEvents = new OrderEvents($this->config, $this->payloads, $this->emitter);
        $this->customerEvents = new CustomerEvents($this->config, $this->payloads, $this->emitter, $this->stores, $this->customerFactory);
        $this->events = new EventManager([
            ChangeTracker::class => $this->tracker,
            AccountCreation::class => $this->creation,
            LoggerInterface::class => $this->logger,
            Config::class => $this->config,
            PayloadBuilder::class => $this->payloads,
            Emitter::class => $this->emitter,
            OrderEvents::class => $this->orderEvents,
            CustomerEvents::class => $this->customerEvents,
            CustomerFactory::class => $this->customerFactory,
            StoreManagerInterface::class => $this->stores,
        ]);
        $this->magento = new Magento($this->events, $this->db);
    }

    /** AccountManagement with the module's plugins around it, as di.xml declares them. */
    public function accountManagement(): object
    {
        return $this->events->intercepted(\Magento\Customer\Api\AccountManagementInterface::class, new AccountManagement($this->magento));
    }

    public static function observer(array $data): Observer
    {
        return new Observer(['event' => new Event($data)]);
    }

    private function seedCatalog(): void
    {
        $this->db->products = [
            101 => ['sku' => 'MJ01', 'image' => '/m/j/mj01.jpg', 'category_ids' => [12, 3], 'brand' => 'Acme'],
            102 => ['sku' => 'MJ01-XS-Red', 'image' => 'no_selection', 'category_ids' => []],
            103 => ['sku' => '24-WG080', 'image' => '/w/g/wg080.jpg', 'category_ids' => [12], 'store' => [2 => ['image' => '/w/g/wg080-eu.jpg']]],
            104 => ['sku' => '24-WG081-blue', 'category_ids' => [12]],
            105 => ['sku' => '24-WG084', 'category_ids' => [12]],
            106 => ['sku' => '24-MB01', 'image' => '/m/b/mb01.jpg', 'category_ids' => [12, 7]],
        ];
        $this->db->categories = [
            3 => ['name' => 'Men', 'path' => '1/2/3', 'store' => [2 => ['name' => 'Herren']]],
            7 => ['name' => 'Bags', 'path' => '1/2/12/7'],
            12 => ['name' => 'Gear', 'path' => '1/2/12', 'store' => [2 => ['name' => 'Ausrüstung']]],
        ];
    }

    public static function address(string $first = 'Jane'): DataObject
    {
        return new DataObject([
            'entity_id' => '7', 'parent_id' => '310', 'address_type' => 'billing', 'firstname' => $first, 'lastname' => 'Doe',
            'street' => "1 Main St\nApt 2", 'city' => 'Austin', 'region' => 'Texas', 'postcode' => '78701', 'country_id' => 'US', 'telephone' => '+1 512 555 0100',
            'remote_ip' => null,
        ]);
    }

    public static function item(array $data): OrderItem
    {
        return new OrderItem($data + [
            'qty_ordered' => '1.0000', 'qty_shipped' => '0.0000', 'qty_invoiced' => '0.0000', 'qty_refunded' => '0.0000', 'qty_canceled' => '0.0000',
            'price' => '20.0000', 'row_total' => '20.0000', 'discount_amount' => '0.0000', 'tax_amount' => '0.0000', 'store_id' => 1, 'is_virtual' => '0',
        ]);
    }

    /**
     * A new order (not yet saved): a configurable jacket (parent + child), a bundle (parent + 2
     * children, shipped together) and a simple product.
     */
    public function order(array $data = [], int $storeId = 1): Order
    {
        $jacket = self::item(['item_id' => '1', 'product_id' => '101', 'product_type' => 'configurable', 'sku' => 'MJ01-XS-Red', 'name' => 'Beaumont Summit Kit', 'price' => '50.0000', 'row_total' => '50.0000', 'discount_amount' => '5.0000', 'brand' => 'Acme', 'has_children' => true,
            'product_options' => ['attributes_info' => [['label' => 'Size', 'value' => 'XS'], ['label' => 'Color', 'value' => 'Red']]]]);
        $bundle = self::item(['item_id' => '3', 'product_id' => '103', 'product_type' => 'bundle', 'sku' => '24-WG080', 'name' => 'Sprite Yoga Companion Kit', 'price' => '61.0000', 'row_total' => '61.0000', 'has_children' => true,
            'product_options' => ['shipment_type' => '0', 'product_calculations' => '1', 'bundle_options' => [['label' => 'Ball', 'value' => [['title' => 'Sprite Stasis Ball 55 cm', 'qty' => 1]]]]]]);
        $items = [
            $jacket,
            self::item(['item_id' => '2', 'product_id' => '102', 'parent_item_id' => '1', 'parent_item' => $jacket, 'product_type' => 'simple', 'sku' => 'MJ01-XS-Red', 'name' => 'Beaumont Summit Kit-XS-Red', 'price' => '0.0000', 'row_total' => '0.0000']),
            $bundle,
            self::item(['item_id' => '4', 'product_id' => '104', 'parent_item_id' => '3', 'parent_item' => $bundle, 'product_type' => 'simple', 'sku' => '24-WG081-blue', 'name' => 'Sprite Stasis Ball']),
            self::item(['item_id' => '5', 'product_id' => '105', 'parent_item_id' => '3', 'parent_item' => $bundle, 'product_type' => 'simple', 'sku' => '24-WG084', 'name' => 'Sprite Foam Yoga Brick', 'qty_ordered' => '2.0000']),
            self::item(['item_id' => '6', 'product_id' => '106', 'product_type' => 'simple', 'sku' => '24-MB01', 'name' => 'Joust Duffle Bag', 'qty_ordered' => '2.0000', 'price' => '34.0000', 'row_total' => '68.0000']),
        ];
        $order = new Order($data + [
            'increment_id' => '000000310', 'state' => 'new', 'status' => 'pending', 'store_id' => $storeId, 'is_virtual' => '0',
            'created_at' => '2024-05-01 10:15:29', 'updated_at' => '2024-05-01 10:15:31', 'customer_id' => '42',
            'customer_email' => 'Jane.Doe@Example.com', 'customer_firstname' => 'Jane', 'customer_lastname' => 'Doe', 'customer_is_guest' => '0',
            'order_currency_code' => 'USD', 'base_currency_code' => 'USD', 'grand_total' => '190.0000', 'subtotal' => '179.0000', 'total_paid' => null,
            'tax_amount' => '11.0000', 'discount_amount' => '-5.0000', 'shipping_amount' => '5.0000', 'shipping_method' => 'flatrate_flatrate',
            'shipping_description' => 'Flat Rate - Fixed', 'order_channel' => 'web', 'protect_code' => 'abc123', 'remote_ip' => '203.0.113.7',
            'x_forwarded_for' => '198.51.100.2',
        ]);
        $order->eventManager = $this->events;
        $order->setData('all_items', $items);
        $order->setData('billing_address_object', self::address());
        $order->setData('shipping_address_object', self::address());
        $order->setData('payment_object', new DataObject([
            'method' => 'checkmo', 'amount_ordered' => '190.0000', 'base_amount_ordered' => '190.0000', 'last_trans_id' => null, 'po_number' => null,
            'additional_information' => ['x' => 1], 'cc_number_enc' => '0:3:abcdef', 'cc_last_4' => '1111', 'cc_exp_year' => '2030',
            'additional_data' => 'gateway response',
        ]));
        $order->setData('store', $this->stores->getStore($storeId));
        return $order;
    }

    /** An order already in the database (entity 310 unless told), loaded. */
    public function placedOrder(array $data = [], int $storeId = 1): Order
    {
        $order = $this->order($data + ['entity_id' => '310', 'state' => 'processing', 'status' => 'processing'], $storeId);
        return Magento::loaded($order);
    }

    /** Mark every item of the order as shipped (what Shipment::register does to the order items). */
    public static function shipAll(Order $order, array $only = []): void
    {
        foreach ($order->getAllItems() as $item) {
            if (!$only || in_array($item->getItemId(), $only, true)) {
                $item->setQtyShipped($item->getQtyOrdered());
            }
        }
    }

    public static function invoiceAll(Order $order, array $only = []): void
    {
        foreach ($order->getAllItems() as $item) {
            if (!$only || in_array($item->getItemId(), $only, true)) {
                $item->setQtyInvoiced($item->getQtyOrdered());
            }
        }
    }

    /** A new invoice, shipment (with one track) or credit memo of the order. */
    public function document(string $kind, Order $order, array $data = []): Document
    {
        $class = ['invoice' => Invoice::class, 'shipment' => Shipment::class, 'creditmemo' => Creditmemo::class][$kind];
        $doc = new $class($data + ['increment_id' => '000000055', 'order_id' => $order->getId(), 'created_at' => '2024-05-02 09:30:00', 'grand_total' => '68.0000']);
        $doc->setData('order', $order);
        $doc->setData('all_items', [new DataObject(['order_item_id' => '6', 'sku' => '24-MB01', 'name' => 'Joust Duffle Bag', 'qty' => '1.0000', 'price' => '34.0000', 'row_total' => '34.0000'])]);
        if ($doc instanceof Shipment) {
            $doc->addTrack(self::track());
        }
        return $doc;
    }

    public static function track(string $number = '1Z999AA10123456784'): Track
    {
        return new Track(['track_number' => $number, 'carrier_code' => 'ups', 'title' => 'UPS', 'created_at' => '2024-05-02 09:30:00']);
    }

    /**
     * Customer 42 in the database (two addresses, subscribed to the newsletter unless told), loaded.
     */
    public function customer(array $data = [], bool $subscribed = true): Customer
    {
        $this->db->customers['42'] = $data + [
            'entity_id' => '42', 'email' => 'Jane.Doe@Example.com', 'firstname' => 'Jane', 'lastname' => 'Doe', 'dob' => '1985-07-14',
            'gender' => '2', 'created_at' => '2023-01-02 03:04:05', 'updated_at' => '2024-05-01 08:00:00', 'website_id' => '1', 'store_id' => '1',
            'group_id' => '1', 'default_billing' => '7', 'default_shipping' => '8', 'password_hash' => 'secret-hash', 'rp_token' => 'reset-token',
            'rp_token_created_at' => '2024-05-01 08:00:00', 'confirmation' => null, 'failures_num' => '0', 'first_failure' => null, 'lock_expires' => null,
        ];
        $this->db->addresses['7'] = ['entity_id' => '7', 'parent_id' => '42', 'firstname' => 'Jane', 'lastname' => 'Doe', 'street' => '1 Main St', 'city' => 'Austin', 'postcode' => '78701', 'country_id' => 'US', 'telephone' => '555-0100', 'updated_at' => '2024-04-01 08:00:00'];
        $this->db->addresses['8'] = ['entity_id' => '8', 'parent_id' => '42', 'firstname' => 'Jane', 'lastname' => 'Doe', 'street' => '9 Warehouse Rd', 'city' => 'Dallas', 'postcode' => '75201', 'country_id' => 'US', 'telephone' => '555-0199', 'updated_at' => '2024-04-02 08:00:00'];
        $this->db->subscribers = [['subscriber_id' => '5', 'customer_id' => '42', 'store_id' => '1', 'subscriber_email' => 'Jane.Doe@Example.com', 'subscriber_status' => $subscribed ? 1 : 3]];
        return $this->loadCustomer('42');
    }

    public function loadCustomer(string $id): Customer
    {
        $customer = $this->customerFactory->create()->load($id);
        $customer->isObjectNew(false);
        return $customer;
    }

    /** The events the fake extension was asked to emit, in order. */
    public function emittedEvents(): array
    {
        return array_column($this->extension->emitted, 'event');
    }
}
