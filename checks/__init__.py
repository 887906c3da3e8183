"""The checks: one module per rule of docs/RULES.md, in an explicit registry.

Each module has ID, NAME, TITLE, SEVERITY, READS, DEFAULTS, SOURCE and a pure
``check(obs, conf, ctx)``.  Adding a rule means one module here, one test file
and (for a threshold) one key in config.toml.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import Finding

# In RULES.md order.  Every rule of RULES.md has its module name here; a module
# not written yet is skipped (and `zwgk testbed check` lists its rule as missing).
MODULES = (
    "availability",              # AVL001
    "homepage_freshness",        # UPD001
    "news_column_freshness",     # UPD002
    "notice_column_freshness",   # UPD003
    "cadence_columns",           # UPD004
    "empty_columns",             # UPD005
    "platform_columns",          # COL001
    "subcolumns",                # COL002
    "annual_report",             # COL003
    "publication_lag",           # LAG001
    "missing_doc_date",          # LAG002
    "pub_before_doc",            # LAG003
    "missing_pub_date",          # LAG004
    "broken_links_home",         # LNK001
    "broken_links",              # LNK002
    "soft_404",                  # LNK003
    "attachments",               # LNK004
    "ipv6_no_aaaa",              # NET001
    "ipv6_homepage",             # NET002
    "ipv6_consistency",          # NET003
    "ipv6_second_level",         # NET004
    "ipv6_third_level",          # NET005
    "ipv6_skylight",             # NET006
    "site_identity",             # SID001
    "domain_name",               # SID002
    "media_stale",               # MED001
    "media_unverifiable",        # MED002
    "media_zombie",              # MED003
    "media_duplicate",           # MED004
    "encoding",                  # ENC001
)
ALL_RULE_IDS = ("AVL001", "UPD001", "UPD002", "UPD003", "UPD004", "UPD005", "COL001", "COL002", "COL003",
                "LAG001", "LAG002", "LAG003", "LAG004", "LNK001", "LNK002", "LNK003", "LNK004",
                "NET001", "NET002", "NET003", "NET004", "NET005", "NET006", "SID001", "SID002",
                "MED001", "MED002", "MED003", "MED004", "ENC001")


def _load() -> dict[str, ModuleType]:
    from zwgk.components import present

    return {module.ID: module for module in present(f"checks.{name}" for name in MODULES)}


REGISTRY: dict[str, ModuleType] = _load()


def run_checks(obs: Observations, rules: dict[str, dict[str, Any]], ctx: CheckContext) -> Iterator[Finding]:
    """Every registered check, with its DEFAULTS overridden by ``rules[ID]``."""
    for rule_id, module in REGISTRY.items():
        conf = {**module.DEFAULTS, **rules.get(rule_id, {})}
        yield from module.check(obs, conf, ctx)


__all__ = ["ALL_RULE_IDS", "REGISTRY", "CheckContext", "Observations", "run_checks"]
