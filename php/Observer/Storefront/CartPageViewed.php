<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Observer\Storefront;

use Magento\Checkout\Model\Session as CheckoutSession;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\EventName;
use XdmRelay\Connector\Model\Storefront\CartLines;
use XdmRelay\Connector\Model\Storefront\StorefrontEmitter;

/**
 * The cart page (shoppingCartView) and the checkout page (initiateCheckout).
 *
 * Both pages are never served from the full-page cache (`cacheable="false"` blocks in
 * checkout_cart_index.xml and checkout_index_index.xml), so their controllers' predispatch
 * events see every view.
 */
class CartPageViewed implements ObserverInterface
{
    /**
     * @param CheckoutSession $checkoutSession
     * @param CartLines $lines
     * @param StorefrontEmitter $emitter
     * @param LoggerInterface $logger
     * @param string $event the storefront event this page means
     */
    public function __construct(
        private readonly CheckoutSession $checkoutSession,
        private readonly CartLines $lines,
        private readonly StorefrontEmitter $emitter,
        private readonly LoggerInterface $logger,
        private readonly string $event = EventName::SHOPPING_CART_VIEW
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(Observer $observer): void
    {
        try {
            if (!$this->emitter->allowed() || !$this->checkoutSession->getQuoteId()) {
                return;
            }
            $quote = $this->checkoutSession->getQuote();
            if (!$quote->getId() || !$quote->getItemsCount()) {
                return;
            }
            $payload = ['cart' => $this->lines->cart($quote)];
            $this->emitter->emit($this->event, $payload, $quote->getStore(), (int) $quote->getId());
        } catch (\Throwable $e) {
            $this->logger->error(sprintf('XDM Relay: %s was not sent: %s', $this->event, $e->getMessage()), [
                'exception' => $e,
            ]);
        }
    }
}
