"""The one generic spider: column tree, list pages, documents and every link.

It only observes.  Each fetched page becomes a PageObs; column list pages
yield their entries (ListItemObs); detail pages a DocumentObs with both dates
and where each came from; every link on every page a LinkObs; and every URL
requested (page or link target) a LinkCheck with its outcome.  Judging any of
this is the checks' business.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urldefrag, urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CannotResolveHostError, DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.internet.error import (ConnectError, ConnectionRefusedError, DNSLookupError,
                                    TCPTimedOutError, TimeoutError)
from twisted.python.failure import Failure

from crawler.extract import decode_html, extract_detail, extract_list
from crawler.items import DocumentObs, LinkCheck, LinkObs, ListItemObs, PageObs
from zwgk.records import LinkOutcome, Site

# Pages we follow and parse; anything else in-site (attachments, images) is only checked.
HTML_SUFFIXES = ("", ".htm", ".html", ".shtml", ".jhtml", ".jsp", ".php", ".asp", ".aspx", ".do")
DETAIL_URL = re.compile(r"/t\d{8}_\d+\.s?html?$|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")
EMPTY_MARKERS = ("暂无信息", "暂无内容", "暂无数据", "暂无记录", "没有相关信息", "无相关信息", "没有找到相关")
LINK_ELEMENTS = {"a": "href", "area": "href", "img": "src", "script": "src", "link": "href",
                 "iframe": "src", "embed": "src", "source": "src"}
BLOCKED_STATUSES = {401, 403, 429}   # WAFs and rate limits: "could not verify", not broken


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass
class SiteState:
    site: Site
    hosts: frozenset[str]
    pages_scheduled: int = 0
    seen: set[str] = field(default_factory=set)


class DisclosureSpider(scrapy.Spider):
    name = "disclosure"

    def __init__(self, sites: list[Site], run_id: int, max_pages: int = 5000, max_depth: int = 8,
                 check_external: bool = True, recheck_failed: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run_id = run_id
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.check_external = check_external
        self.recheck_failed = recheck_failed
        self.sites = [SiteState(s, frozenset({_host(s.url), *(_host(u) for u in s.start_urls), *s.hosts}))
                      for s in sites]
        self.checked: set[str] = set()          # every URL gets one check per run (plus one recheck)
        self.failed: dict[str, str] = {}       # url -> site_id of URLs whose check failed
        self.rechecked = False
        self.stats_pages = 0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "DisclosureSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    # -- scheduling ------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for state in self.sites:
            yield self.page_request(state, state.site.url, kind="home", depth=0, referrer=None)
            for url in state.site.start_urls:
                yield self.page_request(state, url, kind="entry", depth=0, referrer=None)

    def site_of(self, url: str) -> SiteState | None:
        host = _host(url)
        return next((s for s in self.sites if host in s.hosts), None)

    def page_request(self, state: SiteState, url: str, *, kind: str, depth: int, referrer: str | None,
                     column_url: str | None = None, list_date: Any = None, priority: int = 0
                     ) -> scrapy.Request | None:
        if url in state.seen:
            return None
        if state.pages_scheduled >= self.max_pages:
            return None
        state.seen.add(url)
        state.pages_scheduled += 1
        self.checked.add(url)
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.on_error, priority=priority,
            meta={"handle_httpstatus_all": True, "site_id": state.site.id, "kind": kind, "depth": depth,
                  "referrer": referrer, "column_url": column_url, "list_date": list_date, "check_url": url})

    def link_check_request(self, url: str, site_id: str, method: str = "HEAD",
                           recheck: bool = False) -> scrapy.Request:
        return scrapy.Request(
            url, method=method, callback=self.on_link_checked, errback=self.on_error,
            dont_filter=recheck or method != "HEAD", priority=-10,
            meta={"handle_httpstatus_all": True, "site_id": site_id, "check_url": url, "link_only": True,
                  "recheck": recheck})

    # -- outcomes ---------------------------------------------------------------------
    def outcome_of(self, response: Response) -> LinkCheck:
        url = response.meta["check_url"]
        status = response.status
        if 200 <= status < 300:
            outcome = LinkOutcome.OK
        elif 300 <= status < 400:
            # RedirectMiddleware hands over a 3xx only when it gave up (too many hops).
            outcome = LinkOutcome.REDIRECT_LOOP
        elif status in BLOCKED_STATUSES:
            outcome = LinkOutcome.BLOCKED
        else:
            outcome = LinkOutcome.BROKEN
        detail = response.url if response.url != url else None
        return LinkCheck(self.run_id, url, outcome, status, detail, now())

    def record(self, check: LinkCheck, site_id: str) -> LinkCheck:
        if check.outcome not in (LinkOutcome.OK, LinkOutcome.EXCLUDED):
            self.failed[check.url] = site_id
        else:
            self.failed.pop(check.url, None)
        return check

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        url = request.meta["check_url"]
        outcome, detail = classify_failure(failure)
        yield self.record(LinkCheck(self.run_id, url, outcome, None, detail, now()), request.meta["site_id"])
        if not request.meta.get("link_only"):
            yield PageObs(self.run_id, request.meta["site_id"], url, request.meta["kind"],
                          request.meta.get("column_url"), None, None, False, None, None, None, 0, False,
                          request.meta.get("referrer"), request.meta.get("depth", 0), now())

    def on_link_checked(self, response: Response) -> Iterator[Any]:
        # Some servers refuse HEAD or answer it wrongly: ask again with GET before judging.
        if response.request.method == "HEAD" and response.status in (400, 403, 404, 405, 406, 500, 501):
            yield self.link_check_request(response.meta["check_url"], response.meta["site_id"], method="GET",
                                          recheck=response.meta.get("recheck", False))
            return
        yield self.record(self.outcome_of(response), response.meta["site_id"])

    def on_idle(self, spider: Any = None) -> None:
        """Check every failed URL once more before closing: one-off errors must not count."""
        if self.rechecked or not self.recheck_failed or not self.failed:
            return
        self.rechecked = True
        for url, site_id in list(self.failed.items()):
            self.crawler.engine.crawl(self.link_check_request(url, site_id, method="GET", recheck=True))
        raise DontCloseSpider

    # -- pages ------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        site_id = meta["site_id"]
        state = next(s for s in self.sites if s.site.id == site_id)
        yield self.record(self.outcome_of(response), site_id)
        self.stats_pages += 1
        base = dict(run_id=self.run_id, site_id=site_id, url=meta["check_url"], status=response.status,
                    referrer=meta.get("referrer"), depth=meta.get("depth", 0), fetched_at=now())
        if response.status >= 300 or not _is_html(response):
            yield PageObs(kind="other", column_url=None, encoding=None, charset_mismatch=False, title=None,
                          column_name=None, column_type=None, item_count=0, empty_marker=False, **base)
            return

        header_charset = _header_charset(response)
        html, encoding, mismatch = decode_html(response.body, header_charset)
        url = response.url
        kind = meta["kind"]
        detail = extract_detail(html, url, list_date=meta.get("list_date"))
        # An entry of a list page is a document whatever its template; elsewhere a
        # detail page is known by its URL shape or its 信息公开 metadata table.
        is_detail = kind == "item" or (kind not in ("home", "entry") and (
            bool(DETAIL_URL.search(urlsplit(url).path)) or detail.has_metadata_table))

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
                column_url = meta.get("column_url") or meta["check_url"]
                item_count = len(listing.items)
                empty = not listing.items and any(m in _visible_text(html) for m in EMPTY_MARKERS)
                for item in listing.items:
                    yield ListItemObs(self.run_id, column_url, meta["check_url"], item.url, item.title,
                                      item.date, item.date_raw)
                    if self.site_of(item.url) is state:
                        req = self.page_request(state, item.url, kind="item", depth=meta["depth"] + 1,
                                                referrer=url, column_url=column_url, list_date=item.date,
                                                priority=5)
                        if req:
                            yield req
                for next_url in listing.next_pages:
                    req = self.page_request(state, next_url, kind="listpage", depth=meta["depth"],
                                            referrer=url, column_url=column_url, priority=10)
                    if req:
                        yield req

        footer, badges = (identity_of(html) if kind in ("home", "entry") else (None, ()))
        yield PageObs(kind=kind, column_url=column_url, encoding=encoding, charset_mismatch=mismatch,
                      title=detail.title, column_name=detail.column_name, column_type=detail.column_type,
                      item_count=item_count, empty_marker=empty, replacement_chars=html.count("\ufffd"),
                      site_id_code=detail.site_id_code, footer_text=footer, badge_links=badges, **base)
        yield from self.follow_links(response, html, state, meta["depth"])

    def follow_links(self, response: Response, html: str, state: SiteState, depth: int) -> Iterator[Any]:
        """Record every link of the page; crawl in-site pages, check everything else once."""
        source = response.meta["check_url"]
        page = TextResponse(response.url, body=html.encode("utf-8"), encoding="utf-8")
        seen_here: set[tuple[str, str]] = set()
        for element, attr in LINK_ELEMENTS.items():
            for node in page.xpath(f"//{element}[@{attr}]"):
                raw = (node.attrib.get(attr) or "").strip()
                target = _absolute(response.url, raw)
                if target is None or (target, element) in seen_here:
                    continue
                seen_here.add((target, element))
                target_state = self.site_of(target)
                internal = target_state is state
                text = " ".join(node.xpath("string(.)").get("").split())[:200] or None
                yield LinkObs(self.run_id, state.site.id, source, target, element, text, internal)
                if element in ("a", "area", "iframe") and internal and _looks_like_page(target):
                    if depth + 1 <= self.max_depth:
                        req = self.page_request(state, target, kind="page", depth=depth + 1, referrer=source,
                                                column_url=None)
                        if req:
                            yield req
                            continue
                if target in self.checked:
                    continue
                self.checked.add(target)
                if not internal and not self.check_external:
                    yield LinkCheck(self.run_id, target, LinkOutcome.EXCLUDED, None,
                                    "external links are not checked (crawl.check_external_links)", now())
                    continue
                yield self.link_check_request(target, state.site.id)


def classify_failure(failure: Failure) -> tuple[LinkOutcome, str]:
    """Map a download error to an outcome; none of these is 'broken' by itself."""
    detail = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
    # Scrapy 2.19 wraps Twisted's DNSLookupError; NXDOMAIN and our own resolver's
    # timeout look alike here, so DNS_ERROR is never conclusive.
    if failure.check(DNSLookupError, CannotResolveHostError):
        return LinkOutcome.DNS_ERROR, detail
    if failure.check(TimeoutError, TCPTimedOutError):
        return LinkOutcome.TIMEOUT, detail
    if failure.check(ConnectionRefusedError, ConnectError):
        return LinkOutcome.CONNECT_ERROR, detail
    if failure.check(IgnoreRequest):
        return LinkOutcome.EXCLUDED, detail
    name = failure.type.__name__.lower()
    if "ssl" in name or "tls" in name or "certificate" in detail.lower():
        return LinkOutcome.TLS_ERROR, detail
    if "timeout" in name:
        return LinkOutcome.TIMEOUT, detail
    return LinkOutcome.ERROR, detail


BADGE_HOSTS = ("conac.cn", "beian.miit.gov.cn", "beian.gov.cn", "miitbeian.gov.cn")


def identity_of(html: str) -> tuple[str | None, tuple[str, ...]]:
    """The end of a homepage's visible text (where 网站标识码, ICP and 公安备案 sit) and its badge links."""
    text = " ".join(_visible_text(html).split())
    badges = tuple(sorted({m.group(1) for m in re.finditer(r'(?:href|src)\s*=\s*["\']([^"\']+)', html)
                           if any(h in m.group(1) for h in BADGE_HOSTS)}))
    return (text[-1500:] or None), badges


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


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
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
    m = re.search(r"charset=([\w-]+)", ctype, re.I)
    return m.group(1) if m else None


def _visible_text(html: str) -> str:
    return re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html, flags=re.S | re.I)
