<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Test;

use Magento\Customer\Api\AccountManagementInterface;
use Magento\Customer\Api\Data\CustomerInterface;
use Magento\Framework\Exception\InputException;

/**
 * AccountManagement::createAccountWithPasswordHash() of Magento 2.4.6 as far as saves go
 * (module-customer/Model/AccountManagement.php:952-982): the customer is saved without its
 * addresses, then each address; a failing address deletes the customer again and rethrows; then
 * changeResetPasswordLinkToken() saves the customer once more with only rp_token changed.
 * An address whose data has 'invalid' => true fails as the address repository's validation would.
 */
class AccountManagement implements AccountManagementInterface
{
    public function __construct(private Magento $magento)
    {
    }

    /** @param Customer $customer a new customer with 'address_rows' to save */
    public function createAccountWithPasswordHash(CustomerInterface $customer, $hash, $redirectUrl = '')
    {
        $addresses = (array) $customer->getData('address_rows');
        $customer->unsetData('address_rows');
        $model = new Customer($this->magento->db, PayloadRows::scalars($customer->getData()) + ['password_hash' => $hash]);
        $this->magento->save($model);
        try {
            foreach ($addresses as $row) {
                $address = new Address($row);
                $address->setCustomerId($model->getId());
                if (!empty($row['invalid'])) {
                    // AddressRepository::save() validates before the resource save: no address event.
                    throw new InputException(__('"street" is required. Enter and try again.'));
                }
                $this->magento->save($address);
            }
        } catch (InputException $e) {
            $this->magento->delete($model);
            throw $e;
        }
        // changeResetPasswordLinkToken(): CustomerRepository::save() of the loaded customer,
        // orig data populated from the previous row, only the token changed.
        $again = (new Customer($this->magento->db))->load($model->getId());
        $again->isObjectNew(false);
        $again->setRpToken(bin2hex(random_bytes(16)));
        $again->setRpTokenCreatedAt('2024-05-01 08:00:01');
        $this->magento->save($again);
        return $again;
    }
}
