<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use Magento\Framework\Exception\LocalizedException;
use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Model\Config\Backend\AepId;
use XdmRelay\Connector\Model\Config\Backend\AttributeList;
use XdmRelay\Connector\Model\Config\Backend\DatasetId;
use XdmRelay\Connector\Model\Config\Backend\EndpointUrl;
use XdmRelay\Connector\Model\Config\Backend\HistoryDate;
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
        (new DatasetId(['value' => '', 'fieldset_data' => ['storefront_events' => '1']]))->beforeSave();
    }

    public function testIdsMustLookLikeAepIds(): void
    {
        $label = ['label' => 'Datastream ID'];
        (new AepId(['value' => ' 6f1e2a7c-93d4-4b0e-8a51-c2d7e0f39b46 ', 'field_config' => $label]))->beforeSave();
        (new AepId(['value' => 'ds-main', 'field_config' => $label]))->beforeSave();
        (new AepId(['value' => '', 'field_config' => $label]))->beforeSave();
        $this->refused(new AepId(['value' => 'bad datastream id!', 'field_config' => $label]), 'Datastream ID "bad datastream id!" is not an Adobe');
        $this->refused(new AepId(['value' => "ds\r\nX-Evil: 1", 'field_config' => $label]), 'is not an Adobe');
        $events = ['backoffice_events' => '1'];
        $this->refused(new DatasetId(['value' => 'not a dataset;', 'fieldset_data' => $events]), 'is not an Adobe');
        $this->refused(new ProfileDatasetId(['value' => 'x y', 'fieldset_data' => []]), 'is not an Adobe');
    }

    public function testEndpointUrlsAreHttpsOrLoopback(): void
    {
        foreach (['https://server.adobedc.net', 'http://127.0.0.1:8099', 'http://localhost/ims', ''] as $ok) {
            (new EndpointUrl(['value' => $ok]))->beforeSave();
        }
        foreach (['http://edge.example.com', 'https://user:secret@server.adobedc.net', 'ftp://x', 'https://'] as $bad) {
            $this->refused(new EndpointUrl(['value' => $bad, 'field_config' => ['label' => 'Edge URL']]), 'must be an https URL');
        }
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
        $range = new Range('2024-01-01', '2024-01-31');
        $this->assertSame('2024-01-01 00:00:00|2024-01-31 23:59:59', $range->key());
    }

    public function testRangeRefusesEmptyAndImpossibleDates(): void
    {
        foreach ([['', '2024-01-31'], ['2024-01-01', ' '], ['', '']] as [$from, $to]) {
            try {
                new Range($from, $to);
                $this->fail("accepted '$from'..'$to'");
            } catch (\InvalidArgumentException $e) {
                $this->assertSame('Set both From and To (YYYY-MM-DD) under Order History and save the configuration first.', $e->getMessage());
            }
        }
        foreach (['2024-02-30', '2024-13-01', '01/02/2024', '2024-1-1', 'yesterday'] as $bad) {
            try {
                new Range($bad, '2024-12-31');
                $this->fail("accepted $bad");
            } catch (\InvalidArgumentException $e) {
                $this->assertSame(sprintf('"%s" is not a date (use YYYY-MM-DD).', $bad), $e->getMessage());
            }
        }
        $this->assertSame('2024-02-29 00:00:00|2024-03-01 10:30:00', (new Range(' 2024-02-29 ', '2024-03-01 10:30:00'))->key());
    }

    public function testHistoryDatesAreRealDates(): void
    {
        $from = new HistoryDate(['value' => ' 2024-02-29 ']);
        $from->beforeSave();
        $this->assertSame('2024-02-29', $from->getValue());
        (new HistoryDate(['value' => '']))->beforeSave();
        $this->refused(new HistoryDate(['value' => '2023-02-29']), '"2023-02-29" is not a date');
        $this->refused(new HistoryRange(['value' => '2024-31-12', 'fieldset_data' => ['from' => '']]), '"2024-31-12" is not a date');
        $this->refused(new HistoryRange(['value' => '2024-12-31', 'fieldset_data' => ['from' => '2024-02-30']]), '"2024-02-30" is not a date');
        $to = new HistoryRange(['value' => '2024-12-31', 'fieldset_data' => ['from' => '']]);
        $to->beforeSave();
        $this->assertSame('2024-12-31', $to->getValue(), 'To alone is saved; the range is checked once From is set');
    }

    public function testCustomAttributeListsAreFieldNames(): void
    {
        $list = new AttributeList(['value' => ' order_channel , gift_message_id,, _x1 ']);
        $list->beforeSave();
        $this->assertSame('order_channel,gift_message_id,_x1', $list->getValue());
        $this->refused(new AttributeList(['value' => 'order_channel, gift-message, 1st, a b']), 'letters, digits and underscores: gift-message, 1st, a b');
    }
}
