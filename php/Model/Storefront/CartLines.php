<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront;

use Magento\Catalog\Helper\Product\Configuration as ProductConfiguration;
use XdmRelay\Connector\Model\ProductInfo;

/**
 * The `cart` payload (docs/contract.md, "Storefront events") of a quote: its id, currency,
 * discount and lines, each as the shopper sees it (the configurable's chosen options included).
 */
class CartLines
{
    /**
     * @param ProductInfo $productInfo
     * @param ProductConfiguration $productConfiguration
     */
    public function __construct(
        private readonly ProductInfo $productInfo,
        private readonly ProductConfiguration $productConfiguration
    ) {
    }

    /**
     * The whole cart: every visible line.
     *
     * @param object $quote
     * @return array
     */
    public function cart(object $quote): array
    {
        $lines = [];
        foreach ($quote->getAllVisibleItems() as $item) {
            $lines[] = ['item' => $item, 'qty' => (float) $item->getQty()];
        }
        $cart = $this->changed($quote, $lines);
        $subtotal = (float) $quote->getSubtotal();
        $discounted = (float) $quote->getSubtotalWithDiscount();
        if ($subtotal > $discounted) {
            $cart['discount_amount'] = round($subtotal - $discounted, 4);
        }
        return $cart;
    }

    /**
     * The cart with only the lines that changed, each with the quantity of the change.
     *
     * @param object $quote
     * @param array $changes each ['item' => quote item, 'qty' => float]
     * @return array
     */
    public function changed(object $quote, array $changes): array
    {
        $productIds = [];
        foreach ($changes as $change) {
            $productIds[] = $change['item']->getProductId();
        }
        $catalog = $this->productInfo->forProducts($productIds, (int) $quote->getStoreId());
        $items = [];
        foreach ($changes as $change) {
            $items[] = $this->line($change['item'], $change['qty'], $catalog);
        }
        $cart = ['id' => (string) $quote->getId(), 'items' => $items];
        $currency = (string) $quote->getQuoteCurrencyCode();
        if ($currency !== '') {
            $cart['currency_code'] = $currency;
        }
        return $cart;
    }

    /**
     * One line: the quote item with $qty (the whole quantity, or the change).
     *
     * @param object $item
     * @param float $qty
     * @param array $catalog ProductInfo by product id
     * @return array
     */
    private function line(object $item, float $qty, array $catalog): array
    {
        $line = [
            'sku' => (string) $item->getSku(),
            'name' => (string) $item->getName(),
            'qty' => $qty,
            'price' => (float) $item->getCalculationPrice(),
        ];
        $discount = (float) $item->getDiscountAmount();
        if ($discount > 0) {
            $line['discount_amount'] = $discount;
        }
        $image = $catalog[(string) (int) $item->getProductId()]['image_url'] ?? null;
        if ($image !== null) {
            $line['image_url'] = $image;
        }
        $options = $this->options($item);
        if ($options) {
            $line['options'] = $options;
        }
        return $line;
    }

    /**
     * The options the shopper chose: a configurable's attributes and any custom options.
     *
     * @param object $item
     * @return array<int, array{label: string, value: string}>
     */
    private function options(object $item): array
    {
        $chosen = [];
        $product = $item->getProduct();
        if ($product && $product->getTypeId() === 'configurable') {
            foreach ((array) $product->getTypeInstance()->getSelectedAttributesInfo($product) as $option) {
                $chosen[] = $option;
            }
        }
        foreach ($this->productConfiguration->getCustomOptions($item) as $option) {
            $chosen[] = $option;
        }
        $options = [];
        foreach ($chosen as $option) {
            $value = $option['print_value'] ?? $option['value'] ?? '';
            $value = is_array($value) ? implode(', ', $value) : (string) $value;
            $label = trim(strip_tags((string) ($option['label'] ?? '')));
            $value = trim(strip_tags($value));
            if ($label !== '' && $value !== '') {
                $options[] = ['label' => $label, 'value' => $value];
            }
        }
        return $options;
    }
}
