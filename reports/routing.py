"""Routing: 方案 tasks and their 牵头单位 (config [[tasks]], zwgk.config.tasks).

The county's 《政务公开工作实施方案》 assigns each task a 牵头单位.  A finding under one of
a task's rules goes to the unit that owns the column or account, and to the task's
牵头单位 as well (reports.assessment.by_unit).  Example::

    [[tasks]]
    name = "第26项 20个工作日内公开"
    rules = ["LAG001"]
    lead_units = ["县政府办公室"]
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping


def leads(finding: Any, tasks: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, str]]:
    """(牵头单位, task name) that a finding also goes to: its rule is one of the task's,
    and the lead unit is not the finding's own unit."""
    for task in tasks:
        if finding.rule in task["rules"]:
            for unit in task["lead_units"]:
                if unit != finding.unit:
                    yield unit, task["name"]
