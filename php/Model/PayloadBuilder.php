<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

/**
 * Turns Magento objects into the contract's payload arrays (../shared/CONTRACT.md): Magento's own
 * column names, values as Magento holds them. All mapping to XDM happens in the extension.
 */
class PayloadBuilder
{
    public function __construct(
        private readonly Config $config,
        private readonly ProductInfo $productInfo
    ) {
    }

    /** Only the scalar columns of a getData() array (objects and collections are not payload). */
    public static function row(array $data): array
    {
        return array_filter($data, static fn ($v) => $v === null || is_scalar($v));
    }

    public function websiteId(object $order): int|string|null
    {
        return $order->getStore() ? $order->getStore()->getWebsiteId() : null;
    }

    /** The `order` + `store` payload shared by every order event. */
    public function order(object $order, ?string $ecid = null): array
    {
        $websiteId = $this->websiteId($order);
        $row = self::row($order->getData());
        $items = [];
        $itemAttributes = $this->config->itemCustomAttributes($websiteId);
        foreach ($order->getAllItems() as $item) {
            $line = self::row($item->getData());
            $line['product_options'] = (array) ($item->getProductOptions() ?? []);
            $line += $this->productInfo->forItem($item);
            $custom = $this->customAttributes($item, $itemAttributes);
            if ($custom) {
                $line['custom_attributes'] = $custom;
            }
            $items[] = $line;
        }
        $row['items'] = $items;
        foreach (['billing_address' => $order->getBillingAddress(), 'shipping_address' => $order->getShippingAddress()] as $key => $address) {
            if ($address) {
                $row[$key] = self::row($address->getData());
            }
        }
        if ($order->getPayment()) {
            $row['payment'] = self::row($order->getPayment()->getData());
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

    /** An invoice, shipment or credit memo with its items (and a shipment's tracks). */
    public function document(object $document): array
    {
        $row = self::row($document->getData());
        $row['items'] = array_values(array_map(static fn ($i) => self::row($i->getData()), iterator_to_array(self::iterate($document->getAllItems()))));
        if (method_exists($document, 'getAllTracks')) {
            $row['tracks'] = array_values(array_map(static fn ($t) => self::row($t->getData()), iterator_to_array(self::iterate($document->getAllTracks()))));
        }
        return $row;
    }

    /** An Adobe Commerce RMA with its items; labels rather than option ids where the model has them. */
    public function rma(object $rma): array
    {
        $row = self::row($rma->getData());
        if (method_exists($rma, 'getStatusLabel')) {
            $row['status'] = (string) $rma->getStatusLabel();
        }
        $items = method_exists($rma, 'getItemsForDisplay') ? $rma->getItemsForDisplay() : $rma->getItems();
        $row['items'] = [];
        foreach (self::iterate($items) as $item) {
            $line = self::row($item->getData());
            foreach (['reason', 'condition', 'resolution', 'status'] as $attribute) {
                if (method_exists($item, 'getAttributeOptionStringValue')) {
                    $label = $item->getAttributeOptionStringValue($attribute);
                    if ($label) {
                        $line[$attribute] = $label;
                    }
                }
            }
            $row['items'][] = $line;
        }
        return $row;
    }

    /** A customer model with its addresses, for account events and profile records. */
    public function customer(object $customer, ?object $store = null): array
    {
        $row = self::row($customer->getData());
        $row['id'] = (string) ($customer->getId() ?? $row['entity_id'] ?? '');
        $billing = (string) ($row['default_billing'] ?? '');
        $shipping = (string) ($row['default_shipping'] ?? '');
        $addresses = [];
        foreach (self::iterate($customer->getAddresses()) as $address) {
            $line = self::row($address->getData());
            $id = (string) $address->getId();
            $line['default_billing'] = $id !== '' && $id === $billing;
            $line['default_shipping'] = $id !== '' && $id === $shipping;
            $addresses[] = $line;
        }
        $row['addresses'] = $addresses;
        unset($row['password_hash'], $row['rp_token'], $row['rp_token_created_at']);
        return ['customer' => $row, 'store' => $this->store($store)];
    }

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

    private static function iterate(mixed $items): \Generator
    {
        foreach (is_iterable($items) ? $items : [] as $item) {
            yield $item;
        }
    }
}
