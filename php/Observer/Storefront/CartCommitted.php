<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer\Storefront;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
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
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly CartChanges $changes,
        private readonly CartLines $lines,
        private readonly StorefrontEmitter $emitter,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            $quote = $observer->getEvent()->getQuote() ?? $observer->getEvent()->getDataObject();
            if (!is_object($quote)) {
                return;
            }
            // taken in any case: the changes belong to this save, sent or not
            $pending = $this->changes->take($quote);
            if ($pending === null || !$quote->getId() || !$this->emitter->allowed($quote->getStore())) {
                return;
            }
            $this->send($quote, $pending);
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: cart events were not sent: ' . $e->getMessage(), ['exception' => $e]);
        }
    }

    /**
     * OpenCart (a first add), addToCart and removeFromCart for the changes of one save.
     *
     * @param object $quote
     * @param array $pending CartChanges::take()
     * @return void
     */
    private function send(object $quote, array $pending): void
    {
        $byEvent = [];
        foreach ($pending['changes'] as $change) {
            $byEvent[$change['event']][] = $change;
        }
        $quoteId = (int) $quote->getId();
        $customer = $quote->getCustomerId()
            ? ['id' => $quote->getCustomerId(), 'email' => $quote->getCustomerEmail()]
            : null;
        $carts = [];
        foreach ([EventName::ADD_TO_CART, EventName::REMOVE_FROM_CART] as $event) {
            if (isset($byEvent[$event])) {
                $carts[$event] = $this->lines->changed($quote, $byEvent[$event]);
            }
        }
        if ($pending['opened'] && isset($carts[EventName::ADD_TO_CART])) {
            $this->emitter->emit(
                EventName::OPEN_CART,
                ['cart' => $carts[EventName::ADD_TO_CART]],
                $quote->getStore(),
                $quoteId,
                $customer
            );
        }
        foreach ($carts as $event => $cart) {
            $this->emitter->emit($event, ['cart' => $cart], $quote->getStore(), $quoteId, $customer);
        }
    }
}
