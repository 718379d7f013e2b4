<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Console\Command;

use Magento\Store\Model\StoreManagerInterface;
use Symfony\Component\Console\Command\Command;
use Symfony\Component\Console\Helper\Table;
use Symfony\Component\Console\Input\InputInterface;
use Symfony\Component\Console\Output\OutputInterface;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Extension;

/** bin/magento xdm-relay:status */
class Status extends Command
{
    /**
     * Figures that mean events are lost or in danger, with what the merchant should do.
     */
    private const WARNINGS = [
        'lost_events' => 'Events were lost (see losses.jsonl in the spool directory for which and why).',
        'unadoptable_segments' => 'Spool files this user cannot read: give the PHP-FPM and cron users one group.',
        'at_risk' => 'Events are held in memory only: the spool directory is missing, full or not writable.',
    ];

    /**
     * @param Extension $extension
     * @param Config $config
     * @param StoreManagerInterface $storeManager
     */
    public function __construct(
        private readonly Extension $extension,
        private readonly Config $config,
        private readonly StoreManagerInterface $storeManager
    ) {
        parent::__construct();
    }

    /**
     * @inheritdoc
     */
    protected function configure(): void
    {
        $this->setName('xdm-relay:status')
            ->setDescription('Extension, configuration per website, spool and delivery status of XDM Relay');
    }

    /**
     * @inheritdoc
     */
    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        if (!$this->extension->isLoaded()) {
            $output->writeln(
                '<error>Extension: not loaded. Add extension=xdm_relay to php.ini (CLI and PHP-FPM).</error>'
            );
            return 1;
        }
        $output->writeln('Extension: xdm_relay ' . $this->extension->version());
        $settings = $this->config->extensionSettings();
        // The spool the store's processes share (settings pick it), not this CLI user's default.
        $this->extension->configure($settings);
        if (isset($settings['auth']['client_secret'])) {
            $settings['auth']['client_secret'] = '********';
        }
        $output->writeln('Settings: ' . json_encode($settings, JSON_UNESCAPED_SLASHES));
        $table = new Table($output);
        $table->setHeaders([
            'Website', 'Back office events', 'Profiles', 'Storefront events', 'Datastream', 'Dataset',
            'Profile dataset', 'Storefront datastream',
        ]);
        foreach ($this->storeManager->getWebsites() as $website) {
            $id = (int) $website->getId();
            $events = $this->config->eventDestination($id);
            $profiles = $this->config->profileDestination($id);
            $storefront = $this->config->storefrontDestination($id);
            $table->addRow([
                $website->getCode(),
                $this->config->backofficeEnabled($id) ? 'on' : 'off',
                $this->config->profilesEnabled($id) ? 'on' : 'off',
                $this->storefrontState($id),
                $events['datastream_id'],
                $events['dataset_id'] ?? '',
                $profiles['dataset_id'] ?? '',
                $storefront['datastream_id'],
            ]);
        }
        $table->render();
        // Every figure the extension reports: this process's counters, and the spool_* figures,
        // which count what every process (FPM workers, cron, dead ones) left waiting.
        $stats = $this->extension->stats();
        foreach ($stats as $key => $value) {
            $output->writeln(sprintf('%-24s %s', $key . ':', is_scalar($value) || $value === null
                ? var_export($value, true) : json_encode($value, JSON_UNESCAPED_SLASHES)));
        }
        foreach (self::WARNINGS as $key => $warning) {
            if ((int) ($stats[$key] ?? 0) > 0) {
                $output->writeln(sprintf('<error>%s: %d. %s</error>', $key, (int) $stats[$key], $warning));
            }
        }
        return 0;
    }

    /**
     * The storefront stream of a website in a few words: on/off, beacon, Web SDK, mg_dnt.
     *
     * @param int $websiteId
     * @return string
     */
    private function storefrontState(int $websiteId): string
    {
        if (!$this->config->storefrontEnabled($websiteId)) {
            return 'off';
        }
        $parts = ['on'];
        $parts[] = $this->config->beaconEnabled($websiteId) ? 'beacon' : 'no beacon';
        if ($this->config->webSdkDeployed($websiteId)) {
            $parts[] = 'Web SDK sends page views';
        }
        $parts[] = $this->config->respectsDnt($websiteId) ? 'mg_dnt respected' : 'mg_dnt ignored';
        return implode(', ', $parts);
    }
}
