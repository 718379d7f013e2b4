<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Console\Command;

use Symfony\Component\Console\Command\Command;
use Symfony\Component\Console\Helper\Table;
use Symfony\Component\Console\Input\InputInterface;
use Symfony\Component\Console\Input\InputOption;
use Symfony\Component\Console\Output\OutputInterface;
use XdmRelay\Connector\Model\DataCustomization\AttributeComparison;
use XdmRelay\Connector\Model\DataCustomization\Report;

/** bin/magento xdm-relay:attributes [--website 1] [--refresh]: the data customization report. */
class Attributes extends Command
{
    /**
     * @param Report $report
     */
    public function __construct(private readonly Report $report)
    {
        parent::__construct();
    }

    /**
     * @inheritdoc
     */
    protected function configure(): void
    {
        $this->setName('xdm-relay:attributes')
            ->setDescription(
                'Per dataset: the custom order and item attributes the store sends beside those its AEP schema declares'
            )
            ->addOption('website', null, InputOption::VALUE_REQUIRED, 'Website id (default: the default scope)', null)
            ->addOption('refresh', null, InputOption::VALUE_NONE, 'Read the schemas from Experience Platform again');
    }

    /**
     * @inheritdoc
     */
    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        $website = $input->getOption('website');
        $websiteId = is_numeric($website) ? (int) $website : null;
        $report = $input->getOption('refresh') ? $this->report->refresh($websiteId) : $this->report->get($websiteId);
        $output->writeln(sprintf('Read from Experience Platform at %s (UTC).', $report['fetched_at']));
        foreach ($report['unconfigured'] as $role) {
            $output->writeln(sprintf('No %s is configured.', Report::ROLES[$role] ?? $role));
        }
        $failed = false;
        foreach ($report['datasets'] as $dataset) {
            $roles = implode(', ', array_map(static fn ($r) => Report::ROLES[$r] ?? $r, $dataset['roles']));
            $output->writeln('');
            if (!$dataset['ok']) {
                $failed = true;
                $output->writeln(sprintf('<comment>%s</comment> (%s)', $dataset['dataset_id'], $roles));
                $output->writeln(sprintf(
                    '<error>ERROR%s: %s</error>',
                    $dataset['status'] > 0 ? sprintf(' (HTTP %d)', $dataset['status']) : '',
                    $dataset['error']
                ));
                continue;
            }
            $output->writeln(sprintf(
                '<comment>%s</comment> (%s): schema "%s", sandbox %s, tenant _%s',
                $dataset['dataset_id'],
                $roles,
                $dataset['schema_title'] ?? $dataset['schema_id'],
                $dataset['sandbox'],
                $dataset['schema_tenant_id']
            ));
            foreach ($dataset['warnings'] as $warning) {
                $output->writeln('WARNING: ' . $warning);
            }
            $rows = [];
            foreach (['order', 'item'] as $level) {
                foreach ($dataset[$level] as $row) {
                    $rows[] = [
                        $level,
                        (string) $row['store'],
                        (string) $row['seen'],
                        (string) $row['schema'],
                        AttributeComparison::LABELS[$row['status']] ?? $row['status'],
                        $row['hint'],
                    ];
                }
            }
            if ($rows === []) {
                $output->writeln('No custom attributes on either side.');
                continue;
            }
            (new Table($output))
                ->setHeaders(['level', 'sent by the store', 'latest orders', 'in the schema', 'match', 'hint'])
                ->setRows($rows)
                ->render();
        }
        return $failed ? 1 : 0;
    }
}
