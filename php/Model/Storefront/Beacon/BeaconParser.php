<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront\Beacon;

use XdmRelay\Connector\Model\EventName;

/**
 * Turns a beacon body (docs/contract.md, "Storefront events") into the event name and the
 * page, SKU and search facts it states, or refuses it naming every bad field.
 *
 * Everything in the body comes from the shopper's browser: only known fields of known types
 * and bounded sizes pass, so a forged beacon cannot inflate or reshape an event.
 */
class BeaconParser
{
    public const EVENTS = [
        EventName::PAGE_VIEW,
        EventName::PRODUCT_PAGE_VIEW,
        EventName::SEARCH_REQUEST_SENT,
        EventName::SEARCH_RESPONSE_RECEIVED,
    ];
    public const SEARCH_EVENTS = [EventName::SEARCH_REQUEST_SENT, EventName::SEARCH_RESPONSE_RECEIVED];

    private const FIELDS = ['event', 'eventId', 'url', 'referrer', 'pageType', 'pageName', 'sku', 'search'];
    private const SEARCH_FIELDS = [
        'request_id', 'phrase', 'sort', 'filters', 'suggestions', 'result_count', 'products',
    ];
    private const UUID = '/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i';
    private const PAGE_TYPE = '/^[A-Za-z]{1,32}$/';
    private const URL_MAX = 2048;
    private const TEXT_MAX = 255;
    private const SKU_MAX = 64;
    private const LIST_MAX = 50;

    /** @var string[] problems of the body being parsed */
    private array $problems = [];

    /**
     * @param Origin $origin
     */
    public function __construct(private readonly Origin $origin)
    {
    }

