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
     * Thrown when a payload cannot be mapped to XDM. The message names the event and the
     * field path, e.g. `orderPlaced: order.grand_total: "abc" is not a number`.
     */
    class InvalidEventException extends \InvalidArgumentException {
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
     * Waits until every event accepted so far by this process has a final answer (delivered or
     * dead-lettered) or the timeout passes; true when nothing is left.
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
     *         names the event and the field.
     *
     * @param string $event
     * @param array $payload
     * @return string
     */
    function xdm_relay_map(string $event, array $payload): string {}

    /**
     * Counters of this process and of the spool: accepted, delivered, retried, failed, dropped,
     * queued, spool_bytes, spool_events, corrupt, sender_panics, last_error, last_delivery_at,
     * sender_running.
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
