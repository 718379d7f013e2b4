<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

/**
 * The extension's event names. The module must load without the extension (it then stays
 * off), so it cannot use the extension's own \XdmRelay\EventName; tests/mapping.rs holds both
 * to the extension's event table.
 */
class EventName
{
    public const ORDER_PLACED = 'orderPlaced';
    public const ORDER_INVOICED = 'orderInvoiced';
    public const ORDER_ITEMS_SHIPPED = 'orderItemsShipped';
    public const ORDER_SHIPMENT_COMPLETED = 'orderShipmentCompleted';
    public const ORDER_CANCELLED = 'orderCancelled';
    public const ORDER_LINE_ITEM_REFUNDED = 'orderLineItemRefunded';
    public const ORDER_ITEMS_RETURN_INITIATED = 'orderItemsReturnInitiated';
    public const ORDER_ITEM_RETURN_COMPLETED = 'orderItemReturnCompleted';
    public const ACCOUNT_CREATED = 'accountCreated';
    public const ACCOUNT_UPDATED = 'accountUpdated';
    public const ACCOUNT_DELETED = 'accountDeleted';
    public const PROFILE_RECORD = 'profileRecord';
    public const PROFILE_DELETED = 'profileDeleted';
    public const HISTORICAL_ORDER = 'historicalOrder';
    public const PAGE_VIEW = 'pageView';
    public const PRODUCT_PAGE_VIEW = 'productPageView';
    public const ADD_TO_CART = 'addToCart';
    public const OPEN_CART = 'openCart';
    public const REMOVE_FROM_CART = 'removeFromCart';
    public const SHOPPING_CART_VIEW = 'shoppingCartView';
    public const INITIATE_CHECKOUT = 'initiateCheckout';
    public const PLACE_ORDER = 'placeOrder';
    public const SIGN_IN = 'signIn';
    public const SIGN_OUT = 'signOut';
    public const CREATE_ACCOUNT = 'createAccount';
    public const EDIT_ACCOUNT = 'editAccount';
    public const SEARCH_REQUEST_SENT = 'searchRequestSent';
    public const SEARCH_RESPONSE_RECEIVED = 'searchResponseReceived';
}
