<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

use Magento\Newsletter\Model\SubscriberFactory;

/**
 * Turns Magento objects into the contract's payload arrays (docs/contract.md).
 *
 * Magento's own column names, values as Magento holds them; all mapping to XDM happens in the
 * extension. Columns that must never leave the store (secrets, card data, login state,
 * network addresses) are left out here.
 */
class PayloadBuilder
{
    /**
     * Order columns that never leave the store: the guest order-view secret, the shopper's IP.
     */
    private const ORDER_PRIVATE = ['protect_code', 'remote_ip', 'x_forwarded_for'];

    /**
     * The payment columns the events use: everything else (card data, gateway responses) stays.
     */
    private const PAYMENT_FIELDS = ['method', 'amount_ordered', 'amount_paid', 'base_amount_ordered',
        'base_amount_paid', 'last_trans_id', 'po_number'];

    /**
     * Customer columns that never leave the store: credentials, tokens, login state.
     */
    private const CUSTOMER_PRIVATE = ['password_hash', 'rp_token', 'rp_token_created_at', 'confirmation',
        'failures_num', 'first_failure', 'lock_expires'];

    /**
     * @param Config $config
     * @param ProductInfo $productInfo
     * @param SubscriberFactory $subscribers
     */
    public function __construct(
        private readonly Config $config,
        private readonly ProductInfo $productInfo,
        private readonly SubscriberFactory $subscribers
    ) {
    }

    /**
     * Only the scalar columns of a getData() array (objects and collections are not payload).
     *
     * @param array $data
     * @return array
     */
    private function row(array $data): array
    {
        return array_filter($data, static fn ($v) => $v === null || is_scalar($v));
    }

    /**
     * The website of an order's store.
     *
     * @param object $order
     * @return int|null
     */
    public function websiteId(object $order): ?int
    {
        $store = $order->getStore();
        return $store && $store->getWebsiteId() !== null ? (int) $store->getWebsiteId() : null;
    }

    /**
     * The `order` + `store` payload shared by every order event.
     *
     * @param object $order
     * @param string|null $ecid
     * @return array
     */
    public function order(object $order, ?string $ecid = null): array
    {
        $websiteId = $this->websiteId($order);
        $row = array_diff_key($this->row($order->getData()), array_flip(self::ORDER_PRIVATE));
        $orderItems = is_iterable($order->getAllItems()) ? $order->getAllItems() : [];
        $productIds = [];
        foreach ($orderItems as $item) {
            $productIds[] = $item->getProductId();
        }
        $catalog = $this->productInfo->forProducts($productIds, (int) $order->getStoreId());
        $itemAttributes = $this->config->itemCustomAttributes($websiteId);
        $items = [];
        foreach ($orderItems as $item) {
            $line = $this->row($item->getData());
            $line['product_options'] = (array) ($item->getProductOptions() ?? []);
            $line += $catalog[(string) (int) $item->getProductId()] ?? [];
            $custom = $this->customAttributes($item, $itemAttributes);
            if ($custom) {
                $line['custom_attributes'] = $custom;
            }
            $items[] = $line;
        }
        $row['items'] = $items;
        $addresses = [
            'billing_address' => $order->getBillingAddress(),
            'shipping_address' => $order->getShippingAddress(),
        ];
        foreach ($addresses as $key => $address) {
            if ($address) {
                $row[$key] = $this->row($address->getData());
            }
        }
        if ($order->getPayment()) {
            $payment = $this->row($order->getPayment()->getData());
            $row['payment'] = array_intersect_key($payment, array_flip(self::PAYMENT_FIELDS));
        }
        $custom = $this->customAttributes($order, $this->config->orderCustomAttributes($websiteId));
        if ($custom) {
            $row['custom_attributes'] = $custom;
        }
        $payload = ['order' => $row, 'store' => $this->store($order->getStore())];
        if ($ecid !== null && $ecid !== '') {
            $payload['identity'] = ['ecid' => $ecid];
        }
        return $payload;
    }

    /**
     * The `store` payload: website, store and store view codes.
     *
     * @param object|null $store
     * @return array
     */
    public function store(?object $store): array
    {
        if (!$store) {
            return [];
        }
        return [
            'website_code' => (string) $store->getWebsite()->getCode(),
            'store_code' => (string) $store->getGroup()->getCode(),
            'store_view_code' => (string) $store->getCode(),
        ];
    }

