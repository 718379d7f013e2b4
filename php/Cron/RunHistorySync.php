<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Cron;

use Magento\Framework\FlagManager;
use Magento\Framework\Lock\LockManagerInterface;
use Psr\Log\LoggerInterface;
use XdmRelay\Connector\Model\History\Range;
use XdmRelay\Connector\Model\History\SyncService;

/**
 * Runs a sync queued from the admin, with the CLI's service; progress is kept in a flag.
 *
 * The request stays queued until the sync ends: a cron process killed mid-run leaves it, and the
 * next run resumes from the sync's cursor. A lock keeps a second cron run from starting the same
 * sync while one is still going.
 */
class RunHistorySync
{
    public const REQUEST_FLAG = 'xdm_relay_history_request';
    public const PROGRESS_FLAG = 'xdm_relay_history_progress';
    private const LOCK = 'xdm_relay_history_sync';

    /**
     * @param FlagManager $flags
     * @param SyncService $sync
     * @param LockManagerInterface $locks
     * @param LoggerInterface $logger
     */
    public function __construct(
        private readonly FlagManager $flags,
        private readonly SyncService $sync,
        private readonly LockManagerInterface $locks,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * Queue a range for the next cron run.
     *
     * @param Range $range
     * @param int|null $websiteId
     * @return void
     */
    public function queue(Range $range, ?int $websiteId): void
    {
        $this->flags->saveFlag(self::REQUEST_FLAG, [
            'from' => $range->from->format('Y-m-d H:i:s'),
            'to' => $range->to->format('Y-m-d H:i:s'),
            'website' => $websiteId,
        ]);
        $this->flags->saveFlag(self::PROGRESS_FLAG, ['state' => 'queued', 'sent' => 0]);
    }

    /**
     * The cron job: run the queued sync, if any and if no other run has it.
     *
     * @return void
     */
    public function execute(): void
    {
        $request = $this->flags->getFlagData(self::REQUEST_FLAG);
        if (!is_array($request) || !$this->locks->lock(self::LOCK, 0)) {
            return;
        }
        try {
            $range = new Range((string) $request['from'], (string) $request['to']);
            $website = isset($request['website']) ? (int) $request['website'] : null;
            $result = $this->sync->run($range, $website, 500, false, function (int $sent): void {
                if ($sent % 500 === 0) {
                    $this->flags->saveFlag(self::PROGRESS_FLAG, ['state' => 'running', 'sent' => $sent]);
                }
            });
            $this->flags->saveFlag(self::PROGRESS_FLAG, ['state' => 'done'] + $result);
        } catch (\Throwable $e) {
            $this->flags->saveFlag(self::PROGRESS_FLAG, ['state' => 'failed', 'message' => $e->getMessage()]);
            $this->logger->error('XDM Relay: history sync failed: ' . $e->getMessage(), ['exception' => $e]);
        } finally {
            $this->flags->deleteFlag(self::REQUEST_FLAG);
            $this->locks->unlock(self::LOCK);
        }
    }
}
