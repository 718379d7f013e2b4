<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Block\Adminhtml\System\Config\SyncProgress;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Model\System\Message\ExtensionMissing;
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

    public function testWithoutTheExtensionTheModuleLogsOneNoticeAndCallsNothing(): void
    {
        if (extension_loaded('xdm_relay')) {
            $this->markTestSkipped('this suite runs without the extension; the e2e suite runs with it');
        }
        $logger = new TestLogger();
        $ext = new Extension($logger);
        $this->assertFalse($ext->isLoaded());
        $this->assertFalse($ext->isLoaded());
        $notices = $logger->messages('notice');
        $this->assertCount(1, $notices, 'one notice per process, not per event');
        $this->assertStringContainsString('not loaded', $notices[0]);
    }

    public function testSyncProgressIsDescribedForTheAdmin(): void
    {
        $this->assertStringContainsString('No sync', SyncProgress::describe(null));
        $this->assertStringContainsString('Queued', SyncProgress::describe(['state' => 'queued', 'sent' => 0]));
        $this->assertStringContainsString('1500 orders sent so far', SyncProgress::describe(['state' => 'running', 'sent' => 1500]));
        $this->assertStringContainsString('Done: 300 orders sent, 2 could not', SyncProgress::describe(['state' => 'done', 'sent' => 300, 'failed' => 2]));
        $this->assertStringContainsString('Failed: boom', SyncProgress::describe(['state' => 'failed', 'message' => 'boom']));
    }
}