    /**
     * An invoice, shipment or credit memo with its items (and a shipment's tracks).
     *
     * @param object $document
     * @return array
     */
    public function document(object $document): array
    {
        $row = $this->row($document->getData());
        $row['items'] = $this->rows($document->getAllItems());
        if (method_exists($document, 'getAllTracks')) {
            $row['tracks'] = $this->rows($document->getAllTracks());
        }
        return $row;
    }

    /**
     * An Adobe Commerce RMA with its items; labels rather than option ids where the model has them.
     *
     * @param object $rma
     * @return array
     */
    public function rma(object $rma): array
    {
        $row = $this->row($rma->getData());
        if (method_exists($rma, 'getStatusLabel')) {
            $row['status'] = (string) $rma->getStatusLabel();
        }
        $items = method_exists($rma, 'getItemsForDisplay') ? $rma->getItemsForDisplay() : $rma->getItems();
        $row['items'] = [];
        foreach (is_iterable($items) ? $items : [] as $item) {
            $line = $this->row($item->getData());
            foreach (['reason', 'condition', 'resolution', 'status'] as $attribute) {
                $label = method_exists($item, 'getAttributeOptionStringValue')
                    ? $item->getAttributeOptionStringValue($attribute) : null;
                if ($label) {
                    $line[$attribute] = $label;
                }
            }
            $row['items'][] = $line;
        }
        return $row;
    }

    /**
     * A customer with its addresses and newsletter status, for account events and profile records.
     *
     * `updated_at` is when Magento last changed anything the profile holds: the customer row,
     * one of its addresses, or $changedAt (the commit being reported, to the millisecond: rows
     * keep whole seconds, and a deleted address leaves no row at all). AEP orders profile
     * records by it.
     *
     * @param object $customer
     * @param object|null $store
     * @param string|null $changedAt UTC `Y-m-d H:i:s.v`
     * @return array
     */
    public function customer(object $customer, ?object $store = null, ?string $changedAt = null): array
    {
        $row = array_diff_key($this->row($customer->getData()), array_flip(self::CUSTOMER_PRIVATE));
        $row['id'] = (string) ($customer->getId() ?? $row['entity_id'] ?? '');
        $billing = (string) ($row['default_billing'] ?? '');
        $shipping = (string) ($row['default_shipping'] ?? '');
        $updatedAt = [(string) ($row['updated_at'] ?? ''), (string) $changedAt];
        $addresses = [];
        foreach (is_iterable($customer->getAddresses()) ? $customer->getAddresses() : [] as $address) {
            $line = $this->row($address->getData());
            $id = (string) $address->getId();
            $line['default_billing'] = $id !== '' && $id === $billing;
            $line['default_shipping'] = $id !== '' && $id === $shipping;
            $addresses[] = $line;
            $updatedAt[] = (string) ($line['updated_at'] ?? '');
        }
        $row['addresses'] = $addresses;
        // Magento's columns have whole seconds, change times milliseconds: compared alike.
        $latest = '';
        foreach (array_filter($updatedAt, 'strlen') as $time) {
            $comparable = strlen($time) === 19 ? "$time.000" : $time;
            if ($comparable > $latest) {
                $latest = $comparable;
                $row['updated_at'] = $time;
            }
        }
        if ($row['id'] !== '' && $customer->getWebsiteId() !== null) {
            $subscriber = $this->subscribers->create()
                ->loadByCustomer((int) $row['id'], (int) $customer->getWebsiteId());
            $row['is_subscribed'] = (bool) $subscriber->isSubscribed();
        }
        return ['customer' => $row, 'store' => $this->store($store)];
    }

    /**
     * The configured custom attributes of a model that have a value.
     *
     * @param object $model
     * @param string[] $codes
     * @return array
     */
    private function customAttributes(object $model, array $codes): array
    {
        $out = [];
        foreach ($codes as $code) {
            $value = $model->getData($code);
            if ($value !== null && (is_scalar($value) || is_array($value))) {
                $out[$code] = $value;
            }
        }
        return $out;
    }

    /**
     * The scalar columns of each model of a collection.
     *
     * @param mixed $models
     * @return array
     */
    private function rows(mixed $models): array
    {
        $rows = [];
        foreach (is_iterable($models) ? $models : [] as $model) {
            $rows[] = $this->row($model->getData());
        }
        return $rows;
    }
}
