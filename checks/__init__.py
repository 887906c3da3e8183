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

from checks import (  # noqa: E402 - after base
    availability, homepage_freshness, news_column_freshness, notice_column_freshness, cadence_columns, empty_columns, platform_columns, subcolumns, annual_report, publication_lag, missing_doc_date, pub_before_doc, missing_pub_date, broken_links_home, broken_links, soft_404, attachments, ipv6_no_aaaa, ipv6_homepage, ipv6_consistency, ipv6_second_level, ipv6_third_level, ipv6_skylight, site_identity, domain_name, media_stale, media_unverifiable, media_zombie, media_duplicate, encoding,
    personal_data, serious_errors, hidden_links, external_content, homepage_tampering)

# In RULES.md order: a static registry (an unknown ID in config is an error).
_MODULES: tuple[ModuleType, ...] = (
    availability,                # AVL001
    homepage_freshness,          # UPD001
    news_column_freshness,       # UPD002
    notice_column_freshness,     # UPD003
    cadence_columns,             # UPD004
    empty_columns,               # UPD005
    platform_columns,            # COL001
    subcolumns,                  # COL002
    annual_report,               # COL003
    publication_lag,             # LAG001
    missing_doc_date,            # LAG002
    pub_before_doc,              # LAG003
    missing_pub_date,            # LAG004
    broken_links_home,           # LNK001
    broken_links,                # LNK002
    soft_404,                    # LNK003
    attachments,                 # LNK004
    ipv6_no_aaaa,                # NET001
    ipv6_homepage,               # NET002
    ipv6_consistency,            # NET003
    ipv6_second_level,           # NET004
    ipv6_third_level,            # NET005
    ipv6_skylight,               # NET006
    site_identity,               # SID001
    domain_name,                 # SID002
    media_stale,                 # MED001
    media_unverifiable,          # MED002
    media_zombie,                # MED003
    media_duplicate,             # MED004
    encoding,                    # ENC001
    personal_data,               # PRV001
    serious_errors,              # CNT001
    hidden_links,                # LNK005
    external_content,            # LNK006
    homepage_tampering,          # SEC001
)
ALL_RULE_IDS: tuple[str, ...] = tuple(m.ID for m in _MODULES)
REGISTRY: dict[str, ModuleType] = {m.ID: m for m in _MODULES}
DEFAULTS: dict[str, dict[str, Any]] = {m.ID: dict(m.DEFAULTS) for m in _MODULES}



# Rules that judge what a crawl found (or did not find): a partial crawl of a site says
# nothing about its structure or freshness.
NEEDS_COMPLETE_CRAWL = ("COL", "UPD", "LAG")


def run_checks(obs: Observations, rules: dict[str, dict[str, Any]], ctx: CheckContext) -> Iterator[Finding]:
    """Every registered check, with its DEFAULTS overridden by ``rules[ID]``.

    Findings of COL/UPD/LAG rules on a site whose crawl was partial become 无法核验."""
    retired = excluded_by_config(obs.sites)
    for rule_id, module in REGISTRY.items():
        conf = {**module.DEFAULTS, **rules.get(rule_id, {})}
        held: dict[str, int] = {}
        for finding in module.check(obs, conf, ctx):
            if retired(finding):
                continue   # a path the county retired ([crawl] exclude): not reported
            if rule_id.startswith(NEEDS_COMPLETE_CRAWL) and finding.site in obs.partial_sites:
                held[finding.site] = held.get(finding.site, 0) + 1
                continue
            yield finding
        for site, n in held.items():
            ctx.could_not_verify(rule_id, f"{site}: 本次抓取不完整（{obs.partial_sites[site]}），"
                                          f"{n} 项结构/更新判断暂不作出")
    ctx.unverified[:] = [u for u in ctx.unverified if not retired.under(u.subject)]


def excluded_by_config(sites: Any) -> Any:
    """finding -> whether its URL or column lies under a retired path ([crawl] exclude, or a
    site's own ``exclude``); matched against every site's list, as the crawler does."""
    prefixes = tuple(dict.fromkeys(p for s in sites for p in getattr(s, "exclude", ())))

    class Retired:
        def under(self, url: str | None) -> bool:
            return bool(prefixes) and bool(url) and url.startswith(prefixes)   # type: ignore[union-attr]

        def __call__(self, finding: Finding) -> bool:
            return self.under(finding.url) or self.under(finding.column)
    return Retired()


def verifies(obs: Observations, finding: Finding) -> bool:
    """Could this check have seen ``finding`` again?  Its rule's ``verifies`` when it has one,
    else whether the subject was observed conclusively (Observations.observed).  Never on a
    site whose crawl was partial, for the rules a partial crawl does not judge."""
    if finding.rule.startswith(NEEDS_COMPLETE_CRAWL) and finding.site in obs.partial_sites:
        return False    # a partial crawl judges no structure or freshness: nothing is 已整改 from it
    module = REGISTRY.get(finding.rule)
    own = getattr(module, "verifies", None)
    return bool(own(obs, finding)) if own else obs.observed(finding)


__all__ = ["ALL_RULE_IDS", "verifies", "DEFAULTS", "REGISTRY", "excluded_by_config", "CheckContext", "Observations", "run_checks"]
