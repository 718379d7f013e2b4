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
}
