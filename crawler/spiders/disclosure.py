"""The one generic spider: column tree, list pages, documents and every link.

It only observes.  Each fetched page becomes a PageObs; column list pages
yield their entries (ListItemObs); detail pages a DocumentObs with both dates
and where each came from; every link on every page a LinkObs; and every URL
requested (page or link target) a LinkCheck with its outcome.  Judging any of
this is the checks' business.

Incremental and resumable (see crawler.pipelines.CrawlMemory):
- a page the previous complete crawl saw as a document or attachment is carried
  forward (its records copied into this run, its links followed) without a request;
- list and navigation pages are asked for with If-None-Match / If-Modified-Since; when
  the page did not change (304, or the same content hash) the stored body is parsed and
  the column's further list pages are replayed from the store too;
- a link whose last check within ``link_cache_hours`` was OK is not checked again;
- a resumed run replays what it stored before it was killed instead of fetching it.
A page's own PageObs is always the last record yielded for it (the pipeline relies on it).
"""
from __future__ import annotations

import hashlib
import re
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, AsyncIterator, Iterable, Iterator
from urllib.parse import urldefrag, urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (CannotResolveHostError, DontCloseSpider, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest)
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.internet.error import (ConnectError, ConnectionRefusedError, DNSLookupError,
                                    TCPTimedOutError, TimeoutError)
from twisted.python.failure import Failure

from crawler import profiles
from crawler.content import ContentObserver
from crawler.extract import content_type_charset, decode_html, extract_detail, extract_list
from crawler.items import Capture, DocumentObs, LinkCheck, LinkObs, ListItemObs, PageObs
from crawler.page_content import visible_text
from crawler.personal_data import mask_text
from crawler.pipelines import CachedPage, CrawlMemory
from zwgk.clock import utcnow as now
from zwgk.records import BLOCKED_STATUSES, LinkOutcome, Site
from zwgk.records.content import AttachmentOutcome, AttachmentScan, PersonalDataObs
from zwgk.records.probes import ResolveStatus

# Pages we follow and parse; anything else in-site (attachments, images) is only checked.
HTML_SUFFIXES = ("", ".htm", ".html", ".shtml", ".jhtml", ".jsp", ".php", ".asp", ".aspx", ".do")
EMPTY_MARKERS = ("暂无信息", "暂无内容", "暂无数据", "暂无记录", "没有相关信息", "无相关信息", "没有找到相关")
LINK_ELEMENTS = {"a": "href", "area": "href", "img": "src", "script": "src", "link": "href",
                 "iframe": "src", "embed": "src", "source": "src"}
# How recently our resolver must have given an address for another name, and another host
# must have answered over HTTP, for an NXDOMAIN or a refused connection to count as the
# site's (LinkCheck.healthy); the connectivity watch resolves every control_interval seconds.
HEALTH_WINDOW = 120.0
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Every status reaches the callbacks except redirects, which RedirectMiddleware must follow
# (meta handle_httpstatus_all would switch redirects off altogether).
HANDLED_STATUSES = [s for s in range(300, 600) if s not in REDIRECT_STATUSES]
# A 200 page saying it does not exist, judged by the page as a whole: its title (or first
# heading) is nothing but a not-found message, or it is a short page whose text says so.  A
# "404" inside a title is not enough: 〔2024〕404号, 第404号, 404户脱贫户, G404国道 are documents.
SOFT_404_PHRASES = ("页面不存在", "您访问的页面不存在", "页面已删除", "页面未找到", "找不到页面", "页面找不到",
                    "信息不存在", "文章不存在", "该信息已删除", "信息已被删除", "内容已删除", "页面已失效")
# What a not-found title is made of besides the phrases: the status, and the politeness around it.
NOT_FOUND_TOKENS = re.compile(r"(?<![0-9a-z])404(?![0-9a-z])|not\s*found|file|page|error|http|抱歉|对不起|sorry|"
                              r"提示信息|系统提示|提示|错误|出错了|页面|网页|您所?要?访问的|或|已被|已|被|删除|的|了", re.I)
NOT_FOUND_MARKERS = re.compile(r"(?<![0-9a-z])404(?![0-9a-z])|not\s*found|" + "|".join(SOFT_404_PHRASES), re.I)
TITLE_PARTS = re.compile(r"\s*(?:_+|\||｜|\s-\s|\s—\s|--)\s*")


def not_found_message(text: str) -> str | None:
    """The not-found marker when ``text`` (a title or heading) says nothing else, else None.

    "404 Not Found", "页面不存在_某县人民政府", "抱歉，您访问的页面不存在！" are such messages;
    "关于…的通知（积政发〔2024〕404号）" and "全县404户脱贫户…" are not: words remain.
    """
    for part in TITLE_PARTS.split(text.strip()):
        marker = NOT_FOUND_MARKERS.search(part)
        if marker is None:
            continue
        rest = part
        for phrase in sorted(SOFT_404_PHRASES, key=len, reverse=True):
            rest = rest.replace(phrase, "")
        rest = NOT_FOUND_TOKENS.sub("", rest)
        if not re.sub(r"[\W_]+", "", rest):
            return marker.group(0)
    return None


SHORT_PAGE_CHARS = 600
BLOCK_PAGE_MARKERS = ("拦截", "防火墙", "安全狗", "云盾", "访问受限", "禁止访问", "waf", "access denied")
HOME_PATHS = ("", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php",
              "/default.htm", "/default.html", "/default.aspx", "/default.asp")
LIST_KINDS = ("home", "entry", "listpage")
# Request priority lost per hop from the homepage: more than the spread of the kinds' own
# priorities (list pages 10, entries 5, pages 0, link checks -10).
DEPTH_STEP = 25
# Further list pages of an unchanged column are replayed from the store, but fetched again
# when the stored copy is older than this: a document deleted deep in a list shows up then.
LIST_REVERIFY = timedelta(days=7)




