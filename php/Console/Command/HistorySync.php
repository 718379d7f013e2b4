<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Console\Command;

use Symfony\Component\Console\Command\Command;
use Symfony\Component\Console\Helper\ProgressBar;
use Symfony\Component\Console\Input\InputInterface;
use Symfony\Component\Console\Input\InputOption;
use Symfony\Component\Console\Output\OutputInterface;
use XdmRelay\Connector\Model\Extension;
use XdmRelay\Connector\Model\History\Range;
use XdmRelay\Connector\Model\History\SyncService;

/** bin/magento xdm-relay:history:sync --from 2021-01-01 --to 2025-12-31 [--website 1] [--batch 500] [--dry-run] */
class HistorySync extends Command
{
    /**
     * @param SyncService $sync
     * @param Extension $extension
     */
    public function __construct(private readonly SyncService $sync, private readonly Extension $extension)
    {
        parent::__construct();
    }

    /**
     * @inheritdoc
     */
    protected function configure(): void
    {
        $this->setName('xdm-relay:history:sync')
            ->setDescription('Send past orders (up to five years) to Adobe Experience Platform as historicalOrder')
            ->addOption('from', null, InputOption::VALUE_REQUIRED, 'First day, YYYY-MM-DD')
            ->addOption('to', null, InputOption::VALUE_REQUIRED, 'Last day, YYYY-MM-DD')
            ->addOption('website', null, InputOption::VALUE_REQUIRED, 'Only this website id')
            ->addOption('batch', null, InputOption::VALUE_REQUIRED, 'Orders read per page', '500')
            ->addOption('dry-run', null, InputOption::VALUE_NONE, 'Map every order without sending anything');
    }

    /**
     * @inheritdoc
     */
    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        try {
            $range = new Range((string) $input->getOption('from'), (string) $input->getOption('to'));
        } catch (\InvalidArgumentException $e) {
            $output->writeln('<error>' . $e->getMessage() . '</error>');
            return 1;
        }
        if (!$this->extension->isLoaded()) {
            $output->writeln(
                '<error>The xdm_relay PHP extension is not loaded (add extension=xdm_relay to the CLI php.ini).</error>'
            );
            return 1;
        }
        $website = $input->getOption('website');
        $websiteId = $website === null ? null : (int) $website;
        $batch = max(1, (int) $input->getOption('batch'));
        $dryRun = (bool) $input->getOption('dry-run');
        $total = $this->sync->count($range, $websiteId);
        $bar = new ProgressBar($output, $total);
        $bar->setFormat(' %current%/%max% [%bar%] %percent:3s%% %rate% orders/s, ETA %remaining:-6s%');
        ProgressBar::setPlaceholderFormatterDefinition('rate', static function (ProgressBar $b): string {
            $elapsed = max(0.001, microtime(true) - $b->getStartTime());
            return number_format($b->getProgress() / $elapsed, 1);
        });
        $bar->start();
        $progress = static fn (int $sent) => $bar->setProgress(min($sent, max($total, $sent)));
        $result = $this->sync->run($range, $websiteId, $batch, $dryRun, $progress);
        $bar->finish();
        $output->writeln('');
        if ($result['resumed_from'] > 0) {
            $output->writeln(sprintf('Resumed after order id %d.', $result['resumed_from']));
        }
        $output->writeln(sprintf(
            '%s %d order(s)%s.',
            $dryRun ? 'Dry run: mapped' : 'Queued',
            $result['sent'],
            $result['failed'] ? sprintf(', %d could not be mapped (see the log)', $result['failed']) : ''
        ));
        if (!$dryRun) {
            $this->extension->flush(10.0);
        }
        return $result['failed'] > 0 ? 1 : 0;
    }
}
