<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\DataObject;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Model\AbstractModel;

/**
 * Stand-ins for the Magento models the module reads, with the logic of Magento 2.4.6 where the
 * module depends on it (Order::canShip, Order::cancel, Item::getQtyToShip/isDummy,
 * Customer::getAddresses, Subscriber::loadByCustomer, Track::getShipment, product collections).
 * Each carries its real _eventPrefix/_eventObject so Magento (support/Magento.php) can fire the
 * events Magento fires for it.
 */
abstract class Model extends AbstractModel
{
    protected $_eventPrefix = 'core_abstract';
    protected $_eventObject = 'object';

    public function getEventPrefix()
    {
        return $this->_eventPrefix;
    }

    /** As AbstractModel::_getEventData(). */
    public function eventData(): array
    {
        return ['data_object' => $this, $this->_eventObject => $this];
    }
}

class OrderItem extends Model
{
    protected $_eventPrefix = 'sales_order_item';
    protected $_eventObject = 'item';

    public function getProductOptions()
    {
        return $this->getData('product_options');
    }

    public function getParentItem()
    {
        return $this->getData('parent_item');
    }

    /** Item::isShipSeparately(): the parent's (or own) shipment_type option. */
    public function isShipSeparately(): bool
    {
        $options = $this->getParentItem() ? $this->getParentItem()->getProductOptions() : $this->getProductOptions();
        return isset($options['shipment_type']) && $options['shipment_type'] == 1;
    }

    public function isChildrenCalculated(): bool
    {
        $options = $this->getParentItem() ? $this->getParentItem()->getProductOptions() : $this->getProductOptions();
        return isset($options['product_calculations']) && $options['product_calculations'] == 0;
    }

    /** Item::isDummy() of Magento 2.4.6. */
    public function isDummy($shipment = false): bool
    {
        if ($shipment) {
            if ($this->getHasChildren()) {
                return $this->isShipSeparately();
            }
            if ($this->getParentItem()) {
                return !$this->isShipSeparately();
            }
            return false;
        }
        if ($this->getHasChildren()) {
            return $this->isChildrenCalculated();
        }
        if ($this->getParentItem()) {
            return !$this->isChildrenCalculated();
        }
        return false;
    }

    public function getQtyToShip()
    {
        if ($this->isDummy(true)) {
            return 0;
        }
        $qty = $this->getQtyOrdered() - max($this->getQtyShipped(), $this->getQtyRefunded()) - $this->getQtyCanceled();
        return max(round($qty, 8), 0);
    }

    public function getQtyToInvoice()
    {
        if ($this->isDummy()) {
            return 0;
        }
        $qty = $this->getQtyOrdered() - $this->getQtyInvoiced() - $this->getQtyCanceled();
        return max(round($qty, 8), 0);
    }

    public function getQtyToRefund()
    {
        if ($this->isDummy()) {
            return 0;
        }
        return max($this->getQtyInvoiced() - $this->getQtyRefunded(), 0);
    }

    public function getQtyToCancel()
    {
        return max(min($this->getQtyToInvoice(), $this->getQtyToShip()), 0);
    }

    public function isProcessingAvailable(): bool
    {
        return $this->getQtyToShip() > $this->getQtyToCancel();
    }

    public function cancel()
    {
        $this->setQtyCanceled($this->getQtyToCancel());
        return $this;
    }
}

class Order extends Model
{
    public const STATE_PROCESSING = 'processing';
    public const STATE_COMPLETE = 'complete';
    public const STATE_CLOSED = 'closed';
    public const STATE_CANCELED = 'canceled';
    public const STATE_HOLDED = 'holded';
    public const STATE_PAYMENT_REVIEW = 'payment_review';

    protected $_eventPrefix = 'sales_order';
    protected $_eventObject = 'order';
    private array $actionFlag = [];

    /** What Order::cancel() dispatches order_cancel_after to (Magento's injected event manager). */
    public ?EventManager $eventManager = null;