    /**
     * The validated beacon.
     *
     * @param string $body the request body
     * @param string $origin scheme://host[:port] of the store: the page URL must be on it
     * @return array{event: string, event_id: string, page: array<string, string>, sku: ?string,
     *     search: ?array}
     * @throws InvalidBeaconException naming every bad field
     */
    public function parse(string $body, string $origin): array
    {
        $this->problems = [];
        try {
            $data = json_decode($body, true, 8, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new InvalidBeaconException(['body: not JSON (' . $e->getMessage() . ')']);
        }
        if (!is_array($data) || array_is_list($data)) {
            throw new InvalidBeaconException(['body: not a JSON object']);
        }
        foreach (array_diff(array_keys($data), self::FIELDS) as $unknown) {
            $this->problems[] = $this->name((string) $unknown) . ': unknown field';
        }
        $event = $data['event'] ?? null;
        if (!in_array($event, self::EVENTS, true)) {
            $this->problems[] = 'event: must be one of ' . implode(', ', self::EVENTS);
            $event = null;
        }
        $eventId = $data['eventId'] ?? null;
        if (!is_string($eventId) || !preg_match(self::UUID, $eventId)) {
            $this->problems[] = 'eventId: must be a UUID';
        }
        $page = $this->page($data, $origin);
        $sku = null;
        if ($event === EventName::PRODUCT_PAGE_VIEW || array_key_exists('sku', $data)) {
            $sku = $this->text($data, 'sku', 'sku', self::SKU_MAX, $event === EventName::PRODUCT_PAGE_VIEW);
        }
        $search = null;
        if (in_array($event, self::SEARCH_EVENTS, true) || array_key_exists('search', $data)) {
            $search = $this->search($data['search'] ?? null, in_array($event, self::SEARCH_EVENTS, true));
        }
        if ($this->problems) {
            throw new InvalidBeaconException($this->problems);
        }
        return [
            'event' => (string) $event,
            'event_id' => strtolower((string) $eventId),
            'page' => $page,
            'sku' => $sku,
            'search' => $search,
        ];
    }

    /**
     * The page facts: url (required, on the store), referrer, type, name.
     *
     * @param array $data
     * @param string $origin
     * @return array<string, string>
     */
    private function page(array $data, string $origin): array
    {
        $page = [];
        $url = $this->text($data, 'url', 'url', self::URL_MAX, true);
        if ($url !== null) {
            if ($this->origin->of($url) !== $origin) {
                $this->problems[] = 'url: not a page of this store';
            }
            $page['url'] = $url;
        }
        $referrer = $this->text($data, 'referrer', 'referrer', self::URL_MAX, false);
        if ($referrer !== null && $referrer !== '') {
            if ($this->origin->of($referrer) === null) {
                $this->problems[] = 'referrer: not an absolute http(s) URL';
            }
            $page['referrer'] = $referrer;
        }
        $type = $this->text($data, 'pageType', 'pageType', 32, false);
        if ($type !== null) {
            if (!preg_match(self::PAGE_TYPE, $type)) {
                $this->problems[] = 'pageType: must be 1 to 32 letters';
            }
            $page['type'] = $type;
        }
        $name = $this->text($data, 'pageName', 'pageName', self::TEXT_MAX, false);
        if ($name !== null && trim($name) !== '') {
            $page['name'] = trim($name);
        }
        return $page;
    }

    /**
     * The search facts in the contract's `search` shape.
     *
     * @param mixed $search
     * @param bool $required
     * @return array|null
     */
    private function search(mixed $search, bool $required): ?array
    {
        if ($search === null && !$required) {
            return null;
        }
        if (!is_array($search) || ($search !== [] && array_is_list($search))) {
            $this->problems[] = 'search: must be an object';
            return null;
        }
        foreach (array_diff(array_keys($search), self::SEARCH_FIELDS) as $unknown) {
            $this->problems[] = 'search.' . $this->name((string) $unknown) . ': unknown field';
        }
        $out = [];
        foreach (['request_id' => 128, 'phrase' => self::TEXT_MAX] as $field => $max) {
            $value = $this->text($search, $field, 'search.' . $field, $max, false);
            if ($value !== null) {
                $out[$field] = $value;
            }
        }
        if (array_key_exists('result_count', $search)) {
            if (!is_int($search['result_count']) || $search['result_count'] < 0) {
                $this->problems[] = 'search.result_count: must be a non-negative integer';
            } else {
                $out['result_count'] = $search['result_count'];
            }
        }
        $lists = [
            'sort' => fn ($v, $p) => $this->sort($v, $p),
            'filters' => fn ($v, $p) => $this->filter($v, $p),
            'suggestions' => fn ($v, $p) => $this->string($v, $p, self::TEXT_MAX),
            'products' => fn ($v, $p) => $this->product($v, $p),
        ];
        foreach ($lists as $field => $item) {
            if (!array_key_exists($field, $search)) {
                continue;
            }
            $list = $search[$field];
            if (!is_array($list) || !array_is_list($list) || count($list) > self::LIST_MAX) {
                $this->problems[] = "search.$field: must be a list of at most " . self::LIST_MAX . ' entries';
                continue;
            }
            $out[$field] = [];
            foreach ($list as $i => $value) {
                $parsed = $item($value, "search.{$field}[$i]");
                if ($parsed !== null) {
                    $out[$field][] = $parsed;
                }
            }
        }
        return $out;
    }

    /**
     * One sort entry: attribute and order (ASC or DESC).
     *
     * @param mixed $value
     * @param string $path
     * @return array|null
     */
    private function sort(mixed $value, string $path): ?array
    {
        if (!$this->isObject($value, $path, ['attribute', 'order'])) {
            return null;
        }
        $attribute = $this->text($value, 'attribute', "$path.attribute", self::SKU_MAX, true);
        $order = is_string($value['order'] ?? null) ? strtoupper($value['order']) : null;
        if (!in_array($order, ['ASC', 'DESC'], true)) {
            $this->problems[] = "$path.order: must be ASC or DESC";
            return null;
        }
        return $attribute === null ? null : ['attribute' => $attribute, 'order' => $order];
    }

    /**
     * One filter: attribute, values (strings), is_range.
     *
     * @param mixed $value
     * @param string $path
     * @return array|null
     */
    private function filter(mixed $value, string $path): ?array
    {
        if (!$this->isObject($value, $path, ['attribute', 'values', 'is_range'])) {
            return null;
        }
        $attribute = $this->text($value, 'attribute', "$path.attribute", self::SKU_MAX, true);
        $values = $value['values'] ?? [];
        if (!is_array($values) || !array_is_list($values) || count($values) > self::LIST_MAX) {
            $this->problems[] = "$path.values: must be a list of at most " . self::LIST_MAX . ' strings';
            return null;
        }
        foreach ($values as $i => $v) {
            if ($this->string($v, "$path.values[$i]", self::TEXT_MAX) === null) {
                return null;
            }
        }
        $isRange = $value['is_range'] ?? false;
        if (!is_bool($isRange)) {
            $this->problems[] = "$path.is_range: must be true or false";
            return null;
        }
        return $attribute === null ? null : ['attribute' => $attribute, 'values' => $values, 'is_range' => $isRange];
    }

    /**
     * One product of a search response: sku (required), name, image_url.
     *
     * @param mixed $value
     * @param string $path
     * @return array|null
     */
    private function product(mixed $value, string $path): ?array
    {
        if (!$this->isObject($value, $path, ['sku', 'name', 'image_url'])) {
            return null;
        }
        $sku = $this->text($value, 'sku', "$path.sku", self::SKU_MAX, true);
        $product = ['sku' => $sku];
        $name = $this->text($value, 'name', "$path.name", self::TEXT_MAX, false);
        if ($name !== null) {
            $product['name'] = $name;
        }
        $image = $this->text($value, 'image_url', "$path.image_url", self::URL_MAX, false);
        if ($image !== null && $image !== '') {
            $product['image_url'] = $image;
        }
        return $sku === null ? null : $product;
    }

    /**
     * Whether $value is an object with only the given keys (problems recorded).
     *
     * @param mixed $value
     * @param string $path
     * @param string[] $keys
     * @return bool
     */
    private function isObject(mixed $value, string $path, array $keys): bool
    {
        if (!is_array($value) || ($value !== [] && array_is_list($value))) {
            $this->problems[] = "$path: must be an object";
            return false;
        }
        $unknown = array_diff(array_keys($value), $keys);
        foreach ($unknown as $key) {
            $this->problems[] = "$path." . $this->name((string) $key) . ': unknown field';
        }
        return !$unknown;
    }

    /**
     * A string field of $data (null when absent or bad; problems recorded).
     *
     * @param array $data
     * @param string $key
     * @param string $path
     * @param int $max characters
     * @param bool $required present and not empty
     * @return string|null
     */
    private function text(array $data, string $key, string $path, int $max, bool $required): ?string
    {
        if (!array_key_exists($key, $data)) {
            if ($required) {
                $this->problems[] = "$path: missing";
            }
            return null;
        }
        $value = $this->string($data[$key], $path, $max);
        if ($value !== null && $required && trim($value) === '') {
            $this->problems[] = "$path: empty";
            return null;
        }
        return $value;
    }

    /**
     * A bounded, valid UTF-8 string (null when not; problem recorded).
     *
     * @param mixed $value
     * @param string $path
     * @param int $max characters
     * @return string|null
     */
    private function string(mixed $value, string $path, int $max): ?string
    {
        if (!is_string($value)) {
            $this->problems[] = "$path: must be a string";
            return null;
        }
        if (mb_strlen($value, 'UTF-8') > $max) {
            $this->problems[] = "$path: longer than $max characters";
            return null;
        }
        return $value;
    }

    /**
     * A field name fit for an error message (the shopper's browser chose it).
     *
     * @param string $name
     * @return string
     */
    private function name(string $name): string
    {
        $clean = preg_replace('/[^A-Za-z0-9_.-]/', '?', mb_substr($name, 0, 40, 'UTF-8'));
        return (string) $clean;
    }
}
