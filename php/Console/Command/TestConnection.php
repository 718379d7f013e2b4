<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Console\Command;

use Symfony\Component\Console\Command\Command;
use Symfony\Component\Console\Input\InputInterface;
use Symfony\Component\Console\Input\InputOption;
use Symfony\Component\Console\Output\OutputInterface;
use XdmRelay\Connector\Model\Config;
use XdmRelay\Connector\Model\Extension;

/** bin/magento xdm-relay:test-connection [--website 1] */
class TestConnection extends Command
{
    /**
     * @param Extension $extension
     * @param Config $config
     */
    public function __construct(private readonly Extension $extension, private readonly Config $config)
    {
        parent::__construct();
    }

    /**
     * @inheritdoc
     */
    protected function configure(): void
    {
        $this->setName('xdm-relay:test-connection')
            ->setDescription('One request to the Edge Network (and IMS) with the configured credentials')
            ->addOption('website', null, InputOption::VALUE_REQUIRED, 'Website id whose datastream to test', null);
    }

    /**
     * @inheritdoc
     */
    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        if (!$this->extension->isLoaded()) {
            $output->writeln('<error>The xdm_relay PHP extension is not loaded.</error>');
            return 1;
        }
        $this->extension->configure($this->config->extensionSettings());
        $result = $this->extension->testConnection($this->config->eventDestination(
            is_numeric($input->getOption('website')) ? (int) $input->getOption('website') : null
        ));
        $output->writeln(sprintf(
            '%s HTTP %d in %.0f ms: %s',
            $result['ok'] ? '<info>OK</info>' : '<error>FAILED</error>',
            $result['status'],
            $result['latency_ms'],
            $result['message']
        ));
        return $result['ok'] ? 0 : 1;
    }
}
