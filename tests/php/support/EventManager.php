<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Framework\Event;
use Magento\Framework\Event\Observer;

/**
 * Magento's event manager and object manager for the module's observers, driven by the module's
 * own etc/events.xml and etc/di.xml: an event runs the observers events.xml lists for it, in
 * order, each created once (shared) with di.xml's arguments (virtual types included) and the
 * services of $services for its typed parameters.
 */
class EventManager
{
    /** @var array<string, list<string>> event => observer instance names */
    private array $observers = [];
    /** @var array<string, array{type: string, arguments: array}> */
    private array $types = [];
    /** @var array<string, array{class: string, plugins: list<string>}> */
    public array $plugins = [];
    private array $instances = [];
    /** @var list<string> events dispatched, in order */
    public array $dispatched = [];

    /** @param array<string, object> $services by class or interface name */
    public function __construct(private array $services, ?string $etc = null)
    {
        $etc ??= dirname(__DIR__, 3) . '/php/etc';
        foreach (simplexml_load_file("$etc/events.xml")->event as $event) {
            foreach ($event->observer as $observer) {
                if ((string) $observer['disabled'] !== 'true') {
                    $this->observers[(string) $event['name']][] = (string) $observer['instance'];
                }
            }
        }
        $di = simplexml_load_file("$etc/di.xml");
        foreach ($di->virtualType as $virtual) {
            $this->types[(string) $virtual['name']] = ['type' => (string) $virtual['type'], 'arguments' => self::arguments($virtual)];
        }
        foreach ($di->type as $type) {
            $name = (string) $type['name'];
            $this->types[$name] ??= ['type' => $name, 'arguments' => []];
            $this->types[$name]['arguments'] += self::arguments($type);
            foreach ($type->plugin as $plugin) {
                $this->plugins[$name][] = (string) $plugin['type'];
            }
        }
    }

    /** @return list<string> the observer instance names of an event */
    public function observersOf(string $event): array
    {
        return $this->observers[$event] ?? [];
    }

    public function dispatch(string $eventName, array $data = []): void
    {
        $this->dispatched[] = $eventName;
        foreach ($this->observersOf($eventName) as $instance) {
            $observer = new Observer(['event' => new Event($data + ['name' => $eventName])] + $data);
            $this->get($instance)->execute($observer);
        }
    }

    /** ObjectManager::get(): one shared instance per name. */
    public function get(string $name): object
    {
        return $this->instances[$name] ??= $this->create($name);
    }

    /** ObjectManager::create() with di.xml arguments by parameter name, services by type. */
    public function create(string $name): object
    {
        $class = $name;
        $arguments = [];
        while (isset($this->types[$class])) {
            $arguments += $this->types[$class]['arguments'];
            if ($this->types[$class]['type'] === $class) {
                break;
            }
            $class = $this->types[$class]['type'];
        }
        if (isset($this->services[$class])) {
            return $this->services[$class];
        }
        $constructor = (new \ReflectionClass($class))->getConstructor();
        $args = [];
        foreach ($constructor ? $constructor->getParameters() : [] as $parameter) {
            $type = $parameter->getType() instanceof \ReflectionNamedType ? $parameter->getType()->getName() : null;
            if (array_key_exists($parameter->getName(), $arguments)) {
                $args[] = $arguments[$parameter->getName()];
            } elseif ($type !== null && isset($this->services[$type])) {
                $args[] = $this->services[$type];
            } elseif ($parameter->isDefaultValueAvailable()) {
                $args[] = $parameter->getDefaultValue();
            } else {
                throw new \LogicException("$name: no value for \${$parameter->getName()}");
            }
        }
        return new $class(...$args);
    }

    /** An object with the di.xml plugins of $interface around it (around plugins only). */
    public function intercepted(string $interface, object $subject): object
    {
        $plugins = array_map(fn (string $p) => $this->create($p), $this->plugins[$interface] ?? []);
        return new class ($subject, $plugins) {
            public function __construct(private object $subject, private array $plugins)
            {
            }

            public function __call($method, $arguments)
            {
                $call = fn (...$args) => $this->subject->$method(...$args);
                foreach (array_reverse($this->plugins) as $plugin) {
                    $around = 'around' . ucfirst($method);
                    if (method_exists($plugin, $around)) {
                        $next = $call;
                        $call = fn (...$args) => $plugin->$around($this->subject, $next, ...$args);
                    }
                }
                return $call(...$arguments);
            }
        };
    }

    private static function arguments(\SimpleXMLElement $type): array
    {
        $out = [];
        foreach ($type->arguments->argument ?? [] as $argument) {
            $out[(string) $argument['name']] = self::value($argument);
        }
        return $out;
    }

    private static function value(\SimpleXMLElement $node): mixed
    {
        $xsiType = (string) $node->attributes('http://www.w3.org/2001/XMLSchema-instance')['type'];
        return match ($xsiType) {
            'array' => (static function () use ($node) {
                $items = [];
                foreach ($node->item as $item) {
                    $items[(string) $item['name']] = self::value($item);
                }
                return $items;
            })(),
            'boolean' => in_array(strtolower(trim((string) $node)), ['1', 'true'], true),
            'number' => 0 + (string) $node,
            'object' => new \LogicException('object arguments are not wired in tests'),
            default => (string) $node,
        };
    }
}
