<?php
// Small stand-ins for the Magento interfaces and classes the module uses (signatures as in
// Magento 2.4.6, research/magento.md §7). Test-only: never shipped in php/.
declare(strict_types=1);

namespace Magento\Framework {
    class DataObject implements \ArrayAccess
    {
        protected $_data = [];

        public function __construct(array $data = [])
        {
            $this->_data = $data;
        }

        public function getData($key = '', $index = null)
        {
            if ($key === '') {
                return $this->_data;
            }
            return $this->_data[$key] ?? null;
        }

        public function setData($key, $value = null)
        {
            if (is_array($key)) {
                $this->_data = $key;
            } else {
                $this->_data[$key] = $value;
            }
            return $this;
        }

        public function addData(array $arr)
        {
            foreach ($arr as $k => $v) {
                $this->_data[$k] = $v;
            }
            return $this;
        }

        public function unsetData($key = null)
        {
            if ($key === null) {
                $this->_data = [];
            } else {
                unset($this->_data[$key]);
            }
            return $this;
        }

        public function hasData($key = '')
        {
            return array_key_exists($key, $this->_data);
        }

        public function __call($method, $args)
        {
            $key = strtolower(preg_replace('/(.)([A-Z])/', '$1_$2', substr($method, 3)));
            return match (substr($method, 0, 3)) {
                'get' => $this->getData($key),
                'set' => $this->setData($key, $args[0] ?? null),
                'uns' => $this->unsetData($key),
                'has' => $this->hasData($key),
                default => throw new \BadMethodCallException($method),
            };
        }

        public function offsetExists($offset): bool { return isset($this->_data[$offset]); }
        public function offsetGet($offset): mixed { return $this->_data[$offset] ?? null; }
        public function offsetSet($offset, $value): void { $this->_data[$offset] = $value; }
        public function offsetUnset($offset): void { unset($this->_data[$offset]); }
    }

    class Event extends DataObject
    {
    }

    class FlagManager
    {
        public array $flags = [];

        public function getFlagData($code) { return $this->flags[$code] ?? null; }
        public function saveFlag($code, $value) { $this->flags[$code] = $value; return true; }
        public function deleteFlag($code) { unset($this->flags[$code]); return true; }
    }

    interface UrlInterface
    {
        public const URL_TYPE_MEDIA = 'media';
    }
}

namespace Magento\Framework\Event {
    class Observer extends \Magento\Framework\DataObject
    {
        public function getEvent()
        {
            return $this->getData('event');
        }
    }

    interface ObserverInterface
    {
        public function execute(Observer $observer);
    }
}

namespace Magento\Framework\Model {
    class AbstractModel extends \Magento\Framework\DataObject
    {
        protected $_origData = null;
        protected $_isObjectNew = null;

        public function getId() { return $this->getData('entity_id') ?? $this->getData('id'); }

        public function getOrigData($key = null)
        {
            if ($key === null) {
                return $this->_origData;
            }
            return $this->_origData[$key] ?? null;
        }

        public function setOrigData($key = null, $data = null)
        {
            $this->_origData = $key === null ? $this->_data : array_merge((array) $this->_origData, [$key => $data]);
            return $this;
        }

        public function isObjectNew($flag = null)
        {
            if ($flag !== null) {
                $this->_isObjectNew = $flag;
            }
            return $this->_isObjectNew ?? !$this->getId();
        }

        public function setId($value)
        {
            return $this->setData('entity_id', $value);
        }

        /** As AbstractModel: compares with the data of the last load (loose comparison, as Magento). */
        public function dataHasChangedFor($field)
        {
            return $this->getData($field) != $this->getOrigData($field);
        }

        public function isDeleted($isDeleted = null)
        {
            $result = $this->_isDeleted;
            if ($isDeleted !== null) {
                $this->_isDeleted = $isDeleted;
            }
            return $result;
        }

        protected $_isDeleted = false;
    }
}

namespace Magento\Framework\App {
    interface CacheInterface
    {
        public function getFrontend();
        public function load($identifier);
        public function save($data, $identifier, $tags = [], $lifeTime = null);
        public function remove($identifier);
        public function clean($tags = []);
    }

    /** Only its type: the unit suite stands in for the queries that use it. */
    class ResourceConnection
    {
    }
}

namespace Magento\Framework\Filesystem {
    /** As Magento: a fixed set of directory codes under the root; an unknown code is an error. */
    class DirectoryList
    {
        protected string $root;
        protected array $directories;

        public function __construct($root, array $config = [])
        {
            $this->root = rtrim(str_replace('\\', '/', (string) $root), '/');
            $this->directories = ['base' => ['path' => $this->root]];
            foreach (static::getDefaultConfig() as $code => $dir) {
                $this->directories[$code] = $dir;
            }
            foreach ($config as $code => $dir) {
                $this->directories[$code] = $dir;
            }
        }

        public static function getDefaultConfig()
        {
            return [];
        }

        public function getRoot()
        {
            return $this->root;
        }

        public function getPath($code)
        {
            if (!isset($this->directories[$code])) {
                throw new \Magento\Framework\Exception\FileSystemException(__('Unknown directory type: \'%1\'', $code));
            }
            return $this->directories[$code]['path'];
        }
    }
}

namespace Magento\Framework\App\Filesystem {
    class DirectoryList extends \Magento\Framework\Filesystem\DirectoryList
    {
        public const ROOT = 'base';
        public const APP = 'app';
        public const CONFIG = 'etc';
        public const VAR_DIR = 'var';
        public const LOG = 'log';
        public const TMP = 'tmp';