    public function getAllItems()
    {
        return $this->getData('all_items') ?? [];
    }

    public function getBillingAddress()
    {
        return $this->getData('billing_address_object');
    }

    public function getShippingAddress()
    {
        return $this->getData('shipping_address_object');
    }

    public function getPayment()
    {
        return $this->getData('payment_object');
    }

    public function getIsVirtual()
    {
        return $this->getData('is_virtual');
    }

    public function isCanceled(): bool
    {
        return $this->getState() === self::STATE_CANCELED;
    }

    public function isPaymentReview(): bool
    {
        return $this->getState() === self::STATE_PAYMENT_REVIEW;
    }

    public function canUnhold(): bool
    {
        if ($this->getActionFlag('unhold') === false || $this->isPaymentReview()) {
            return false;
        }
        return $this->getState() === self::STATE_HOLDED;
    }

    public function getActionFlag($action)
    {
        return $this->actionFlag[$action] ?? null;
    }

    public function setActionFlag($action, $flag)
    {
        $this->actionFlag[$action] = (bool) $flag;
        return $this;
    }

    /** Order::canShip() of Magento 2.4.6. */
    public function canShip()
    {
        if ($this->canUnhold() || $this->isPaymentReview()) {
            return false;
        }
        if ($this->getIsVirtual() || $this->isCanceled()) {
            return false;
        }
        if ($this->getActionFlag('ship') === false) {
            return false;
        }
        foreach ($this->getAllItems() as $item) {
            if ($item->getQtyToShip() > 0 && !$item->getIsVirtual() && !$item->getLockedDoShip()
                && $item->getQtyRefunded() != $item->getQtyOrdered()) {
                return true;
            }
        }
        return false;
    }

    /** Order::canCancel() without the payment checks (offline payment methods). */
    public function canCancel()
    {
        if ($this->canUnhold()) {
            return false;
        }
        $allInvoiced = true;
        foreach ($this->getAllItems() as $item) {
            if ($item->getQtyToInvoice()) {
                $allInvoiced = false;
                break;
            }
        }
        $state = $this->getState();
        if ($allInvoiced || $this->isCanceled() || $state === self::STATE_COMPLETE || $state === self::STATE_CLOSED) {
            return false;
        }
        return $this->getActionFlag('cancel') !== false;
    }

    /** Order::cancel(): registerCancellation, then order_cancel_after. */
    public function cancel()
    {
        if ($this->canCancel()) {
            $this->registerCancellation();
            $this->eventManager?->dispatch('order_cancel_after', ['order' => $this]);
        }
        return $this;
    }

    /** Order::registerCancellation(): processing/complete when invoiced items remain, else canceled. */
    public function registerCancellation()
    {
        $state = self::STATE_CANCELED;
        foreach ($this->getAllItems() as $item) {
            if ($state != self::STATE_PROCESSING && $item->getQtyToRefund()) {
                $state = $item->isProcessingAvailable() ? self::STATE_PROCESSING : self::STATE_COMPLETE;
            }
            $item->cancel();
        }
        $this->setTotalCanceled($this->getGrandTotal() - $this->getTotalPaid());
        $this->setState($state)->setStatus($state);
        return $this;
    }
}

class Document extends Model
{
    public function getAllItems()
    {
        return $this->getData('all_items') ?? [];
    }

    public function getOrder()
    {
        return $this->getData('order');
    }
}

class Invoice extends Document
{
    protected $_eventPrefix = 'sales_order_invoice';
    protected $_eventObject = 'invoice';
}

class Creditmemo extends Document
{
    protected $_eventPrefix = 'sales_order_creditmemo';
    protected $_eventObject = 'creditmemo';
}

class Shipment extends Document
{
    protected $_eventPrefix = 'sales_order_shipment';
    protected $_eventObject = 'shipment';

    /** @var list<Track> */
    private array $tracks = [];

    public function getAllTracks()
    {
        return $this->tracks;
    }

