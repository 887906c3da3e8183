"""The checks: one module per rule of docs/RULES.md, in an explicit registry.

Each module has ID, NAME, TITLE, SEVERITY, READS, DEFAULTS and a pure
``check(obs, conf, ctx)``.  Adding a rule means one module here, one test file
and (for a threshold) one key in config.toml.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator

from checks import (broken_links, broken_links_home, empty_columns, missing_doc_date,
                    platform_columns, pub_before_doc, publication_lag)
from checks.base import CheckContext, Observations
from zwgk.records import Finding

_MODULES: list[ModuleType] = [publication_lag, missing_doc_date, pub_before_doc, platform_columns,
                              empty_columns, broken_links_home, broken_links]
REGISTRY: dict[str, ModuleType] = {m.ID: m for m in _MODULES}


def run_checks(obs: Observations, rules: dict[str, dict[str, Any]], ctx: CheckContext) -> Iterator[Finding]:
    """Every registered check, with its DEFAULTS overridden by ``rules[ID]``."""
    for rule_id, module in REGISTRY.items():
        conf = {**module.DEFAULTS, **rules.get(rule_id, {})}
        yield from module.check(obs, conf, ctx)


__all__ = ["REGISTRY", "CheckContext", "Observations", "run_checks"]
