<?php
// Creates a second website "second" (group "Second Store", store view "second_en") sharing the
// default root category, so the suite can check per-website destinations. Run from the Magento root.
declare(strict_types=1);

use Magento\Framework\App\Bootstrap;

require getcwd() . '/app/bootstrap.php';
$om = Bootstrap::create(BP, $_SERVER)->getObjectManager();
$om->get(\Magento\Framework\App\State::class)->setAreaCode('adminhtml');
$registry = $om->get(\Magento\Framework\Registry::class);

$website = $om->create(\Magento\Store\Model\Website::class)->load('second', 'code');
if (!$website->getId()) {
    $website->setCode('second')->setName('Second Website')->setSortOrder(2)->save();
}
$group = $om->create(\Magento\Store\Model\Group::class)->load('second_store', 'code');
if (!$group->getId()) {
    $group->setCode('second_store')->setName('Second Store')->setWebsiteId($website->getId())->setRootCategoryId(2)->save();
}
$store = $om->create(\Magento\Store\Model\Store::class)->load('second_en', 'code');
if (!$store->getId()) {
    $store->setCode('second_en')->setName('Second English')->setWebsiteId($website->getId())->setGroupId($group->getId())
        ->setIsActive(1)->setSortOrder(1)->save();
}
$group->setDefaultStoreId($store->getId())->save();
$website->setDefaultGroupId($group->getId())->save();
// setup:install creates sales sequences (order, invoice, ... numbers) per store; a store saved from a
// script needs Magento's own observer (module-sales etc/events.xml: store_add) to run.
$meta = $om->get(\Magento\Framework\App\ResourceConnection::class)->getConnection();
$has = (int) $meta->fetchOne('select count(*) from ' . $meta->getTableName('sales_sequence_meta') . ' where store_id = ?', [$store->getId()]);
if ($has === 0) {
    $om->get(\Magento\SalesSequence\Observer\SequenceCreatorObserver::class)
        ->execute(new \Magento\Framework\Event\Observer(['store' => $store]));
}
echo "website {$website->getId()} group {$group->getId()} store {$store->getId()}\n";
