<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront\Beacon;

use Magento\Customer\Model\Session as CustomerSession;

/**
 * At most LIMIT beacon requests per shopper session in a fixed WINDOW_S window.
 *
 * A real shopper sends one or two events per page; a session far above that is a script
 * replaying the endpoint, and its events would only be noise in AEP. Kept in the session so
 * it needs no storage of its own and ends with the session.
 */
class RateLimiter
{
    public const LIMIT = 120;
    public const WINDOW_S = 600;
    private const KEY = 'xdm_relay_beacon_window';

    /**
     * @param CustomerSession $session
     */
    public function __construct(private readonly CustomerSession $session)
    {
    }

    /**
     * Count one request; whether it is within the limit.
     *
     * @param int $now Unix time
     * @return bool
     */
    public function allow(int $now): bool
    {
        $window = $this->session->getData(self::KEY);
        if (!is_array($window) || !isset($window['start'], $window['count'])
            || $now - (int) $window['start'] >= self::WINDOW_S || $now < (int) $window['start']) {
            $window = ['start' => $now, 'count' => 0];
        }
        $window['count'] = (int) $window['count'] + 1;
        $this->session->setData(self::KEY, $window);
        return $window['count'] <= self::LIMIT;
    }
}