    /** Shipment::addTrack(): the track points back at the shipment. */
    public function addTrack(Track $track)
    {
        $track->setShipment($this)->setParentId($this->getId())->setOrderId($this->getOrderId());
        $this->tracks[] = $track;
        return $this;
    }
}

class Track extends Model
{
    protected $_eventPrefix = 'sales_order_shipment_track';
    protected $_eventObject = 'track';
    private ?Shipment $shipment = null;

    public function setShipment(Shipment $shipment)
    {
        $this->shipment = $shipment;
        return $this;
    }

    /** Track::getShipment(): the parent shipment, an exception without one. */
    public function getShipment()
    {
        if (!$this->shipment) {
            throw new LocalizedException(__('Parent shipment cannot be loaded for track object.'));
        }
        return $this->shipment;
    }
}

class Customer extends Model implements \Magento\Customer\Api\Data\CustomerInterface
{
    protected $_eventPrefix = 'customer';
    protected $_eventObject = 'customer';
    private ?array $addresses = null;

    public function __construct(private ?Db $db = null, array $data = [])
    {
        parent::__construct($data);
    }

    /** AbstractModel::load(): the row, then setOrigData() as AbstractDb::load does. */
    public function load($id)
    {
        $this->db->queries[] = "customer $id";
        $row = $this->db->customers[(string) $id] ?? null;
        $this->setData($row ?? []);
        $this->setOrigData();
        $this->addresses = null;
        return $this;
    }

    /** Customer::getAddresses(): the address collection of the customer, read once per model. */
    public function getAddresses()
    {
        if ($this->addresses === null) {
            $this->addresses = [];
            foreach ($this->db?->addressesOf((string) $this->getId()) ?? [] as $row) {
                $address = new Address($row);
                $address->setOrigData();
                $this->addresses[$row['entity_id']] = $address;
            }
        }
        return $this->addresses;
    }
}

class Address extends Model
{
    protected $_eventPrefix = 'customer_address';
    protected $_eventObject = 'customer_address';

    public function getCustomerId()
    {
        return $this->getData('customer_id') ?: $this->getData('parent_id');
    }

    public function setCustomerId($id)
    {
        $this->setData('parent_id', $id);
        return $this->setData('customer_id', $id);
    }
}

class Subscriber extends Model
{
    public const STATUS_SUBSCRIBED = 1;
    public const STATUS_NOT_ACTIVE = 2;
    public const STATUS_UNSUBSCRIBED = 3;

    protected $_eventPrefix = 'newsletter_subscriber';
    protected $_eventObject = 'subscriber';

    public function __construct(private ?Db $db = null, array $data = [])
    {
        parent::__construct($data);
    }

    public function getId()
    {
        return $this->getData('subscriber_id');
    }

    public function setId($value)
    {
        return $this->setData('subscriber_id', $value);
    }

    /** Subscriber::loadByCustomer(): the customer's subscription in one of the website's store views. */
    public function loadByCustomer(int $customerId, int $websiteId)
    {
        $this->db->queries[] = "subscriber $customerId";
        $stores = $this->db->websiteStores[$websiteId] ?? [];
        foreach ($this->db->subscribers as $row) {
            if ((int) $row['customer_id'] === $customerId && in_array((int) $row['store_id'], $stores, true)) {
                $this->addData($row);
                break;
            }
        }
        $this->setOrigData();
        return $this;
    }

    public function getStatus()
    {
        return $this->getData('subscriber_status');
    }

    public function isSubscribed()
    {
        return $this->getId() && (int) $this->getStatus() === self::STATUS_SUBSCRIBED;
    }
}

class Product extends AbstractModel
{
    public function __construct(private Db $db, array $data = [])
    {
        parent::__construct($data);
    }

    /** Product::getCategoryIds(): set by the collection's addCategoryIds(), else one query. */
    public function getCategoryIds()
    {
        if (!$this->hasData('category_ids')) {
            $this->db->queries[] = 'category ids of product ' . $this->getId();
            $this->setData('category_ids', $this->db->products[(int) $this->getId()]['category_ids'] ?? []);
        }
        return (array) $this->getData('category_ids');
    }
}

