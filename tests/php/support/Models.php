<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\DataObject;
use Magento\Framework\Model\AbstractModel;

class Product extends DataObject
{
    public function getCategoryCollection()
    {
        return new class ($this->getData('categories') ?? []) implements \IteratorAggregate {
            public function __construct(private array $categories)
            {
            }

            public function addAttributeToSelect($attribute)
            {
                return $this;
            }

            public function getIterator(): \Iterator
            {
                return new \ArrayIterator(array_map(static fn ($c) => new DataObject($c), $this->categories));
            }
        };
    }
}

class OrderItem extends AbstractModel
{
    public function getProductOptions()
    {
        return $this->getData('product_options');
    }

    public function getProduct()
    {
        return $this->getData('product');
    }
}

class Order extends AbstractModel
{
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
}

class Document extends AbstractModel
{
    public function getAllItems()
    {
        return $this->getData('all_items') ?? [];
    }
}

class Shipment extends Document
{
    public function getAllTracks()
    {
        return $this->getData('all_tracks') ?? [];
    }
}

class Customer extends AbstractModel
{
    public function getAddresses()
    {
        return $this->getData('address_objects') ?? [];
    }
}
