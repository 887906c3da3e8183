"""方案 tasks and their 牵头单位 (config [[tasks]]).

The county's 《政务公开工作实施方案》 assigns each task a 牵头单位.  A finding under one of
a task's rules goes to the unit that owns the column or account, and to the task's
牵头单位 as well (zwgk.assessment.by_unit).  Example::

    [[tasks]]
    name = "第26项 20个工作日内公开"
    rules = ["LAG001"]
    lead_units = ["县政府办公室"]
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from zwgk.config import Field

CONFIG_ARRAYS = {
    "tasks": {
        "name": Field(str, required=True),
        "rules": Field(list, [], item_type=str, doc="rule IDs whose findings belong to the task"),
        "lead_units": Field(list, [], item_type=str, doc="the 牵头单位, names from [[units]]"),
    },
}


def leads(finding: Any, tasks: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, str]]:
    """(牵头单位, task name) that a finding also goes to: its rule is one of the task's,
    and the lead unit is not the finding's own unit."""
    for task in tasks:
        if finding.rule in task["rules"]:
            for unit in task["lead_units"]:
                if unit != finding.unit:
                    yield unit, task["name"]


def validate(config: object) -> None:
    from checks import ALL_RULE_IDS

    units = {u.name for u in config.units}  # type: ignore[attr-defined]
    for i, task in enumerate(config.array("tasks")):  # type: ignore[attr-defined]
        for rule in task["rules"]:
            if rule not in ALL_RULE_IDS:
                raise ValueError((("tasks", i, "rules"), f"unknown rule ID {rule!r}"))
        for unit in task["lead_units"]:
            if unit not in units:
                raise ValueError((("tasks", i, "lead_units"), f"unit {unit!r} is not defined in [[units]]"))
