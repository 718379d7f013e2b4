<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer\Storefront;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\Storefront\CartChanges;

/**
 * Records cart changes as Magento makes them in memory; CartCommitted emits them.
 *
 * Sales_quote_product_add_after (any channel: Quote::addProduct), sales_quote_remove_item
 * (Quote::removeItem), checkout_cart_update_items_before/_after (the cart page's quantities).
 */
class RecordCartChanges implements ObserverInterface
{
    /**
     * @param CartChanges $changes
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly CartChanges $changes,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $event = $observer->getEvent();
            switch ($event->getName()) {
                case 'sales_quote_product_add_after':
                    $items = array_values(array_filter((array) $event->getItems(), 'is_object'));
                    $quote = $items ? $items[0]->getQuote() : null;
                    if ($quote) {
                        $this->changes->added($quote, $items);
                    }
                    break;
                case 'sales_quote_remove_item':
                    if (is_object($event->getQuoteItem())) {
                        $this->changes->removed($event->getQuoteItem());
                    }
                    break;
                case 'checkout_cart_update_items_before':
                    $this->changes->beforeUpdate($event->getCart()->getQuote());
                    break;
                case 'checkout_cart_update_items_after':
                    $this->changes->afterUpdate($event->getCart()->getQuote());
                    break;
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: cart change not recorded: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
