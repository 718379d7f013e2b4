<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test\Unit;

use Magento\Framework\Exception\InputException;
use PHPUnit\Framework\TestCase;
use XdmRelay\Connector\Test\Address;
use XdmRelay\Connector\Test\Customer;
use XdmRelay\Connector\Test\FakeExtension;
use XdmRelay\Connector\Test\Fixtures;
use XdmRelay\Connector\Test\Magento;
use XdmRelay\Connector\Test\Subscriber;

/** Account events and profile records, through Magento's save flow and the module's events.xml/di.xml. */
class CustomersTest extends TestCase
{
    private FakeExtension $ext;
    private Fixtures $f;
    private Magento $magento;

    protected function setUp(): void
    {
        $this->ext = new FakeExtension();
        $this->f = new Fixtures($this->ext);
        $this->magento = $this->f->magento;
    }

    protected function assertPostConditions(): void
    {
        $this->assertSame([], $this->f->logger->messages('error'));
    }

    private function signUp(array $addresses): ?\Throwable
    {
        $customer = new Customer(null, ['email' => 'new@example.com', 'firstname' => 'Ann', 'lastname' => 'Lee', 'website_id' => '1', 'store_id' => '1',
            'created_at' => '2024-05-01 08:00:00', 'updated_at' => '2024-05-01 08:00:00', 'address_rows' => $addresses]);
        try {
            $this->f->accountManagement()->createAccountWithPasswordHash($customer, 'hash');
            return null;
        } catch (\Throwable $e) {
            return $e;
        }
    }

    private static function addressRow(string $street, array $extra = []): array
    {
        return $extra + ['firstname' => 'Ann', 'lastname' => 'Lee', 'street' => $street, 'city' => 'Austin', 'postcode' => '78701', 'country_id' => 'US',
            'telephone' => '555-0100', 'updated_at' => '2024-05-01 08:00:00'];
    }

    public function testSignUpAnnouncesTheAccountOnceWithItsAddresses(): void
    {
        $this->assertNull($this->signUp([self::addressRow('1 Main St'), self::addressRow('9 Warehouse Rd')]));
        $dispatched = array_count_values($this->f->events->dispatched);
        $this->assertSame(2, $dispatched['customer_save_commit_after'], 'Magento saved the customer twice (creation, reset token)');
        $this->assertSame(2, $dispatched['customer_address_save_commit_after']);
        $this->assertSame(['accountCreated', 'profileRecord'], $this->f->emittedEvents());
        $record = $this->ext->emitted[1]['payload']['customer'];
        $this->assertSame(['1 Main St', '9 Warehouse Rd'], array_column($record['addresses'], 'street'));
        $this->assertSame('new@example.com', $record['email']);
        $this->assertFalse($record['is_subscribed']);
        $this->assertArrayNotHasKey('rp_token', $record);
        $this->assertArrayNotHasKey('password_hash', $record);
        $event = $this->ext->emitted[0]['payload']['customer'];
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/', $record['updated_at'], 'the commit time, to the ms');
        unset($record['updated_at'], $event['updated_at']);
        $this->assertSame($record, $event);
    }

    public function testARolledBackSignUpAnnouncesNothing(): void
    {
        $error = $this->signUp([self::addressRow('1 Main St'), self::addressRow('', ['invalid' => true])]);
        $this->assertInstanceOf(InputException::class, $error);
        $this->assertContains('customer_delete_commit_after', $this->f->events->dispatched);
        $this->assertSame([], $this->f->db->customers, 'Magento deleted the customer again');
        $this->assertSame([], $this->f->emittedEvents());

        // The next sign-up and a later deletion of another customer are announced as usual.
        $this->assertNull($this->signUp([self::addressRow('5 Elm St')]));
        $this->assertSame(['accountCreated', 'profileRecord'], $this->f->emittedEvents());
        $this->magento->delete($this->f->customer());
        $this->assertSame(['accountCreated', 'profileRecord', 'accountDeleted', 'profileDeleted'], $this->f->emittedEvents());
    }

    public function testACustomerCreatedOutsideAccountManagementIsAnnouncedAtItsCommit(): void
    {
        $customer = new Customer($this->f->db, ['email' => 'import@example.com', 'firstname' => 'Imp', 'lastname' => 'Ort', 'website_id' => '1', 'updated_at' => '2024-05-01 08:00:00']);
        $this->magento->save($customer);
        $this->assertSame(['accountCreated', 'profileRecord'], $this->f->emittedEvents());
        $this->assertSame(['datastream_id' => 'ds-base', 'dataset_id' => 'profiles-base'], $this->ext->emitted[1]['destination']);
        $this->assertSame($customer->getId(), $this->ext->emitted[0]['payload']['customer']['id']);
        $this->assertSame('base', $this->ext->emitted[0]['payload']['store']['website_code']);
    }

    public function testSavesThatChangeNoProfileFieldAreNotNews(): void
    {
        // W2: a password-reset token, a failed login.
        $customer = $this->f->customer();
        $customer->setRpToken('new-token')->setRpTokenCreatedAt('2024-06-01 00:00:00')->setUpdatedAt('2024-06-01 00:00:00');
        $this->magento->save($customer);
        $customer = $this->f->loadCustomer('42');
        $customer->setFailuresNum('1')->setFirstFailure('2024-06-01 00:00:00');
        $this->magento->save($customer);
        $this->assertSame(2, array_count_values($this->f->events->dispatched)['customer_save_commit_after']);
        $this->assertSame([], $this->f->emittedEvents());
    }

