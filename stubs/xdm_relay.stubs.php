<?php

// Stubs for xdm_relay

namespace XdmRelay {
    /**
     * Thrown by `xdm_relay_configure()` when a setting is unknown or invalid; the message
     * names the key.
     */
    class ConfigException extends \InvalidArgumentException {
        public function __construct() {}
    }

    /**
     * The names of the contract's events, for `xdm_relay_emit()` and `xdm_relay_map()`. Spelled
     * from the mapping's event table (tests/mapping.rs holds the two together).
     */
    class EventName {
        public const ACCOUNT_CREATED = 'accountCreated';

        public const ACCOUNT_DELETED = 'accountDeleted';

        public const ACCOUNT_UPDATED = 'accountUpdated';

        public const ADD_TO_CART = 'addToCart';

        public const CREATE_ACCOUNT = 'createAccount';

        public const EDIT_ACCOUNT = 'editAccount';

        public const HISTORICAL_ORDER = 'historicalOrder';

        public const INITIATE_CHECKOUT = 'initiateCheckout';

        public const OPEN_CART = 'openCart';

        public const ORDER_CANCELLED = 'orderCancelled';

        public const ORDER_INVOICED = 'orderInvoiced';

        public const ORDER_ITEMS_RETURN_INITIATED = 'orderItemsReturnInitiated';

        public const ORDER_ITEMS_SHIPPED = 'orderItemsShipped';

        public const ORDER_ITEM_RETURN_COMPLETED = 'orderItemReturnCompleted';

        public const ORDER_LINE_ITEM_REFUNDED = 'orderLineItemRefunded';

        public const ORDER_PLACED = 'orderPlaced';

        public const ORDER_SHIPMENT_COMPLETED = 'orderShipmentCompleted';

        public const PAGE_VIEW = 'pageView';

        public const PLACE_ORDER = 'placeOrder';

        public const PRODUCT_PAGE_VIEW = 'productPageView';

        public const PROFILE_DELETED = 'profileDeleted';

        public const PROFILE_RECORD = 'profileRecord';

        public const REMOVE_FROM_CART = 'removeFromCart';

        public const SEARCH_REQUEST_SENT = 'searchRequestSent';

        public const SEARCH_RESPONSE_RECEIVED = 'searchResponseReceived';

        public const SHOPPING_CART_VIEW = 'shoppingCartView';

        public const SIGN_IN = 'signIn';

        public const SIGN_OUT = 'signOut';

        public function __construct() {}
    }

    /**
     * Thrown when a payload cannot be mapped to XDM. The message names the event and every bad
     * field (the first 20), e.g. `orderPlaced: order.grand_total: "abc" is not a number;
     * order.customer_email: is required`; `getProblems()` lists them.
     */
    class InvalidEventException extends \InvalidArgumentException {
        public function __construct() {}

        /**
         * The event the payload was given for.
         *
         * @return string
         */
        public function getEvent(): string {}

        /**
         * How many more problems the payload has beyond those listed.
         *
         * @return int
         */
        public function getMoreProblems(): int {}

        /**
         * Every bad field found, in the order the mapping reads them: `[['path' => 'order.grand_total', 'problem' =>
         * '"abc" is not a number'], ...]`; at most 20, see `getMoreProblems()`.
         *
         * @return list<array{path: string, problem: string}>
         *
         * @return array
         */
        public function getProblems(): array {}
    }

    /**
     * Thrown by `xdm_relay_dataset_schema()`: the message says what failed and what to check;
     * `getCode()` is the HTTP status behind it (401, 403, 404, ...; 0 when nothing answered or a
     * setting is missing).
     */
    class PlatformException extends \Exception {
        public function __construct() {}
    }
}

namespace {
    /**
     * Sets the process-wide settings (see the contract for keys and defaults). Cheap when called
     * again with the same settings.
     *
     * @throws \XdmRelay\ConfigException naming the bad key.
     *
     * @param array $settings
     * @return void
     */
    function xdm_relay_configure(array $settings): void {}

    /**
     * The schema of the destination's dataset (`dataset_id`, in `sandbox` or Adobe's default
     * `prod`) and the custom fields it declares under the tenant namespace where custom
     * attributes are sent: `commerce.order._<tenant>` (`order_fields`) and
     * `productListItems[]._<tenant>` (`item_fields`); either is null when the schema lacks that
     * object altogether. One IMS, one Catalog Service and two Schema Registry requests, with the
     * settings of `xdm_relay_configure()`.
     *
     * @return array{dataset_id: string, dataset_name: ?string, sandbox: string, schema_id: string, schema_title: ?string, tenant_id: string, order_fields: ?list<string>, item_fields: ?list<string>, latency_ms: float}
     * @throws \XdmRelay\InvalidEventException when the destination cannot be used or names no dataset.
     * @throws \XdmRelay\PlatformException when a Platform API refuses or does not answer.
     *
     * @param array $destination
     * @return array
     */
    function xdm_relay_dataset_schema(array $destination): array {}

    /**
     * Maps the payload to XDM, appends it to the durable spool and queues it for the background
     * sender; returns the event's `_id`. Never does network I/O. When the spool is full or
     * unwritable the event is counted (see `xdm_relay_stats()`) and a warning is raised at most
     * once per request; no exception reaches the caller for that.
     *
     * @throws \XdmRelay\InvalidEventException when the payload or destination cannot be used;
     *         nothing is queued then.
     *
     * @param string $event
     * @param array $payload
     * @param array $destination
     * @return string
     */
    function xdm_relay_emit(string $event, array $payload, array $destination): string {}

    /**
     * Waits until every event accepted so far by this process, and every orphan of a dead process
     * that this process can adopt (it looks for them first), has a final answer (delivered or
     * dead-lettered), or the timeout passes; true when nothing is left. Segments held by other live
     * processes are theirs to deliver.
     *
     * @param float $timeout_seconds
     * @return bool
     */
    function xdm_relay_flush(float $timeout_seconds = 5.0): bool {}

    /**
     * Returns the XDM document (the JSON object that goes under `xdm` in an Edge request) that
     * `$event` produces for `$payload`, without sending anything.
     *
     * @throws \XdmRelay\InvalidEventException when the payload cannot be mapped; the message
     *         names the event and every bad field, `getProblems()` lists them.
     *
     * @param string $event
     * @param array $payload
     * @return string
     */
    function xdm_relay_map(string $event, array $payload): string {}

    /**
     * This process's counters, then the spool-wide backlog every process sees alike.
     *
     * Process: accepted, delivered, retried, failed, dropped (with dropped_reasons: spool_full,
     * memory_full, spool_deleted, exited_in_memory), queued (own events not yet final), at_risk
     * (held in memory only), adopted_pending, requests_in_flight, concurrency, corrupt,
     * sender_panics, last_error, last_delivery_at, sender_running.
     * Spool-wide: spool_events and spool_bytes (waiting, whoever holds them), spool_segments,
     * oldest_event_age_s (null when empty), orphaned_segments (owner gone, not adopted yet),
     * unadoptable_segments (this user cannot open them), lost_events (recorded in losses.jsonl).
     *
     * @return array
     */
    function xdm_relay_stats(): array {}

    /**
     * One synchronous request to the Edge (and IMS when OAuth is configured) for the admin
     * "Test connection" button. The only call that may block on the network.
     *
     * @return array{ok: bool, status: int, message: string, latency_ms: float}
     *
     * @param array $destination
     * @return array
     */
    function xdm_relay_test_connection(array $destination): array {}
}
