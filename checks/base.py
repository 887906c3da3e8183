"""What every check receives: the observations of one crawl and a context.

Checks are pure functions ``check(obs, conf, ctx) -> Iterator[Finding]``: no
network, no clock (``ctx.as_of``), no store.  Thresholds come in ``conf``, the
rule's DEFAULTS merged with config.toml's ``[rules.<ID>]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from zwgk.records import (ColumnObs, DocumentObs, LinkCheck, LinkObs, ListItemObs, PageObs, Site,
                          Unit)
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


@dataclass
class CheckContext:
    as_of: date
    calendar: WorkdayCalendar
    # What a check could not judge, per rule: shown in the report, never a finding.
    unverified: dict[str, list[str]] = field(default_factory=dict)

    def could_not_verify(self, rule: str, what: str) -> None:
        self.unverified.setdefault(rule, []).append(what)