/** The EAV collection behaviour ProductInfo relies on: filters, store scope, lazy load. */
abstract class Collection implements \IteratorAggregate, \Countable
{
    protected int $storeId = 0;
    protected ?array $ids = null;
    protected array $attributes = [];
    protected ?array $items = null;
    private array $flags = [];

    public function __construct(protected Db $db)
    {
    }

    public function setStoreId($storeId)
    {
        $this->storeId = (int) $storeId;
        return $this;
    }

    public function addAttributeToSelect($attribute)
    {
        $this->attributes = array_merge($this->attributes, (array) $attribute);
        return $this;
    }

    public function getFlag($flag)
    {
        return $this->flags[$flag] ?? null;
    }

    public function setFlag($flag, $value = null)
    {
        $this->flags[$flag] = $value;
        return $this;
    }

    public function isLoaded(): bool
    {
        return $this->items !== null;
    }

    public function load()
    {
        if ($this->items === null) {
            $this->items = $this->fetch();
        }
        return $this;
    }

    public function getItems()
    {
        $this->load();
        return $this->items;
    }

    public function getIterator(): \Iterator
    {
        return new \ArrayIterator($this->getItems());
    }

    public function count(): int
    {
        return count($this->getItems());
    }

    /** @return array<int, AbstractModel> keyed by id */
    abstract protected function fetch(): array;
}

class ProductCollection extends Collection
{
    /** Product Collection::addIdFilter(): an empty list loads nothing. */
    public function addIdFilter($productId, $exclude = false)
    {
        if (empty($productId)) {
            $this->items = [];
            return $this;
        }
        $this->ids = array_map('intval', (array) $productId);
        return $this;
    }

    protected function fetch(): array
    {
        $this->db->queries[] = 'products ' . implode(',', $this->ids ?? ['*']);
        $items = [];
        foreach ($this->db->products as $id => $product) {
            if ($this->ids !== null && !in_array($id, $this->ids, true)) {
                continue;
            }
            $data = ['entity_id' => (string) $id, 'sku' => $product['sku'] ?? ''];
            foreach ($this->attributes as $attribute) {
                $value = $product['store'][$this->storeId][$attribute] ?? $product[$attribute] ?? null;
                if ($value !== null) {
                    $data[$attribute] = $value;
                }
            }
            $items[$id] = new Product($this->db, $data);
        }
        return $items;
    }

    /** Collection::addCategoryIds(): one query for the loaded items (none before the load). */
    public function addCategoryIds()
    {
        if ($this->getFlag('category_ids_added')) {
            return $this;
        }
        if (empty($this->items)) {
            return $this;
        }
        $this->db->queries[] = 'category ids of products ' . implode(',', array_keys($this->items));
        foreach ($this->items as $id => $item) {
            $item->setCategoryIds(array_map('strval', $this->db->products[$id]['category_ids'] ?? []));
        }
        $this->setFlag('category_ids_added', true);
        return $this;
    }
}

class CategoryCollection extends Collection
{
    public function addIdFilter($categoryIds)
    {
        $this->ids = array_map('intval', is_array($categoryIds) ? $categoryIds : explode(',', (string) $categoryIds));
        return $this;
    }

    protected function fetch(): array
    {
        $this->db->queries[] = 'categories ' . implode(',', $this->ids ?? ['*']);
        $items = [];
        foreach ($this->db->categories as $id => $category) {
            if ($this->ids !== null && !in_array($id, $this->ids, true)) {
                continue;
            }
            $data = ['entity_id' => (string) $id, 'path' => $category['path']];
            if (in_array('name', $this->attributes, true) || in_array('*', $this->attributes, true)) {
                $data['name'] = $category['store'][$this->storeId]['name'] ?? $category['name'];
            }
            $items[$id] = new AbstractModel($data);
        }
        return $items;
    }
}
