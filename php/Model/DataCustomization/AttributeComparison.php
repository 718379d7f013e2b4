<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Model\DataCustomization;

/**
 * The store's custom attributes beside the fields a dataset's schema declares for them.
 *
 * Pure: names in, rows out. AEP field names are case-sensitive, so a name that differs only in
 * case is as lost as a missing one; it gets its own status because its fix is a rename.
 */
class AttributeComparison
{
    public const MATCH = 'match';
    public const CASE_ONLY = 'case_only';
    public const MISSING_IN_SCHEMA = 'missing_in_schema';
    public const MISSING_IN_STORE = 'missing_in_store';

    /**
     * How the admin table and the command show each status.
     */
    public const LABELS = [
        self::MATCH => '✓ match',
        self::CASE_ONLY => 'case differs',
        self::MISSING_IN_SCHEMA => 'missing in schema',
        self::MISSING_IN_STORE => 'not sent by the store',
    ];

    /**
     * One row per name on either side, the store's names first in their configured order.
     *
     * @param string[] $configured the attributes the store sends
     * @param string[]|null $declared the schema's tenant fields there; null: the schema lacks the object
     * @param string $place where they go, e.g. commerce.order._acme
     * @param string $setting the admin setting that lists the store's side
     * @return list<array{store: ?string, schema: ?string, status: string, hint: string}>
     */
    public function compare(array $configured, ?array $declared, string $place, string $setting): array
    {
        $rows = [];
        $schemaLeft = [];
        foreach ($declared ?? [] as $name) {
            $schemaLeft[$name] = true;
        }
        foreach (array_values(array_unique($configured)) as $name) {
            if (isset($schemaLeft[$name])) {
                unset($schemaLeft[$name]);
                $rows[] = ['store' => $name, 'schema' => $name, 'status' => self::MATCH, 'hint' => ''];
                continue;
            }
            $caseTwin = $this->caseTwin($name, array_keys($schemaLeft));
            if ($caseTwin !== null) {
                unset($schemaLeft[$caseTwin]);
                $rows[] = [
                    'store' => $name,
                    'schema' => $caseTwin,
                    'status' => self::CASE_ONLY,
                    'hint' => sprintf(
                        'Names are case-sensitive: AEP drops %s. '
                        . 'Rename the schema field or the store attribute so both read the same.',
                        $name
                    ),
                ];
                continue;
            }
            $rows[] = [
                'store' => $name,
                'schema' => null,
                'status' => self::MISSING_IN_SCHEMA,
                'hint' => $declared === null
                    ? sprintf(
                        'The schema has no %s object: add the Commerce field group and a tenant field group with %s.',
                        $this->parent($place),
                        $name
                    )
                    : sprintf('Add a field %s under %s in the schema, or AEP drops it.', $name, $place),
            ];
        }
        foreach (array_keys($schemaLeft) as $name) {
            $rows[] = [
                'store' => null,
                'schema' => (string) $name,
                'status' => self::MISSING_IN_STORE,
                'hint' => sprintf(
                    'The schema declares it but the store does not send it: add it to %s if the store has it.',
                    $setting
                ),
            ];
        }
        return $rows;
    }

    /**
     * The declared name that equals $name but for case.
     *
     * @param string $name
     * @param array $declared
     * @return string|null
     */
    private function caseTwin(string $name, array $declared): ?string
    {
        foreach ($declared as $candidate) {
            if (strcasecmp((string) $candidate, $name) === 0) {
                return (string) $candidate;
            }
        }
        return null;
    }

    /**
     * The object that holds the tenant namespace, e.g. commerce.order.
     *
     * @param string $place
     * @return string
     */
    private function parent(string $place): string
    {
        $dot = strrpos($place, '.');
        return $dot === false ? $place : substr($place, 0, $dot);
    }
}
