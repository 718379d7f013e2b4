<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer\Storefront;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\EventName;
use XdmRelay\Connector\Model\PayloadBuilder;
use XdmRelay\Connector\Model\Storefront\StorefrontEmitter;

/**
 * Checkout_submit_all_after: a shopper placed an order (storefront, REST, GraphQL; multishipping
 * places several). The back-office orderPlaced is sent for every order all the same.
 *
 * The order's own lines are sent, so the event has items even where Adobe's Luma collector has
 * none (the cart is emptied before the success page, research/storefront.md §5).
 */
class OrderSubmitted implements ObserverInterface
{
    /**
     * @param PayloadBuilder $payloads
     * @param StorefrontEmitter $emitter
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly PayloadBuilder $payloads,
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
            $event = $observer->getEvent();
            $orders = $event->getOrders() ?: ($event->getOrder() ? [$event->getOrder()] : []);
            $quote = $event->getQuote();
            foreach ($orders as $order) {
                if (!is_object($order) || !$order->getId() || !$this->emitter->allowed($order->getStore())) {
                    continue;
                }
                $quoteId = $order->getQuoteId() ? (int) $order->getQuoteId() : ($quote ? (int) $quote->getId() : null);
                $customer = $order->getCustomerId()
                    ? ['id' => $order->getCustomerId(), 'email' => $order->getCustomerEmail()]
                    : ['email' => $order->getCustomerEmail()];
                $payload = ['order' => $this->payloads->order($order)['order']];
                $this->emitter->emit(EventName::PLACE_ORDER, $payload, $order->getStore(), $quoteId, $customer);
            }
        } catch (\Throwable $e) {
            $this->logger->error('XDM Relay: placeOrder was not sent: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
