<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer\Storefront;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use XdmRelay\Connector\Model\EventName;
use XdmRelay\Connector\Model\Storefront\CartChanges;
use XdmRelay\Connector\Model\Storefront\CartLines;
use XdmRelay\Connector\Model\Storefront\StorefrontEmitter;

/**
 * Sales_quote_save_commit_after: the cart changes recorded in this request happened.
 *
 * OpenCart first when the cart was empty, then one addToCart with the lines added and one
 * removeFromCart with the lines removed (Data Connection's events, research/storefront.md §1.6).
 */
class CartCommitted implements ObserverInterface
{
    /**
     * @param CartChanges $changes
     * @param CartLines $lines
     * @param StorefrontEmitter $emitter
     */
    public function __construct(
        private readonly CartChanges $changes,
        private readonly CartLines $lines,
        private readonly StorefrontEmitter $emitter
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        $quote = $observer->getEvent()->getQuote() ?? $observer->getEvent()->getDataObject();
        if (!is_object($quote)) {
            return;
        }
        $pending = $this->changes->take($quote);
        if ($pending === null || !$quote->getId()) {
            return;
        }
        $byEvent = [];
        foreach ($pending['changes'] as $change) {
            $byEvent[$change['event']][] = $change;
        }
        $quoteId = (int) $quote->getId();
        $customer = $quote->getCustomerId()
            ? ['id' => $quote->getCustomerId(), 'email' => $quote->getCustomerEmail()]
            : null;
        if ($pending['opened'] && isset($byEvent[EventName::ADD_TO_CART])) {
            $cart = $this->lines->changed($quote, $byEvent[EventName::ADD_TO_CART]);
            $this->emitter->emit(EventName::OPEN_CART, ['cart' => $cart], $quote->getStore(), $quoteId, $customer);
        }
        foreach ([EventName::ADD_TO_CART, EventName::REMOVE_FROM_CART] as $event) {
            if (isset($byEvent[$event])) {
                $cart = $this->lines->changed($quote, $byEvent[$event]);
                $this->emitter->emit($event, ['cart' => $cart], $quote->getStore(), $quoteId, $customer);
            }
        }
    }
}
