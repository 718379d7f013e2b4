<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\Storefront\Beacon;

use Laminas\Uri\Exception\ExceptionInterface as UriException;
use Laminas\Uri\Http as HttpUri;

/**
 * The web origin of a URL, for comparing a page or an Origin header with the store's base URL.
 */
class Origin
{
    /**
     * The origin (scheme://host[:port], lower-cased, default port dropped) of an absolute http(s) URL.
     *
     * @param string $url
     * @return string|null null when $url is not an absolute http(s) URL
     */
    public function of(string $url): ?string
    {
        try {
            $uri = new HttpUri($url);
        } catch (UriException $e) {
            return null;
        }
        $scheme = strtolower((string) $uri->getScheme());
        $host = strtolower((string) $uri->getHost());
        if (($scheme !== 'http' && $scheme !== 'https') || $host === '') {
            return null;
        }
        $port = (int) $uri->getPort();
        $default = $scheme === 'https' ? 443 : 80;
        return $scheme . '://' . $host . ($port !== 0 && $port !== $default ? ':' . $port : '');
    }
}