@dataclass
class SiteState:
    site: Site
    hosts: frozenset[str]
    pages_scheduled: int = 0
    seen: set[str] = field(default_factory=set)          # page keys (profiles.page_key)
    # The site's CMS family: named in config, else detected on its homepage and entry pages.
    profile: profiles.Profile | None = None
    profile_how: str | None = None                         # "config" | "detected"
    profile_evidence: tuple[str, ...] = ()
    query_variants: dict[str, set[str]] = field(default_factory=dict)   # path -> queries seen


@dataclass(frozen=True)
class TrapLimits:
    """Crawler-trap guards for links followed generically (not list items or pagination)."""

    max_query_variants: int = 30      # distinct query strings of one path (calendars, filters)
    max_path_segments: int = 12
    max_segment_repeats: int = 3      # /a/b/a/b/a/… from relative links gone wrong


class DisclosureSpider(scrapy.Spider):
    name = "disclosure"

    def __init__(self, sites: list[Site], run_id: int, max_pages: int = 5000, max_depth: int = 8,
                 check_external: bool = True, recheck_failed: bool = True, memory: CrawlMemory | None = None,
                 traps: TrapLimits | None = None, max_list_pages: int = 0,
                 content: ContentObserver | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_list_pages = max_list_pages        # per column and crawl; 0 = every list page
        self.list_pages: dict[str, int] = {}       # column URL -> list pages scheduled
        self.capped_columns: set[str] = set()
        # Page keys each cap kept from being fetched (a key later fetched on a shorter path or
        # after all does not count: see unfetched_by_cap).
        self.unfetched: dict[str, set[str]] = {"max_depth": set(), "max_pages_per_site": set(),
                                               "max_list_pages_per_column": set()}
        self.scheduled_keys: set[str] = set()
        self.run_id = run_id
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.check_external = check_external
        self.recheck_failed = recheck_failed
        self.memory = memory or CrawlMemory(run_id)
        # PRV001 / LNK005 / CNT001 observations of pages and attachments (crawler.content).
        self.content = content or ContentObserver(run_id)
        self.content.known_hashes = {**self.memory.read_hashes, **self.content.known_hashes}
        self.attachments_seen: set[str] = set()
        self.externals_seen: set[str] = set()
        self.traps = traps or TrapLimits()
        self.sites = [SiteState(s, frozenset({_host(s.url), *(_host(u) for u in s.start_urls), *s.hosts}),
                                profile=profiles.get(s.cms), profile_how="config" if s.cms else None)
                      for s in sites]
        self.homes = {s.url for s in sites}
        # Retired paths ([crawl] exclude and each site's own): matched on any host, so that a
        # portal's link into a department's retired folder is skipped too.
        self.exclude = tuple(dict.fromkeys(p for s in sites for p in getattr(s, "exclude", ())))
        self.checked: set[str] = set()          # every URL gets one check per run (plus one recheck)
        self.failed: dict[str, str] = {}       # url -> site_id of URLs whose check failed
        self.answered_at: dict[str, float] = {}  # host:port -> time.time() of its last HTTP answer
        self.rechecked = False
        self.replays: deque[tuple[str, Any, dict[str, Any]]] = deque()
        self.draining = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "DisclosureSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def count(self, key: str, n: int = 1) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(f"zwgk/{key}", n)

    # -- scheduling ------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for state in self.sites:
            for item in self.visit(state, state.site.url, kind="home", depth=0, referrer=None)[1]:
                yield item
            for url in state.site.start_urls:
                for item in self.visit(state, url, kind="entry", depth=0, referrer=None)[1]:
                    yield item
        for item in self.drain():
            yield item

    def site_of(self, url: str) -> SiteState | None:
        host = _host(url)
        return next((s for s in self.sites if host in s.hosts), None)

    def trap_reason(self, state: SiteState, url: str) -> str | None:
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.traps.max_path_segments:
            return f"crawler trap: {len(segments)} path segments (more than {self.traps.max_path_segments})"
        for seg in set(segments):
            if segments.count(seg) > self.traps.max_segment_repeats:
                return f"crawler trap: path segment {seg!r} repeated {segments.count(seg)} times"
        if parts.query:
            variants = state.query_variants.setdefault(parts.path, set())
            if parts.query not in variants and len(variants) >= self.traps.max_query_variants:
                return (f"crawler trap: more than {self.traps.max_query_variants} query variants of "
                        f"{parts.path or '/'}")
            variants.add(parts.query)
        return None

    def visit(self, state: SiteState, url: str, *, kind: str, depth: int, referrer: str | None,
              column_url: str | None = None, list_date: Any = None, priority: int = 0,
              encoding: str = "utf-8", parent_unchanged: bool = False) -> tuple[bool, list[Any]]:
        """Schedule one in-site page: a request, a replay from the store, or nothing.

        Returns (taken, things to yield).  Not taken: seen already, or over the page cap.
        """
        key = profiles.page_key(url)
        if key in state.seen:
            return False, []
        if kind == "page":
            trap = self.trap_reason(state, url)
            if trap:
                state.seen.add(key)
                self.checked.add(url)
                self.count("excluded_traps")
                return True, [LinkCheck(self.run_id, url, LinkOutcome.EXCLUDED, None, trap, now())]
        if state.pages_scheduled >= self.max_pages:
            self.unfetched["max_pages_per_site"].add(key)
            return False, []
        state.seen.add(key)
        self.scheduled_keys.add(key)
        state.pages_scheduled += 1
        self.checked.add(url)
        meta = {"handle_httpstatus_list": HANDLED_STATUSES, "site_id": state.site.id, "kind": kind,
                "zwgk_depth": depth, "referrer": referrer, "column_url": column_url, "list_date": list_date,
                "check_url": url, "encoding": encoding}
        if not self.obeys_robots(state.site):
            meta["dont_obey_robotstxt"] = True
        mem = self.memory
        cached = mem.page_cache.get(url)
        if mem.resumed and url in mem.done_pages:
            # This run stored the page before it was killed: replay, never fetch twice.
            if cached is not None and cached.run_id == self.run_id:
                self.replays.append(("cache", cached, {**meta, "unchanged": True, "resumed": True}))
            else:
                self.replays.append(("carry", url, meta))
            return True, []
        if kind not in LIST_KINDS and url in mem.leaf_pages and self.can_carry(url, list_date):
            self.replays.append(("carry", url, meta))
            return True, []
        if (kind == "listpage" and parent_unchanged and cached is not None
                and cached.fetched_at >= now() - LIST_REVERIFY):
            self.replays.append(("cache", cached, {**meta, "unchanged": True}))
            return True, []
        headers = {}
        if cached is not None and cached.run_id != self.run_id:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
            meta["conditional"] = True
        # Our own seen-sets deduplicate; Scrapy's filter would silently drop a redirect to a
        # page fetched before (a deep link sent to the homepage) and leave no outcome.
        # Breadth first: a shallower page always goes before a deeper one of its kind, so a page
        # is first met on its shortest path and max_depth cuts by distance, not by crawl order.
        # Pagination keeps its page's depth (a long 下一页 chain is one hop from its column).
        priority -= DEPTH_STEP * depth
        return True, [scrapy.Request(url, callback=self.parse_page, errback=self.on_error, priority=priority,
                                     headers=headers or None, dont_filter=True, encoding=encoding, meta=meta)]

    def detect_profile(self, state: SiteState, url: str, html: str) -> None:
        """The site's CMS family from its homepage (and entry pages, while nothing was found)."""
        if state.profile is not None and state.profile is not profiles.GENERIC:
            return
        found = profiles.detect(url, html)
        if state.profile is None or found.profile is not profiles.GENERIC:
            state.profile, state.profile_how, state.profile_evidence = found.profile, "detected", found.evidence

    def unfetched_by_cap(self) -> dict[str, int]:
        """How many distinct pages each cap left unfetched in this crawl."""
        return {cap: len(keys - self.scheduled_keys) for cap, keys in self.unfetched.items()}

    def cms_summary(self) -> dict[str, dict[str, Any]]:
        """Per site: the CMS profile used, whether config named it or it was detected, and why."""
        return {s.site.id: {"cms": (s.profile or profiles.GENERIC).name, "how": s.profile_how or "detected",
                            "evidence": list(s.profile_evidence)} for s in self.sites}

    def obeys_robots(self, site: Site | None) -> bool:
        """The site's own robots.txt policy, else [crawl] obey_robots_txt (also for external links)."""
        default = self.crawler.settings.getbool("ZWGK_OBEY_ROBOTS_DEFAULT", True) if hasattr(self, "crawler") else True
        return default if site is None or site.obey_robots_txt is None else site.obey_robots_txt

    def can_carry(self, url: str, list_date: Any) -> bool:
        doc = self.memory.documents.get(url)
        # A list date that changed may change the document's dates: fetch it again.
        return doc is None or list_date is None or doc.list_date == list_date

    def link_check_request(self, url: str, site_id: str, method: str = "HEAD", recheck: bool = False,
                           encoding: str = "utf-8", external: bool = False) -> scrapy.Request:
        return scrapy.Request(
            url, method=method, callback=self.on_link_checked, errback=self.on_error,
            dont_filter=True, priority=-10, encoding=encoding,
            meta={"handle_httpstatus_list": HANDLED_STATUSES, "site_id": site_id, "check_url": url,
                  "link_only": True, "recheck": recheck, "encoding": encoding, "external": external})

    # -- replays -----------------------------------------------------------------------
    def drain(self) -> Iterator[Any]:
        """Carry forward / replay queued pages; iterative, as carried pages queue more."""
        if self.draining:
            return
        self.draining = True
        try:
            while self.replays:
                how, what, meta = self.replays.popleft()
                if how == "carry":
                    yield from self.carry(what, meta)
                else:
                    yield from self.parse_page(self.cached_response(what, meta), drain=False)
        finally:
            self.draining = False

    def cached_response(self, cached: CachedPage, meta: dict[str, Any]) -> HtmlResponse:
        request = scrapy.Request(cached.url, meta={**meta, "from_cache": True, "cached": cached},
                                 dont_filter=True)
        headers = {"Content-Type": cached.content_type} if cached.content_type else {}
        return HtmlResponse(cached.final_url, status=200, headers=headers, body=cached.body, request=request)

    def carry(self, url: str, meta: dict[str, Any]) -> Iterator[Any]:
        """Copy a page the store already has into this run, and follow its links."""
        mem = self.memory
        page = mem.leaf_pages.get(url) or mem.done_pages[url]
        state = next(s for s in self.sites if s.site.id == meta["site_id"])
        own = page.run_id == self.run_id
        self.count("pages_resumed" if own else "pages_carried")
        doc = mem.documents.get(url)
        if doc is not None and not own:
            yield replace(doc, run_id=self.run_id, column_url=meta.get("column_url"),
                          list_date=meta.get("list_date"))
        links = mem.links.get(url, [])
        if not own:
            yield from (replace(link, run_id=self.run_id) for link in links)
            yield from (replace(o, run_id=self.run_id) for o in mem.content.get(url, ())
                        if not isinstance(o, AttachmentScan))
        yield from self.follow(state, url, links, meta["zwgk_depth"], page.encoding or "utf-8")
        if not own:
            yield replace(page, run_id=self.run_id, referrer=meta.get("referrer"), depth=meta["zwgk_depth"],
                          column_url=page.column_url if page.kind == "column" else None)

    # -- outcomes ---------------------------------------------------------------------
    def outcome_of(self, response: Response, html: str | None = None,
                   replayed: CachedPage | None = None) -> LinkCheck:
        meta = response.meta
        url = meta["check_url"]
        status = response.status
        if not meta.get("from_cache"):
            self.answered_at[_netloc(response.url)] = time.time()
        details = []
        if response.url != url:
            details.append(response.url)
        if 200 <= status < 300:
            outcome = LinkOutcome.OK
            soft = soft_404_reason(url, response.url, meta.get("redirect_urls"), html)
            if soft:
                outcome = LinkOutcome.SOFT_404
                details.append(soft)
        elif status == 304:
            outcome = LinkOutcome.OK
            details.append("not modified")
            if replayed is not None:
                # A 304 says "as before": the outcome class is the stored copy's (a soft 404
                # answered 304 is still a soft 404).
                charset = re.search(r"charset=([\w-]+)", replayed.content_type or "")
                body, _, _ = decode_html(replayed.body, charset.group(1) if charset else None)
                redirects = [url] if replayed.final_url != url else None
                soft = soft_404_reason(url, replayed.final_url, redirects, body)
                if soft:
                    outcome = LinkOutcome.SOFT_404
                    details.append(soft)
        elif 300 <= status < 400:
            # RedirectMiddleware hands a 3xx over only without a usable Location.
            outcome = LinkOutcome.BROKEN
            details.append("redirect without a usable Location")
        elif status in BLOCKED_STATUSES:
            outcome = LinkOutcome.BLOCKED
            text = response.body[:4000].decode("utf-8", "replace").lower() if response.body else ""
            if any(m in text for m in BLOCK_PAGE_MARKERS):
                details.append("block page")
        else:
            outcome = LinkOutcome.BROKEN
        if meta.get("zwgk_detail"):
            details.append(meta["zwgk_detail"])
        self.count(f"outcome/{outcome.value}")
        return LinkCheck(self.run_id, url, outcome, status, "; ".join(details) or None, now())

    def record(self, check: LinkCheck, site_id: str) -> Iterator[LinkCheck]:
        if check.outcome not in (LinkOutcome.OK, LinkOutcome.EXCLUDED):
            self.failed[check.url] = site_id
        else:
            self.failed.pop(check.url, None)
        # Resumed: a check the killed attempt already stored is not stored twice.
        if check.url not in self.memory.checked_here or self.rechecked:
            yield check

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        url = request.meta["check_url"]
        outcome, detail = classify_failure(failure)
        dns = None
        if outcome is LinkOutcome.DNS_ERROR:
            detail = dns_detail(request.url, detail)
            dns = dns_verdict(request.url)
        refused = outcome is LinkOutcome.CONNECT_ERROR and is_refused(failure)
        healthy = self.our_side_healthy(request.url, dns=not refused) if dns is not None or refused else None
        self.count(f"outcome/{outcome.value}")
        yield from self.record(LinkCheck(self.run_id, url, outcome, None, detail, now(), dns=dns, refused=refused,
                                         healthy=healthy), request.meta["site_id"])
        if not request.meta.get("link_only"):
            yield PageObs(self.run_id, request.meta["site_id"], url, request.meta["kind"],
                          request.meta.get("column_url"), None, None, False, None, None, None, 0, False,
                          request.meta.get("referrer"), request.meta.get("zwgk_depth", 0), now())

    # -- attachments (PRV001) -----------------------------------------------------------------
    def read_attachment(self, state: SiteState, source: str, url: str, encoding: str) -> Iterator[Any]:
        """Read an in-site attachment's text once per crawl: carried from the previous crawl when
        its link is still trusted OK, else downloaded (within [attachments] max_bytes) and read
        once per content hash.  Its link check (LNK004) is separate and unchanged."""
        if url in self.attachments_seen:
            return
        self.attachments_seen.add(url)
        mem = self.memory
        if url in mem.scanned_here:
            return   # resumed: read before this run was killed
        earlier = mem.content.get(url, [])
        if url in mem.ok_links and any(isinstance(o, AttachmentScan) and o.outcome is AttachmentOutcome.READ
                                       for o in earlier):
            self.count("attachments_carried")
            yield from (replace(o, run_id=self.run_id) for o in earlier)
            return
        meta = {"site_id": state.site.id, "check_url": url, "source_url": source,
                "download_maxsize": int(self.content.settings["max_bytes"]),
                "download_warnsize": 0}
        if not self.obeys_robots(state.site):
            meta["dont_obey_robotstxt"] = True
        self.count("attachment_reads")
        yield scrapy.Request(url, callback=self.on_attachment, errback=self.on_attachment_error, priority=-5,
                             dont_filter=True, encoding=encoding, meta=meta)

    def on_attachment(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        if response.status != 200:
            yield self.content.attachment_failed(meta["site_id"], meta["check_url"], meta["source_url"],
                                                 AttachmentOutcome.UNREADABLE, f"HTTP {response.status}")
            return
        yield from self.content.observe_attachment(meta["site_id"], meta["check_url"], meta["source_url"],
                                                   response.body)

    def on_attachment_error(self, failure: Failure) -> Iterator[Any]:
        meta = failure.request.meta  # type: ignore[attr-defined]
        outcome, detail = classify_failure(failure)
        too_large = detail.startswith("response too large")
        yield self.content.attachment_failed(
            meta["site_id"], meta["check_url"], meta["source_url"],
            AttachmentOutcome.TOO_LARGE if too_large else AttachmentOutcome.UNREADABLE,
            detail if too_large else f"{outcome.value}: {detail}")

    # -- external link targets (LNK006) ------------------------------------------------------
    def read_external(self, state: SiteState, url: str) -> Iterator[Any]:
        """What an external link's target shows, fetched at most once a week (its link check is
        separate): carried from an observation of the last 7 days, else one GET."""
        if url in self.externals_seen:
            return
        self.externals_seen.add(url)
        earlier = self.memory.external_pages.get(url)
        if earlier is not None:
            if earlier.run_id != self.run_id:
                yield replace(earlier, run_id=self.run_id, site_id=state.site.id)
            return
        # "external": PrivateHostMiddleware keeps it off private addresses, as for link checks.
        meta = {"site_id": state.site.id, "check_url": url, "download_maxsize": 2_000_000,
                "download_warnsize": 0, "handle_httpstatus_list": HANDLED_STATUSES, "external": True}
        if not self.obeys_robots(None):
            meta["dont_obey_robotstxt"] = True
        self.count("external_reads")
        yield scrapy.Request(url, callback=self.on_external, errback=self.on_external_error, priority=-12,
                             dont_filter=True, meta=meta)

    def on_external(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        title, text = None, ""
        if response.status == 200 and _is_html(response):
            html, _, _ = decode_html(response.body, _header_charset(response))
            page = TextResponse(response.url, body=html.encode("utf-8"), encoding="utf-8")
            title = " ".join((page.xpath("string(//title)").get() or "").split())[:200] or None
            text = (title or "") + visible_text(page.selector.root)
        yield self.content.external_page(meta["site_id"], meta["check_url"], response.status, title, text)

    def on_external_error(self, failure: Failure) -> Iterator[Any]:
        meta = failure.request.meta  # type: ignore[attr-defined]
        yield self.content.external_page(meta["site_id"], meta["check_url"], None, None, "")

    def our_side_healthy(self, url: str, dns: bool) -> bool:
        """Whether our side was seen working just now, apart from ``url``'s host: another
        host (host:port) answered us over HTTP and, for a DNS failure (``dns``), our resolver
        gave an address for another name (a crawl lookup or the connectivity watch), both
        within HEALTH_WINDOW (or two intervals of the watch, when those are longer).  (A
        refused connection needs no DNS evidence: its own name resolved.)  Only then can an
        NXDOMAIN or a refused connection be the site's fault (checks/_links.py)."""
        from crawler.resolver import installed_resolver

        host, netloc = _host(url), _netloc(url)
        watch = getattr(self.crawler, "zwgk_connectivity", None)
        window = max(HEALTH_WINDOW, 2 * watch.interval) if watch is not None else HEALTH_WINDOW
        since = time.time() - window
        resolver = installed_resolver()
        resolved = dict(resolver.resolved_at) if resolver else {}
        for name, at in (watch.resolved().items() if watch is not None else ()):
            resolved[name] = max(at, resolved.get(name, at))
        dns_ok = not dns or any(at >= since for name, at in resolved.items() if name != host)
        http_ok = any(at >= since for where, at in self.answered_at.items() if where != netloc)
        return dns_ok and http_ok

    def on_link_checked(self, response: Response) -> Iterator[Any]:
        # Some servers refuse HEAD or answer it wrongly: ask again with GET before judging.
        if response.request.method == "HEAD" and response.status in (400, 403, 404, 405, 406, 500, 501):
            yield self.link_check_request(response.meta["check_url"], response.meta["site_id"], method="GET",
                                          recheck=response.meta.get("recheck", False),
                                          encoding=response.meta.get("encoding", "utf-8"),
                                          external=response.meta.get("external", False))
            return
        html = None
        if response.request.method == "GET" and 200 <= response.status < 300 and _is_html(response):
            html, _, _ = decode_html(response.body, _header_charset(response))
        check = self.outcome_of(response, html)
        if check.outcome is not LinkOutcome.OK:
            yield capture_of(self.run_id, response.meta["check_url"], response)   # evidence of a failing link
        yield from self.record(check, response.meta["site_id"])

    def on_idle(self, spider: Any = None) -> None:
        """Check every failed URL once more before closing: one-off errors must not count."""
        if self.rechecked or not self.recheck_failed or not self.failed:
            return
        self.rechecked = True
        for url, site_id in list(self.failed.items()):
            self.crawler.engine.crawl(self.link_check_request(url, site_id, method="GET", recheck=True,
                                                              external=self.site_of(url) is None))
        raise DontCloseSpider

    # -- pages ------------------------------------------------------------------------
    def parse_page(self, response: Response, drain: bool = True) -> Iterator[Any]:
        yield from self._parse_page(response)
        if drain:
            yield from self.drain()

    def _parse_page(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        site_id = meta["site_id"]
        state = next(s for s in self.sites if s.site.id == site_id)
        from_cache = bool(meta.get("from_cache"))
        unchanged = bool(meta.get("unchanged"))
        cached: CachedPage | None = meta.get("cached") or self.memory.page_cache.get(meta["check_url"])
        if response.status == 304 and meta.get("conditional") and cached is not None:
            self.count("not_modified")
            # Evidence: the 304 itself, with the stored body it says still stands.
            yield replace(capture_of(self.run_id, meta["check_url"], response), final_url=cached.final_url,
                          content_type=cached.content_type, content_hash=cached.content_hash, body=cached.body)
            yield from self.record(self.outcome_of(response, replayed=cached), site_id)
            yield replace(cached, run_id=self.run_id, fetched_at=now())
            response = self.cached_response(cached, {**meta, "unchanged": True})
            meta = response.meta
            from_cache, unchanged = True, True
        elif from_cache:
            self.count("pages_replayed")
            if not meta.get("resumed"):
                yield replace(cached, run_id=self.run_id)   # type: ignore[arg-type]
        # Evidence of what was fetched; an HTML page's is held until its content is read (below).
        capture = None if from_cache else capture_of(self.run_id, meta["check_url"], response)
        base = dict(run_id=self.run_id, site_id=site_id, url=meta["check_url"], status=response.status,
                    referrer=meta.get("referrer"), depth=meta.get("zwgk_depth", 0), fetched_at=now())
        if response.status >= 300 or not _is_html(response):
            if capture is not None:
                yield capture
            if not from_cache:
                yield from self.record(self.outcome_of(response), site_id)
            yield PageObs(kind="other", column_url=None, encoding=None, charset_mismatch=False, title=None,
                          column_name=None, column_type=None, item_count=0, empty_marker=False, **base)
            return

        header_charset = _header_charset(response)
        html, encoding, mismatch = decode_html(response.body, header_charset)
        if not from_cache:
            yield from self.record(self.outcome_of(response, html), site_id)
        url = response.url
        kind = meta["kind"]
        if kind in ("home", "entry") and state.profile_how != "config":
            self.detect_profile(state, url, html)
        detail = extract_detail(html, url, list_date=meta.get("list_date"), profile=state.profile)
        # One parse of the decoded page serves the content observers and the links.
        page = TextResponse(response.url, body=html.encode("utf-8"), encoding="utf-8")
        seen_content = self.content.observe_page(site_id, meta["check_url"], page.selector.root,
                                                 lambda target: self.site_of(target) is None,
                                                 homepage=kind == "home")
        if not meta.get("resumed"):
            yield from seen_content
        personal = any(isinstance(o, PersonalDataObs) for o in seen_content)
        if capture is not None:
            # A page showing personal numbers keeps no body as evidence: no full number in the store
            # (its masked matches and positions are the evidence, see PRV001).
            yield replace(capture, body=None) if personal else capture
        # An entry of a list page is a document whatever its template; elsewhere a
        # detail page is known by its URL shape (a CMS family's) or its 信息公开 metadata table.
        is_detail = kind == "item" or (kind not in ("home", "entry") and (
            profiles.is_detail_url(urlsplit(url).path) or detail.has_metadata_table))
        # A page showing personal numbers is not kept in the page cache: no full number in the store.
        if not is_detail and not from_cache and response.status == 200 and not personal:
            digest = hashlib.sha256(response.body).hexdigest()
            unchanged = cached is not None and cached.content_hash == digest
            self.count("unchanged" if unchanged else "changed_or_new")
            yield CachedPage(meta["check_url"], site_id, self.run_id, response.url,
                             _header(response, b"ETag"), _header(response, b"Last-Modified"),
                             _header(response, b"Content-Type"), digest, response.body, now(),
                             cached.changed_at if unchanged and cached else now())

        column_url = None
        item_count = 0
        empty = False
        if is_detail:
            kind = "detail"
            yield DocumentObs(
                self.run_id, site_id, meta["check_url"], meta.get("column_url"), detail.title, detail.doc_no,
                detail.index_no, detail.publisher, detail.doc_date, detail.doc_date_source,
                detail.doc_date_raw, detail.pub_date, detail.pub_date_source, detail.pub_date_raw,
                meta.get("list_date"), detail.has_metadata_table, now())
        else:
            listing = extract_list(html, url)
            if kind == "home":
                # The homepage's dated items are what UPD001 judges; the homepage is no column.
                for item in listing.items:
                    yield ListItemObs(self.run_id, meta["check_url"], meta["check_url"], item.url, item.title,
                                      item.date, item.date_raw)
            if kind not in ("home", "entry") and (listing.items or detail.column_name or kind == "listpage"):
                kind = "column"
                # One column per column: dir/, dir/index.html, dir/index_2.html and ?page=2 are
                # one column, whichever of them was met first and however (pager or link).
                column_url = meta.get("column_url") or profiles.column_root(meta["check_url"], state.profile)
                item_count = len(listing.items)
                empty = empty_marker(html) if not listing.items else False
                for item in listing.items:
                    yield ListItemObs(self.run_id, column_url, meta["check_url"], item.url, item.title,
                                      item.date, item.date_raw)
                    if self.site_of(item.url) is state:
                        yield from self.visit(state, item.url, kind="item", depth=meta["zwgk_depth"] + 1,
                                              referrer=url, column_url=column_url, list_date=item.date,
                                              priority=5, encoding=encoding)[1]
                for next_url in listing.next_pages:
                    if _first_page_alias(next_url, column_url):
                        continue   # "…/zcwj/index.html" is the column's first page, already read as "…/zcwj/"
                    if self.max_list_pages and self.list_pages.get(column_url, 1) >= self.max_list_pages:
                        # The per-column cap: old archive pages wait for a --full crawl.  Marked
                        # seen so that the page is not crawled as a column of its own.
                        self.capped_columns.add(column_url)
                        self.unfetched["max_list_pages_per_column"].add(profiles.page_key(next_url))
                        state.seen.add(profiles.page_key(next_url))
                        continue
                    if profiles.page_key(next_url) not in state.seen:
                        self.list_pages[column_url] = self.list_pages.get(column_url, 1) + 1
                    # An unchanged first page means an unchanged column: its further pages
                    # come from the store (new documents always appear on the first page).
                    yield from self.visit(state, next_url, kind="listpage", depth=meta["zwgk_depth"],
                                          referrer=url, column_url=column_url, priority=10, encoding=encoding,
                                          parent_unchanged=unchanged)[1]

        footer, badges = (identity_of(html) if kind in ("home", "entry") else (None, ()))
        footer = mask_text(footer) if footer else footer
        yield from self.follow_links(response, html, state, meta["zwgk_depth"], encoding, page=page)
        yield PageObs(kind=kind, column_url=column_url, encoding=encoding, charset_mismatch=mismatch,
                      title=detail.title, column_name=detail.column_name, column_type=detail.column_type,
                      item_count=item_count, empty_marker=empty, replacement_chars=html.count("\ufffd"),
                      site_id_code=detail.site_id_code, footer_text=footer, badge_links=badges, **base)

    def follow_links(self, response: Response, html: str, state: SiteState, depth: int,
                     encoding: str, page: TextResponse | None = None) -> Iterator[Any]:
        """Record every link of the page, then crawl or check its targets."""
        source = response.meta["check_url"]
        # Resolved on the decoded text: hrefs with Chinese characters on GBK pages become
        # IRIs here, and each request percent-encodes them as a browser does (path in UTF-8,
        # query in the page's encoding).
        page = page or TextResponse(response.url, body=html.encode("utf-8"), encoding="utf-8")
        links: list[LinkObs] = []
        seen_here: set[tuple[str, str]] = set()
        for element, attr in LINK_ELEMENTS.items():
            for node in page.xpath(f"//{element}[@{attr}]"):
                raw = (node.attrib.get(attr) or "").strip()
                target = _absolute(response.url, raw)
                if target is None or (target, element) in seen_here:
                    continue
                seen_here.add((target, element))
                internal = self.site_of(target) is state
                text = mask_text(" ".join(node.xpath("string(.)").get("").split())[:200]) or None
                links.append(LinkObs(self.run_id, state.site.id, source, target, element, text, internal))
        if not response.meta.get("resumed"):
            yield from links
        yield from self.follow(state, source, links, depth, encoding)

    def follow(self, state: SiteState, source: str, links: Iterable[LinkObs], depth: int,
               encoding: str) -> Iterator[Any]:
        """Crawl in-site pages, check everything else once (or trust a recent OK)."""
        for link in links:
            target, element, internal = link.target_url, link.element, link.internal
            if self.exclude and target.startswith(self.exclude):
                # A retired path: neither crawled nor checked, and so never reported.
                if target not in self.checked:
                    self.checked.add(target)
                    self.count("excluded_by_config")
                continue
            if internal and element in ("a", "area", "iframe", "embed") and self.content.wants(target):
                yield from self.read_attachment(state, source, target, encoding)
            elif (element in ("a", "area") and self.check_external and self.content.settings["read"]
                  and self.site_of(target) is None):
                yield from self.read_external(state, target)
            if element in ("a", "area", "iframe") and internal and _looks_like_page(target):
                if depth + 1 > self.max_depth:
                    self.unfetched["max_depth"].add(profiles.page_key(target))
                else:
                    taken, out = self.visit(state, target, kind="page", depth=depth + 1, referrer=source,
                                            encoding=encoding)
                    if taken:
                        yield from out
                        continue
            if target in self.checked:
                continue
            self.checked.add(target)
            if target in self.memory.checked_here:
                continue   # resumed: this run checked it before it was killed
            if target in self.memory.ok_links:
                self.count("link_cache_hits")
                continue
            if not internal and not self.check_external:
                yield LinkCheck(self.run_id, target, LinkOutcome.EXCLUDED, None,
                                "external links are not checked (crawl.check_external_links)", now())
                continue
            self.count("link_checks")
            request = self.link_check_request(target, state.site.id, encoding=encoding,
                                              external=self.site_of(target) is None)
            owner = self.site_of(target)
            if not self.obeys_robots(owner.site if owner else None):
                request.meta["dont_obey_robotstxt"] = True
            yield request


def capture_of(run_id: int, url: str, response: Response) -> Capture:
    """The response as evidence: status, final URL, the peer's address family and the body."""
    ip = getattr(response, "ip_address", None)
    family = None if ip is None else ("IPv6" if getattr(ip, "version", 4) == 6 else "IPv4")
    body = bytes(response.body or b"")
    return Capture(run_id, url, response.url, response.status, response.request.method if response.request else "GET",
                   family, _header(response, b"Content-Type"), hashlib.sha256(body).hexdigest() if body else None,
                   now(), body if body else None)


def soft_404_reason(url: str, final_url: str, redirects: list[str] | None, html: str | None) -> str | None:
    """Why a 2xx answer is really 'not found', or None."""
    if redirects and final_url != url:
        asked, got = urlsplit(url), urlsplit(final_url)
        if asked.path.lower() not in HOME_PATHS and got.path.lower() in HOME_PATHS:
            return f"soft 404: a deep link redirected to the homepage {final_url}"
    if not html:
        return None
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
    title = " ".join(m.group(1).split()).lower() if m else ""
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.I | re.S)
    heading = re.sub(r"<[^>]+>", "", h1.group(1)).strip().lower() if h1 else ""
    for where in (title, heading if len(heading) < 40 else ""):
        found = not_found_message(where) if where else None
        if found:
            return f"soft 404: the page says {found!r}"
    # A short page whose text has a line that is only the not-found message: the page as a
    # whole says "not found". A phrase inside a sentence (重点检查栏目不更新、页面不存在…,
    # 原文内容已删除，请以…为准) is a real page talking about one.
    text = " ".join(_visible_text(html).split())
    if len(text) < SHORT_PAGE_CHARS:
        for line in _visible_lines(html):
            found = not_found_message(line.lower())
            if found:
                return f"soft 404: the page says {found!r}"
    return None


def classify_failure(failure: Failure) -> tuple[LinkOutcome, str]:
    """Map a download error to an outcome; none of these is 'broken' by itself."""
    detail = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
    if failure.check(DNSLookupError, CannotResolveHostError):
        return LinkOutcome.DNS_ERROR, detail
    # Scrapy 2.19 wraps Twisted's errors in its own (DownloadTimeoutError …): check both.
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return LinkOutcome.TIMEOUT, detail
    if failure.check(ConnectionRefusedError, ConnectError, DownloadConnectionRefusedError):
        return LinkOutcome.CONNECT_ERROR, detail
    if failure.check(IgnoreRequest):
        message = failure.getErrorMessage()
        if "max redirections" in message:
            return LinkOutcome.REDIRECT_LOOP, detail
        return LinkOutcome.EXCLUDED, detail
    name = failure.type.__name__.lower()
    message = failure.getErrorMessage().lower()
    if "cancel" in name and ("maxsize" in message or "max size" in message or "larger than" in message):
        # Over [crawl] max_response_bytes: we chose not to read it; not the site's fault.
        return LinkOutcome.EXCLUDED, "response too large: " + detail
    if "ssl" in name or "tls" in name or "certificate" in message or "ssl" in message:
        return LinkOutcome.TLS_ERROR, detail
    if "timeout" in name:
        return LinkOutcome.TIMEOUT, detail
    if "connection" in name or "connectionlost" in name or "responsenevergotten" in name.replace("_", ""):
        return LinkOutcome.CONNECT_ERROR, detail
    return LinkOutcome.ERROR, detail


def is_refused(failure: Failure) -> bool:
    """The host refused the connection (ECONNREFUSED), by exception type: not a reset, a
    closed connection or an unreachable network."""
    return bool(failure.check(ConnectionRefusedError, DownloadConnectionRefusedError))


def dns_verdict(url: str) -> ResolveStatus | None:
    """Our resolver's verdict on ``url``'s host in this crawl, when a DNS answer (or its
    absence) gave it; None when unknown or decided without asking a nameserver."""
    from crawler.resolver import installed_resolver

    resolver = installed_resolver()
    resolution = resolver.resolution(_host(url)) if resolver else None
    if resolution is None or resolution.source != "dns":
        return None
    return resolution.status


def dns_detail(url: str, detail: str) -> str:
    """Tell NXDOMAIN (the site's DNS) from our resolver's timeout (could not verify)."""
    from crawler.resolver import installed_resolver

    resolver = installed_resolver()
    resolution = resolver.resolution(_host(url)) if resolver else None
    if resolution is None:
        return detail
    verdict = "the name does not exist" if resolution.status.name in ("NXDOMAIN", "NODATA") else "could not verify"
    extra = f" {resolution.detail}" if resolution.detail else ""
    return f"dns={resolution.status.name} ({verdict}){extra}; {detail}"[:400]


BADGE_HOSTS = ("conac.cn", "beian.miit.gov.cn", "beian.gov.cn", "miitbeian.gov.cn")


def identity_of(html: str) -> tuple[str | None, tuple[str, ...]]:
    """The end of a homepage's visible text (where 网站标识码, ICP and 公安备案 sit) and its badge links."""
    text = " ".join(_visible_text(html).split())
    badges = tuple(sorted({m.group(1) for m in re.finditer(r'(?:href|src)\s*=\s*["\']([^"\']+)', html)
                           if any(h in m.group(1) for h in BADGE_HOSTS)}))
    return (text[-4000:] or None), badges


def _first_page_alias(url: str, column_url: str) -> bool:
    """Whether ``url`` is the column's first page under another name (dir/ vs dir/index.html)."""
    return profiles.page_key(url) == profiles.page_key(column_url)


# Client-side lists: templates (avalon ms-*, Vue v-*, Angular ng-*, mustache) and data
# loading calls.  Their static HTML often carries a 暂无数据 placeholder that the script
# replaces, so a marker on such a page proves nothing.
SCRIPT_DRIVEN = re.compile(r"\bms-(?:controller|repeat|for|if)\b|\bv-(?:for|if)\b|\bng-repeat\b|\{\{|"
                           r"\$\.(?:ajax|get|post|getJSON)\s*\(|XMLHttpRequest|\baxios\b|\bfetch\s*\(")


def empty_marker(html: str) -> bool:
    """The page itself says the column is empty (暂无信息 …), and no script could fill it."""
    return any(m in _visible_text(html) for m in EMPTY_MARKERS) and not SCRIPT_DRIVEN.search(html)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _absolute(base: str, raw: str) -> str | None:
    if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urldefrag(urljoin(base, raw))[0]
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def _looks_like_page(url: str) -> bool:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    suffix = "." + last.rsplit(".", 1)[1].lower() if "." in last else ""
    return suffix in HTML_SUFFIXES


def _is_html(response: Response) -> bool:
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    return "html" in ctype or (not ctype and response.body.lstrip()[:1] == b"<")


def _header_charset(response: Response) -> str | None:
    return content_type_charset(response.headers.get(b"Content-Type", b""))


_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|br|h[1-6]|li|ul|ol|td|th|tr|table|title|body|section|article|center|dd|dt)"
                           r"(?:\s[^>]*)?/?>", re.I)


def _visible_lines(html: str) -> list[str]:
    """The visible text by block: one collapsed line per paragraph, heading, cell …"""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S | re.I)
    text = _BLOCK_TAG_RE.sub("\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _visible_text(html: str) -> str:
    return re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html, flags=re.S | re.I)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
