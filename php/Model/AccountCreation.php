<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model;

/**
 * Whether the current request is inside AccountManagement::createAccountWithPasswordHash().
 *
 * Magento saves a new customer three times there: the customer without addresses, then each
 * address, then the password-reset token. Announcing at the first commit would send a profile
 * with no addresses followed by spurious updates, so the customers created inside are collected
 * and announced once, complete, when the call returns (see Plugin\AnnounceCreatedAccounts).
 */
class AccountCreation
{
    /**
     * @var int how many createAccount calls are running (they may nest)
     */
    private int $depth = 0;

    /**
     * @var array<string, true> ids of the customers created by the running calls
     */
    private array $created = [];

    /**
     * A createAccount call starts.
     *
     * @return void
     */
    public function begin(): void
    {
        $this->depth++;
    }

    /**
     * A createAccount call ended; the ids it created once the outermost call ends, else none.
     *
     * @return string[]
     */
    public function end(): array
    {
        $this->depth = max(0, $this->depth - 1);
        if ($this->depth > 0) {
            return [];
        }
        $created = array_keys($this->created);
        $this->created = [];
        return array_map('strval', $created);
    }

    /**
     * Whether saves now happen inside a createAccount call.
     *
     * @return bool
     */
    public function isRunning(): bool
    {
        return $this->depth > 0;
    }

    /**
     * A customer was created inside the running call: announce it when the call returns.
     *
     * @param string $customerId
     * @return void
     */
    public function add(string $customerId): void
    {
        $this->created[$customerId] = true;
    }

    /**
     * Whether this customer is being created by the running call (its own saves are not news).
     *
     * @param string $customerId
     * @return bool
     */
    public function isCreating(string $customerId): bool
    {
        return isset($this->created[$customerId]);
    }

    /**
     * The running call deleted the customer it created: nothing to announce, nor to withdraw.
     *
     * A failed address save rolls a sign-up back this way.
     *
     * @param string $customerId
     * @return bool whether the customer was being created
     */
    public function withdraw(string $customerId): bool
    {
        $was = isset($this->created[$customerId]);
        unset($this->created[$customerId]);
        return $was;
    }
}
