<?php
declare(strict_types=1);

require '/usr/share/php/Psr/Log/LoggerInterface.php';
require '/usr/share/php/Psr/Log/LoggerTrait.php';
require '/usr/share/php/Psr/Log/AbstractLogger.php';
require '/usr/share/php/Psr/Log/LogLevel.php';
require '/usr/share/php/Symfony/Component/Console/autoload.php';
require __DIR__ . '/../stubs/magento.php';

spl_autoload_register(static function (string $class): void {
    $map = [
        'XdmRelay\\Connector\\Test\\' => __DIR__ . '/',
        'XdmRelay\\Connector\\' => (getenv('XDM_RELAY_MODULE_DIR') ?: __DIR__ . '/../../../php') . '/',
    ];
    foreach ($map as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
require (getenv('XDM_RELAY_MODULE_DIR') ?: __DIR__ . '/../../../php') . '/registration.php';
require __DIR__ . '/Models.php';
require __DIR__ . '/Store.php';
require __DIR__ . '/OrderRepository.php';
require __DIR__ . '/Magento.php';
