"""What every check receives: the observations of one crawl and a context.

Checks are pure functions ``check(obs, conf, ctx) -> Iterator[Finding]``: no
network, no clock (``ctx.as_of``), no store.  Thresholds come in ``conf``, the
rule's DEFAULTS merged with config.toml's ``[rules.<ID>]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from zwgk.records import (ColumnObs, DocumentObs, Finding, LinkCheck, LinkObs, LinkOutcome, ListItemObs,
                          PageObs, Site, Unit, Unverified)
from zwgk.workdays import WorkdayCalendar


@dataclass(frozen=True)
class Observations:
    run_id: int
    sites: tuple[Site, ...]
    units: tuple[Unit, ...]
    pages: tuple[PageObs, ...] = ()
    columns: tuple[ColumnObs, ...] = ()
    list_items: tuple[ListItemObs, ...] = ()
    documents: tuple[DocumentObs, ...] = ()
    links: tuple[LinkObs, ...] = ()
    link_checks: tuple[LinkCheck, ...] = ()   # history over complete runs, oldest first
    # Observed outside the crawl (loaded by pipeline.OBSERVATION_LOADERS):
    probes: tuple[Any, ...] = ()       # crawler.probes: homepage availability / IPv4 / IPv6 probes
    dns: tuple[Any, ...] = ()          # crawler.probes: A / AAAA / NS lookups of the sites' hosts
    ipv6_links: tuple[Any, ...] = ()   # crawler.probes: in-site links fetched over IPv6
    media: tuple[Any, ...] = ()        # crawler.media: 政务新媒体 account observations
    degraded: bool = False             # our own network failed during the run: no LNK/AVL/NET findings
    # Sites whose crawl was partial (network errors, a sharp drop against the previous complete
    # crawl), with why: structure and freshness (COL, UPD, LAG) are not judged for them.
    partial_sites: dict[str, str] = field(default_factory=dict)

    def site(self, site_id: str) -> Site | None:
        return next((s for s in self.sites if s.id == site_id), None)

    def owner(self, url: str | None, site_id: str) -> str | None:
        """The unit responsible for a URL: the longest configured column prefix, else the site's unit."""
        best = max((p for u in self.units for p in u.column_prefixes if url and url.startswith(p)),
                   key=len, default=None)
        if best is not None:
            return next(u.name for u in self.units if best in u.column_prefixes)
        site = self.site(site_id)
        return site.unit if site else None

    def column_name(self, url: str | None) -> str | None:
        if not url:
            return None
        return next((c.name for c in self.columns if c.url == url), None)


    def observed(self, finding: Finding) -> bool:
        """Was the subject of ``finding`` observed conclusively in these observations?

        Only then can the finding's absence mean 已整改.  A URL counts when this crawl
        fetched it with an answer, or a link check of this crawl ended OK or as a site
        failure (a timeout, a block or a DNS error says nothing); a column when its list
        was read; an account when its latest reading on the check day was readable; a site
        when its homepage was fetched.  A rule module may refine this with ``verifies``.
        """
        if self.degraded:
            return False
        if finding.rule.startswith(("AVL", "NET")):
            # judged from the probes, not the crawl: a gap in the probe rounds observes nothing
            return any(getattr(p, "site_id", None) == finding.site
                       for p in (*self.probes, *self.dns, *self.ipv6_links))
        subject = finding.url or finding.column
        if finding.site == "media" or finding.rule.startswith("MED"):
            readings = [m for m in self.media if getattr(m, "url", None) == finding.url]
            return bool(readings) and max(readings, key=lambda m: m.observed_at).outcome.readable
        if subject:
            if any(c.url == subject for c in self.columns):
                return True
            if any(p.url == subject and p.status is not None and p.status < 400 for p in self.pages):
                return True
            mine = [c for c in self.link_checks if c.url == subject and c.run_id == self.run_id]
            if mine:
                return mine[-1].outcome is LinkOutcome.OK or mine[-1].site_failure
            return False
        site = self.site(finding.site)
        return site is not None and any(
            p.url == site.url and p.status is not None and p.status < 400 for p in self.pages)


@dataclass
class CheckContext:
    as_of: date
    calendar: WorkdayCalendar
    # What a check could not judge: typed records, shown per unit, never a finding.
    unverified: list[Unverified] = field(default_factory=list)
    timezone: str = "Asia/Shanghai"   # [zwgk] timezone: times written into messages people read

    def local(self, moment: datetime) -> datetime:
        """``moment`` (UTC in the store) in the reader's time zone, for a message."""
        from zoneinfo import ZoneInfo

        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(ZoneInfo(self.timezone))

    def could_not_verify(self, rule: str, what: str, *, site: str | None = None, unit: str | None = None,
                         subject: str | None = None, reason: str | None = None) -> None:
        if reason is None:
            reason = "提醒" if what.startswith(("提醒", "预警")) else "无法核验"
        self.unverified.append(Unverified(rule, site, unit, subject, reason, what))

    def unverified_by_rule(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for u in self.unverified:
            out.setdefault(u.rule, []).append(u.detail)
        return out


