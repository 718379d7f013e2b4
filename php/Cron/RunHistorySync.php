<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Cron;

use Magento\Framework\FlagManager;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\History\Range;
use XdmRelay\Connector\Model\History\SyncService;

/** Runs a sync queued from the admin, with the CLI's service; progress is kept in a flag. */
class RunHistorySync
{
    public const REQUEST_FLAG = 'xdm_relay_history_request';
    public const PROGRESS_FLAG = 'xdm_relay_history_progress';

    public function __construct(
        private readonly FlagManager $flags,
        private readonly SyncService $sync,
        private readonly LoggerInterface $logger
    ) {
    }

    public function queue(Range $range, ?int $websiteId): void
    {
        $this->flags->saveFlag(self::REQUEST_FLAG, [
            'from' => $range->from->format('Y-m-d H:i:s'),
            'to' => $range->to->format('Y-m-d H:i:s'),
            'website' => $websiteId,
        ]);
        $this->flags->saveFlag(self::PROGRESS_FLAG, ['state' => 'queued', 'sent' => 0]);
    }

    public function execute(): void
    {
        $request = $this->flags->getFlagData(self::REQUEST_FLAG);
        if (!is_array($request)) {
            return;
        }
        $this->flags->deleteFlag(self::REQUEST_FLAG);
        try {
            $range = Range::parse($request['from'], $request['to']);
            $result = $this->sync->run($range, $request['website'], 500, false, function (int $sent): void {
                if ($sent % 500 === 0) {
                    $this->flags->saveFlag(self::PROGRESS_FLAG, ['state' => 'running', 'sent' => $sent]);
                }
            });
            $this->flags->saveFlag(self::PROGRESS_FLAG, ['state' => 'done'] + $result);
        } catch (\Throwable $e) {
            $this->flags->saveFlag(self::PROGRESS_FLAG, ['state' => 'failed', 'message' => $e->getMessage()]);
            $this->logger->error('XDM Relay: history sync failed: ' . $e->getMessage(), ['exception' => $e]);
        }
    }
}