        public function __construct($root, array $config = [])
        {
            parent::__construct($root, $config);
            foreach ([self::APP => 'app', self::CONFIG => 'app/etc', self::VAR_DIR => 'var', self::LOG => 'var/log', self::TMP => 'var/tmp'] as $code => $path) {
                $this->directories[$code] ??= ['path' => $this->root . '/' . $path];
            }
        }
    }
}

namespace Magento\Framework\Lock {
    interface LockManagerInterface
    {
        public function lock(string $name, int $timeout = -1): bool;
        public function unlock(string $name): bool;
        public function isLocked(string $name): bool;
    }
}

namespace Magento\Customer\Api\Data {
    interface CustomerInterface
    {
    }
}

namespace Magento\Customer\Api {
    interface AccountManagementInterface
    {
        public function createAccountWithPasswordHash(\Magento\Customer\Api\Data\CustomerInterface $customer, $hash, $redirectUrl = '');
    }
}

// Magento generates these factories (ObjectManager::create of the class); the stand-ins create
// through a callable the test wires to its in-memory database.
namespace Magento\Customer\Model {
    class CustomerFactory
    {
        public function __construct(private $create)
        {
        }

        public function create(array $data = [])
        {
            return ($this->create)($data);
        }
    }
}

namespace Magento\Newsletter\Model {
    class SubscriberFactory extends \Magento\Customer\Model\CustomerFactory
    {
    }
}

namespace Magento\Catalog\Model\ResourceModel\Product {
    class CollectionFactory extends \Magento\Customer\Model\CustomerFactory
    {
    }
}

namespace Magento\Catalog\Model\ResourceModel\Category {
    class CollectionFactory extends \Magento\Customer\Model\CustomerFactory
    {
    }
}

namespace Magento\Framework\App\Config {
    interface ScopeConfigInterface
    {
        public const SCOPE_TYPE_DEFAULT = 'default';
        public function getValue($path, $scopeType = self::SCOPE_TYPE_DEFAULT, $scopeCode = null);
        public function isSetFlag($path, $scopeType = self::SCOPE_TYPE_DEFAULT, $scopeCode = null);
    }

    class Value extends \Magento\Framework\Model\AbstractModel
    {
        public function getFieldsetDataValue($key)
        {
            return $this->getData('fieldset_data')[$key] ?? null;
        }

        public function beforeSave()
        {
            return $this;
        }
    }
}

namespace Magento\Framework\Exception {
    class LocalizedException extends \Exception
    {
    }

    class FileSystemException extends LocalizedException
    {
    }

    class InputException extends LocalizedException
    {
    }
}

namespace Magento\Backend\Block\Template {
    class Context
    {
    }
}

namespace Magento\Config\Block\System\Config\Form {
    class Field extends \Magento\Framework\DataObject
    {
        public function __construct($context = null, array $data = [])
        {
            parent::__construct($data);
        }

        public function escapeHtml($text)
        {
            return htmlspecialchars((string) $text, ENT_QUOTES);
        }
    }
}

namespace Magento\Framework\Notification {
    interface MessageInterface
    {
        public const SEVERITY_CRITICAL = 1;
        public const SEVERITY_MAJOR = 2;
        public function getIdentity();
        public function isDisplayed();
        public function getText();
        public function getSeverity();
    }
}

namespace Magento\Framework\Data {
    interface OptionSourceInterface
    {
        public function toOptionArray();
    }
}

namespace Magento\Framework\Api {
    class SearchCriteria extends \Magento\Framework\DataObject
    {
    }

    class SearchCriteriaBuilder
    {
        private array $filters = [];
        private array $sort = [];
        private ?int $pageSize = null;
        private int $page = 1;

        public function addFilter($field, $value, $conditionType = 'eq') { $this->filters[] = [$field, $value, $conditionType]; return $this; }
        public function addSortOrder($sortOrder) { $this->sort[] = $sortOrder; return $this; }
        public function setPageSize($pageSize) { $this->pageSize = $pageSize; return $this; }
        public function setCurrentPage($currentPage) { $this->page = $currentPage; return $this; }

        public function create()
        {
            $c = new SearchCriteria(['filters' => $this->filters, 'sort' => $this->sort, 'page_size' => $this->pageSize, 'current_page' => $this->page]);
            $this->filters = $this->sort = [];
            $this->pageSize = null;
            $this->page = 1;
            return $c;
        }
    }

    class SortOrderBuilder
    {
        private array $data = [];
        public function setField($field) { $this->data['field'] = $field; return $this; }
        public function setAscendingDirection() { $this->data['direction'] = 'ASC'; return $this; }
        public function create() { $d = $this->data; $this->data = []; return new \Magento\Framework\DataObject($d); }
    }
}

namespace Magento\Sales\Api {
    interface OrderRepositoryInterface
    {
        public function getList(\Magento\Framework\Api\SearchCriteria $searchCriteria);
        public function get($id);
    }
}

namespace Magento\Store\Model {
    interface ScopeInterface
    {
        public const SCOPE_STORE = 'store';
        public const SCOPE_WEBSITE = 'website';
        public const SCOPE_WEBSITES = 'websites';
    }

    interface StoreManagerInterface
    {
        public function getStore($storeId = null);
        public function getWebsite($websiteId = null);
        public function getWebsites($withDefault = false, $codeKey = false);
    }
}

namespace Magento\Framework\Component {
    class ComponentRegistrar
    {
        public const MODULE = 'module';
        public static array $paths = [];

        public static function register($type, $componentName, $path)
        {
            self::$paths[$type][$componentName] = $path;
        }
    }
}

namespace {
    if (!function_exists('__')) {
        function __($text, ...$args)
        {
            foreach ($args as $i => $a) {
                $text = str_replace('%' . ($i + 1), (string) $a, $text);
            }
            return $text;
        }
    }
}
