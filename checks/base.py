"""What every check receives: the observations of one crawl and a context.

Checks are pure functions ``check(obs, conf, ctx) -> Iterator[Finding]``: no
network, no clock (``ctx.as_of``), no store.  Thresholds come in ``conf``, the
rule's DEFAULTS merged with config.toml's ``[rules.<ID>]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from typing import Any, Callable

from zwgk.records import (ColumnObs, DocumentObs, Finding, LinkCheck, LinkObs, LinkOutcome, ListItemObs,
                          PageObs, Site, Unit, Unverified)
from zwgk.records.content import (AttachmentScan, ExternalPageObs, HiddenLinkObs, HomepageTextObs, PersonalDataObs,
                                  PhraseObs)
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
    # What the crawler saw in pages' and attachments' text (zwgk.records.content, zwgk.store.content):
    personal_data: tuple[PersonalDataObs, ...] = ()   # masked personal numbers (PRV001)
    hidden_links: tuple[HiddenLinkObs, ...] = ()      # anchors hidden by style, pointing outside (LNK005)
    phrases: tuple[PhraseObs, ...] = ()               # watched phrases found (CNT001)
    attachment_scans: tuple[AttachmentScan, ...] = () # attachments read for their text, or why not
    external_pages: tuple[ExternalPageObs, ...] = ()  # external link targets' content classes (LNK006)
    homepage_texts: tuple[HomepageTextObs, ...] = ()  # this crawl's homepages' text (SEC001)
    homepage_baselines: tuple[HomepageTextObs, ...] = ()  # per site, the latest earlier clean homepage
    degraded: bool = False             # our own network failed during the run: no LNK/AVL/NET findings
    # Sites whose crawl was partial (network errors, a sharp drop against the previous complete
    # crawl), with why: structure and freshness (COL, UPD, LAG) are not judged for them.
    partial_sites: dict[str, str] = field(default_factory=dict)

    def site(self, site_id: str) -> Site | None:
        return next((s for s in self.sites if s.id == site_id), None)

    def owner(self, url: str | None, site_id: str) -> str | None:
        """The unit responsible for a URL: the longest configured column prefix (an override),
        else the unit whose platform entry the crawl reached it from, else the site's unit."""
        by_prefix = self.prefix_owner(url)
        if by_prefix is not None:
            return by_prefix
        reached = self.reached_from(url)
        if reached is not None:
            return reached
        site = self.site(site_id)
        return site.unit if site else None

    def prefix_owner(self, url: str | None) -> str | None:
        best = max((p for u in self.units for p in u.column_prefixes if url and url.startswith(p)),
                   key=len, default=None)
        if best is None:
            return None
        return next(u.name for u in self.units if best in u.column_prefixes)

    # -- ownership by reachability -----------------------------------------------------
    # A column belongs to the unit whose platform entry the crawl reached it from: each stored
    # page keeps the page it was first found on (its referrer), so walking referrers up from a
    # column ends at a unit's platform entry, at the homepage, or at a start URL.  This holds on
    # TRS (/zwgk/xz/dhjz/...) and Hanweb (/col/colN/ beside the entry, not under it) alike.
    @cached_property
    def _referrers(self) -> dict[str, str | None]:
        out: dict[str, tuple[int, str | None]] = {}
        for p in self.pages:
            key = page_key(p.url)
            ref = page_key(p.referrer) if p.referrer else None
            if ref == key:
                continue
            if key not in out or p.depth < out[key][0]:
                out[key] = (p.depth, ref)
        return {k: ref for k, (_, ref) in out.items()}

    @cached_property
    def _doc_columns(self) -> dict[str, str]:
        return {page_key(d.url): page_key(d.column_url) for d in self.documents if d.column_url}

    @cached_property
    def _platform_units(self) -> dict[str, str]:
        return {page_key(u.platform): u.name for u in self.units if u.platform}

    @cached_property
    def _reached_cache(self) -> dict[str, str | None]:
        return {}

    def reached_from(self, url: str | None) -> str | None:
        """The unit whose platform entry the crawl reached ``url`` from, or None."""
        if not url or not self._platform_units:
            return None
        start = page_key(url)
        cache = self._reached_cache
        if start in cache:
            return cache[start]
        path: list[str] = []
        current: str | None = start
        if start not in self._referrers and start not in self._platform_units:
            current = self._doc_columns.get(start, start)   # a document not fetched this run: its column
        found: str | None = None
        while current is not None and current not in path and len(path) < 64:
            if current in cache:
                found = cache[current]
                break
            path.append(current)
            if current in self._platform_units:
                found = self._platform_units[current]
                break
            current = self._referrers.get(current)
        for visited in path:
            cache[visited] = found
        return found

    def unit_areas(self, unit: Unit) -> list[tuple[str, Callable[[str], bool]]]:
        """Where a unit's 信息公开 columns are: (the URL a finding names, a test of a URL), one
        per column prefix, or the platform entry with what it reaches (prefixes take precedence)."""
        areas: list[tuple[str, Callable[[str], bool]]] = [(p, _starts_with(p)) for p in unit.column_prefixes]
        if not areas and unit.platform:
            def reached(u: str) -> bool:
                return self.prefix_owner(u) is None and self.reached_from(u) == unit.name
            areas.append((unit.platform, reached))
        return areas

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


_INDEX_PAGES = ("index.html", "index.htm", "index.shtml", "index.jhtml", "default.html", "default.htm")


def page_key(url: str) -> str:
    """A page's URL for comparison: no fragment, a folder's index page as the folder."""
    url = url.split("#", 1)[0]
    for name in _INDEX_PAGES:
        if url.endswith("/" + name):
            return url[: -len(name)]
    return url


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


def _starts_with(prefix: str) -> Callable[[str], bool]:
    def inside(url: str) -> bool:
        return url.startswith(prefix)
    return inside
