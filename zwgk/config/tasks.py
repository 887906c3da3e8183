"""[[tasks]]: the 方案's tasks and their 牵头单位 (routing in reports.routing)."""
from __future__ import annotations

from typing import Any, Iterator

from zwgk.config import Field

CONFIG_ARRAYS = {
    "tasks": {
        "name": Field(str, required=True),
        "rules": Field(list, [], item_type=str, doc="rule IDs whose findings belong to the task"),
        "lead_units": Field(list, [], item_type=str, doc="the 牵头单位, names from [[units]]"),
    },
}


def validate(config: Any, rule_ids: tuple[str, ...] | None) -> Iterator[tuple[Any, ...]]:
    """A task's rules must exist and its 牵头单位 be [[units]] names."""
    units = {u.name for u in config.units}
    for i, task in enumerate(config.array("tasks")):
        for rule in task["rules"]:
            if rule_ids is not None and rule not in rule_ids:
                yield (("tasks", i, "rules"), f"unknown rule ID {rule!r}",
                       f"known: {', '.join(sorted(rule_ids))} (see `zwgk rules`)")
        for unit in task["lead_units"]:
            if unit not in units:
                yield (("tasks", i, "lead_units"), f"unit {unit!r} is not defined in [[units]]",
                       "use the name of a [[units]] entry")
