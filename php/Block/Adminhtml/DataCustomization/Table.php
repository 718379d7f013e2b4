<?php
declare(strict_types=1);

namespace XdmRelay\Connector\Block\Adminhtml\DataCustomization;

use Magento\Backend\Block\Template;
use XdmRelay\Connector\Model\DataCustomization\AttributeComparison;
use XdmRelay\Connector\Model\DataCustomization\Report;

/** The data customization tables of one report (the config page and the Refresh answer). */
class Table extends Template
{
    /**
     * @var string
     */
    protected $_template = 'XdmRelay_Connector::system/config/data_customization_table.phtml';

    /**
     * @var array|null
     */
    private ?array $report = null;

    /**
     * The report to show; null: none was made yet.
     *
     * @param array|null $report
     * @return $this
     */
    public function setReport(?array $report): self
    {
        $this->report = $report;
        return $this;
    }

    /**
     * The report shown.
     *
     * @return array|null
     */
    public function getReport(): ?array
    {
        return $this->report;
    }

    /**
     * How a status is shown.
     *
     * @param string $status
     * @return string
     */
    public function statusLabel(string $status): string
    {
        return AttributeComparison::LABELS[$status] ?? $status;
    }

    /**
     * The roles of a dataset as text, e.g. "event dataset, history dataset".
     *
     * @param string[] $roles
     * @return string
     */
    public function rolesLabel(array $roles): string
    {
        return implode(', ', array_map(static fn ($r) => Report::ROLES[$r] ?? $r, $roles));
    }
}
