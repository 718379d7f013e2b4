<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use Magento\Framework\Exception\LocalizedException;
use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Model\Config\Backend\DatasetId;
use XdmRelay\Connector\Model\Config\Backend\HistoryRange;
use XdmRelay\Connector\Model\Config\Backend\OrgId;
use XdmRelay\Connector\Model\Config\Backend\ProfileDatasetId;
use XdmRelay\Connector\Model\History\Range;

class ConfigValidationTest extends TestCase
{
    private function refused(object $backend, string $message): void
    {
        try {
            $backend->beforeSave();
            $this->fail('saved although invalid');
        } catch (LocalizedException $e) {
            $this->assertStringContainsString($message, $e->getMessage());
        }
    }

    public function testOrgIdMustBeAnAdobeOrg(): void
    {
        (new OrgId(['value' => ' 0123456789ABCDEF01234567@AdobeOrg ']))->beforeSave();
        (new OrgId(['value' => '']))->beforeSave();
        $this->refused(new OrgId(['value' => '0123456789ABCDEF01234567']), 'is not valid');
        $this->refused(new OrgId(['value' => 'abc@adobe.com']), 'is not valid');
    }

    public function testDatasetRequiredWhileEventsAreOn(): void
    {
        (new DatasetId(['value' => '', 'fieldset_data' => ['backoffice_events' => '0']]))->beforeSave();
        (new DatasetId(['value' => 'ds', 'fieldset_data' => ['backoffice_events' => '1']]))->beforeSave();
        $this->refused(new DatasetId(['value' => ' ', 'fieldset_data' => ['backoffice_events' => '1']]), 'Dataset ID is required');
        $this->refused(new DatasetId(['value' => '', 'fieldset_data' => ['storefront_events' => '1']]), 'Dataset ID is required');
    }

    public function testProfileDatasetMustDifferFromTheEventDataset(): void
    {
        (new ProfileDatasetId(['value' => 'profiles', 'fieldset_data' => ['dataset_id' => 'events', 'customer_profiles' => '1']]))->beforeSave();
        $this->refused(new ProfileDatasetId(['value' => 'same', 'fieldset_data' => ['dataset_id' => 'same']]), 'must differ');
        $this->refused(new ProfileDatasetId(['value' => '', 'fieldset_data' => ['customer_profiles' => '1']]), 'required while Customer profiles are on');
    }

    public function testHistoryRangeAtMostFiveYearsAndNotReversed(): void
    {
        (new HistoryRange(['value' => '2025-12-31', 'fieldset_data' => ['from' => '2021-01-01']]))->beforeSave();
        $this->refused(new HistoryRange(['value' => '2026-01-02', 'fieldset_data' => ['from' => '2021-01-01']]), 'longer than 5 years');
        $this->refused(new HistoryRange(['value' => '2020-01-01', 'fieldset_data' => ['from' => '2021-01-01']]), 'reversed');
        $range = Range::parse('2024-01-01', '2024-01-31');
        $this->assertSame('2024-01-01 00:00:00|2024-01-31 23:59:59', $range->key());
    }
}
