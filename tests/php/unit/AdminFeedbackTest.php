<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Block\Adminhtml\System\Config\SyncProgress;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Model\System\Message\ExtensionMissing;
use XdmRelay\Connector\Test\ArrayCache;
use XdmRelay\Connector\Test\TestLogger;

class AdminFeedbackTest extends TestCase
{
    public function testTheAdminIsToldWhenTheExtensionIsMissing(): void
    {
        $missing = new ExtensionMissing(static fn () => false);
        $this->assertTrue($missing->isDisplayed());
        $this->assertStringContainsString('extension=xdm_relay', $missing->getText());
        $this->assertSame(ExtensionMissing::SEVERITY_MAJOR, $missing->getSeverity());
        $this->assertFalse((new ExtensionMissing(static fn () => true))->isDisplayed());
    }

    public function testWithoutTheExtensionTheModuleLogsOneNoticeADayAcrossRequests(): void
    {
        if (extension_loaded('xdm_relay')) {
            $this->markTestSkipped('this suite runs without the extension; the e2e suite runs with it');
        }
        $logger = new TestLogger();
        $cache = new ArrayCache();
        $ext = new Extension($logger, $cache);
        $this->assertFalse($ext->isLoaded());
        $this->assertFalse($ext->isLoaded());
        // The next request (a new Extension, the same Magento cache): no second notice.
        $this->assertFalse((new Extension($logger, $cache))->isLoaded());
        $notices = $logger->messages('notice');
        $this->assertCount(1, $notices, 'one notice, not one per event or per request');
        $this->assertStringContainsString('not loaded', $notices[0]);
        // A day later the cache entry has expired: one reminder.
        $cache->now += 86401;
        $this->assertFalse((new Extension($logger, $cache))->isLoaded());
        $this->assertCount(2, $logger->messages('notice'));
    }

    public function testSyncProgressIsDescribedForTheAdmin(): void
    {
        $progress = new SyncProgress(new \Magento\Backend\Block\Template\Context(), new \Magento\Framework\FlagManager());
        $this->assertStringContainsString('No sync', $progress->describe(null));
        $this->assertStringContainsString('Queued', $progress->describe(['state' => 'queued', 'sent' => 0]));
        $this->assertStringContainsString('1500 orders sent so far', $progress->describe(['state' => 'running', 'sent' => 1500]));
        $this->assertStringContainsString('Done: 300 orders sent, 2 could not', $progress->describe(['state' => 'done', 'sent' => 300, 'failed' => 2]));
        $this->assertStringContainsString('Failed: boom', $progress->describe(['state' => 'failed', 'message' => 'boom']));
    }
}