    public function testAProfileFieldChangeSendsAccountUpdatedAndARecord(): void
    {
        $customer = $this->f->customer();
        $customer->setLastname('Smith')->setUpdatedAt('2024-06-01 08:00:00');
        $this->magento->save($customer);
        $this->assertSame(['accountUpdated', 'profileRecord'], $this->f->emittedEvents());
        $record = $this->ext->emitted[1]['payload']['customer'];
        $this->assertSame('Smith', $record['lastname']);
        $this->assertSame('2024-06-01 08:00:00', $this->ext->emitted[0]['payload']['customer']['updated_at']);
        $now = (new \DateTimeImmutable('now', new \DateTimeZone('UTC')))->format('Y-m-d H:i:s.v');
        $this->assertGreaterThan('2024-06-01 08:00:00.000', $record['updated_at'], 'the record carries the commit time');
        $this->assertLessThanOrEqual($now, $record['updated_at']);
        $this->assertTrue($record['addresses'][0]['default_billing']);
        $this->assertFalse($record['addresses'][0]['default_shipping']);
        $this->assertTrue($record['addresses'][1]['default_shipping']);
    }

    public function testTheCustomerPayloadCarriesNoSecretsAndTheSubscription(): void
    {
        // C7 and W7.
        $customer = $this->f->customer();
        $customer->setEmail('jane@example.com')->setUpdatedAt('2024-06-01 08:00:00');
        $this->magento->save($customer);
        $record = $this->ext->emitted[1]['payload']['customer'];
        foreach (['password_hash', 'rp_token', 'rp_token_created_at', 'confirmation', 'failures_num', 'first_failure', 'lock_expires'] as $column) {
            $this->assertArrayNotHasKey($column, $record, $column);
        }
        $this->assertTrue($record['is_subscribed']);
        $this->assertSame('jane@example.com', $record['email']);

        $f = new Fixtures($ext = new FakeExtension());
        $customer = $f->customer([], false);
        $customer->setFirstname('Janet');
        $f->magento->save($customer);
        $this->assertFalse($ext->emitted[1]['payload']['customer']['is_subscribed']);
    }

    public function testASubscriptionInAnotherWebsiteDoesNotCount(): void
    {
        $customer = $this->f->customer();
        $this->f->db->subscribers[0]['store_id'] = '2';
        $customer->setFirstname('Janet');
        $this->magento->save($customer);
        $this->assertFalse($this->ext->emitted[1]['payload']['customer']['is_subscribed']);
    }

    public function testAnAddressSaveSendsAProfileRecord(): void
    {
        // W3: the address book saves only the address.
        $this->f->customer();
        $address = Magento::loaded(new Address($this->f->db->addresses['8']));
        $address->setStreet('10 Warehouse Rd')->setUpdatedAt('2024-06-02 09:00:00');
        $this->magento->save($address);
        $this->assertNotContains('customer_save_commit_after', $this->f->events->dispatched);
        $this->assertSame(['profileRecord'], $this->f->emittedEvents());
        $record = $this->ext->emitted[0]['payload']['customer'];
        $this->assertSame(['1 Main St', '10 Warehouse Rd'], array_column($record['addresses'], 'street'));
        $this->assertGreaterThanOrEqual('2024-06-02 09:00:00', $record['updated_at'], 'the record is newer than the last one');

        // A new address (checkout's "save in address book") and a deleted one, each a record.
        $new = new Address(['parent_id' => '42', 'firstname' => 'Jane', 'lastname' => 'Doe', 'street' => '3 New Rd', 'city' => 'Waco', 'country_id' => 'US', 'updated_at' => '2024-06-03 09:00:00']);
        $this->magento->save($new);
        $this->assertCount(3, $this->ext->emitted[1]['payload']['customer']['addresses']);
        $this->magento->delete($address);
        $this->assertSame(['profileRecord', 'profileRecord', 'profileRecord'], $this->f->emittedEvents());
        $last = $this->ext->emitted[2]['payload']['customer'];
        $this->assertSame(['1 Main St', '3 New Rd'], array_column($last['addresses'], 'street'));
        $this->assertGreaterThan('2024-06-03 09:00:00', $last['updated_at'], 'a deletion is dated by its own time');
    }

    public function testAGuestSubscriptionIsNoProfileButACustomerSubscriptionIs(): void
    {
        $this->f->customer([], false);
        $this->magento->save(new Subscriber($this->f->db, ['customer_id' => '0', 'store_id' => '1', 'subscriber_email' => 'guest@example.org', 'subscriber_status' => 1]));
        $this->assertSame([], $this->f->emittedEvents());
        $subscriber = (new Subscriber($this->f->db))->loadByCustomer(42, 1);
        $subscriber->setData('subscriber_status', Subscriber::STATUS_SUBSCRIBED);
        $this->magento->save($subscriber);
        $this->assertSame(['profileRecord'], $this->f->emittedEvents());
        $this->assertTrue($this->ext->emitted[0]['payload']['customer']['is_subscribed']);
    }

    public function testDeletionSendsAccountDeletedAndProfileDeleted(): void
    {
        $this->magento->delete($this->f->customer());
        $this->assertSame(['accountDeleted', 'profileDeleted'], $this->f->emittedEvents());
        $this->assertSame('42', $this->ext->emitted[1]['payload']['customer']['id']);
    }

    public function testProfilesOnlyWhenProfilesAreOn(): void
    {
        $this->f->scope->default['xdm_relay/events/customer_profiles'] = '0';
        $this->magento->save(new Customer($this->f->db, ['email' => 'a@example.com', 'website_id' => '1']));
        $this->assertSame(['accountCreated'], $this->f->emittedEvents());
    }
}
