"""Item pipeline: stores what the spider saw, in batches, under the crawl's run id.

Also the crawler's memory between runs (zwgk.store.crawl): which list pages it fetched
with which validators and body, and what the previous complete crawl (or the killed
attempt of this one) already stored, so that an unchanged site is not fetched again.

Write order matters for resuming a killed crawl: a page's own PageObs is the spider's
last item for it and is written after everything else in a batch, and batches end only
after a PageObs.  A page row therefore exists only when all its records do.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable

from crawler.items import Capture, DocumentObs, LinkCheck, LinkObs, ListItemObs, PageObs
from zwgk.store import crawl as crawl_store
from zwgk.records import LinkOutcome
from zwgk.records.content import CONTENT_TYPES
from zwgk.store import Store
from zwgk.store import crawl as crawl_tables
from zwgk.store import content as content_store

BATCH = 200
# What no stored text field may hold: C0 controls but tab/newline/CR, DEL and C1 (a NUL in a 文号
# reached findings.json once). Pages and their link texts carry them from Word pastes.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(item: Any) -> Any:
    """The record with control characters removed from every text field (tuples of text too)."""
    if not is_dataclass(item) or isinstance(item, (type, CachedPage)):
        return item
    changes: dict[str, Any] = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if isinstance(value, str) and CONTROL_CHARS.search(value):
            changes[f.name] = CONTROL_CHARS.sub("", value)
        elif isinstance(value, tuple) and any(isinstance(v, str) and CONTROL_CHARS.search(v) for v in value):
            changes[f.name] = tuple(CONTROL_CHARS.sub("", v) if isinstance(v, str) else v for v in value)
    return replace(item, **changes) if changes else item


# External link targets are fetched for their content (LNK006) at most this often.
EXTERNAL_RECHECK = timedelta(days=7)


@dataclass(frozen=True)
class CachedPage:
    """A list or navigation page as last fetched (crawler-internal, never seen by checks)."""

    url: str
    site_id: str
    run_id: int
    final_url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    content_hash: str
    body: bytes
    fetched_at: datetime
    changed_at: datetime


@dataclass
class CrawlMemory:
    """What a crawl starts from: the previous complete crawl and, when resuming, this one."""

    run_id: int
    previous_run_id: int | None = None
    # Leaf pages (documents, attachments) that can be carried forward without a request.
    leaf_pages: dict[str, PageObs] = field(default_factory=dict)
    documents: dict[str, DocumentObs] = field(default_factory=dict)
    links: dict[str, list[LinkObs]] = field(default_factory=dict)
    page_cache: dict[str, CachedPage] = field(default_factory=dict)
    ok_links: dict[str, datetime] = field(default_factory=dict)  # URL -> last OK check within the TTL
    # Resuming: what this very run already stored before it was killed.
    resumed: bool = False
    done_pages: dict[str, PageObs] = field(default_factory=dict)
    checked_here: set[str] = field(default_factory=set)
    # Content observations (zwgk.store.content) per page or attachment URL, carried forward with
    # the pages and attachments not fetched again; attachments this run already read (resuming);
    # content hash -> personal-data observations of an earlier complete read of those bytes.
    content: dict[str, list[Any]] = field(default_factory=dict)
    scanned_here: set[str] = field(default_factory=set)
    read_hashes: dict[str, list[Any]] = field(default_factory=dict)
    # External link targets observed within EXTERNAL_RECHECK (LNK006): not fetched again.
    external_pages: dict[str, Any] = field(default_factory=dict)


def load_memory(database: str, run_id: int, now: datetime, link_cache_hours: float,
                incremental: bool = True) -> CrawlMemory:
    memory = CrawlMemory(run_id)
    with Store(database) as store:
        memory.done_pages = {p.url: p for p in store.pages(run_id)}
        memory.resumed = bool(memory.done_pages)
        memory.checked_here = store.checked_urls(run_id)
        previous = store.latest_run("crawl", before=run_id)
        sources: list[int] = []
        if incremental and previous is not None:
            memory.previous_run_id = previous.id
            sources.append(previous.id)
        if memory.resumed:
            sources.append(run_id)   # this run's own rows win over the previous run's
        for source in sources:
            for p in store.pages(source):
                if source == run_id or (p.status == 200 and p.kind in ("detail", "other")):
                    memory.leaf_pages[p.url] = p
            memory.documents.update({d.url: d for d in store.documents(source)})
            by_source: dict[str, list[LinkObs]] = defaultdict(list)
            for link in store.links(source):
                by_source[link.source_url].append(link)
            memory.links.update(by_source)
            memory.content.update(content_store.by_url(store, source))
        memory.scanned_here = {s.url for s in content_store.attachment_scans(store, run_id)}
        memory.external_pages = content_store.recent_external_pages(store, now - EXTERNAL_RECHECK, run_id)
        per_run: dict[int, dict[str, list[Any]]] = {}
        for digest, (run, url) in content_store.read_hashes(store).items():
            if run not in per_run:
                per_run[run] = {}
                for o in content_store.personal_data(store, run):
                    per_run[run].setdefault(o.url, []).append(o)
            memory.read_hashes[digest] = per_run[run].get(url, [])
        if incremental or memory.resumed:
            for r in crawl_tables.page_cache(store):
                memory.page_cache[r["url"]] = CachedPage(
                    r["url"], r["site_id"], r["run_id"], r["final_url"], r["etag"], r["last_modified"],
                    r["content_type"], r["content_hash"], r["body"],
                    datetime.fromisoformat(r["fetched_at"]), datetime.fromisoformat(r["changed_at"]))
        if link_cache_hours > 0:
            since = now - timedelta(hours=link_cache_hours)
            for url, (outcome, at) in store.latest_link_outcomes(run_id, since).items():
                # Only the latest check counts: a link that failed since its last success is checked again.
                if outcome == LinkOutcome.OK.value:
                    memory.ok_links[url] = at
    return memory


class StorePipeline:
    """Writes the spider's records.  A failed write (a full disk, a read-only file) is not
    only logged: it is counted in the stats (``zwgk/write_errors``) and stops the crawl with
    finish reason ``write_failed``, so the run can never be kept as complete."""

    def __init__(self, database: str, crawler: Any = None) -> None:
        self.database = database
        self.crawler = crawler
        self.store: Store | None = None
        self.pending: dict[type, list[Any]] = defaultdict(list)
        self.count = 0
        self.write_errors = 0
        self.first_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler.settings.get("ZWGK_DATABASE"), crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.store = Store(self.database)

    def close_spider(self, spider: Any = None) -> None:
        self.safe_flush()
        if self.store:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        if self.write_errors:
            return item   # the run is lost already; the crawl is stopping
        item = clean_text(item)
        self.pending[type(item)].append(item)
        self.count += 1
        # A batch ends after a page's own record (see the module docstring).
        if self.count >= BATCH and isinstance(item, PageObs):
            self.safe_flush()
        return item

    def safe_flush(self) -> None:
        try:
            self.flush()
        except Exception as exc:  # noqa: BLE001 - any failed write loses data: the run fails
            self.failed(exc)

    def failed(self, exc: BaseException) -> None:
        self.write_errors += 1
        self.pending.clear()
        self.count = 0
        if self.first_error is None:
            self.first_error = f"{self.database}: {type(exc).__name__}: {exc}"
        crawler = self.crawler
        if crawler is None:
            return
        if crawler.stats is not None:
            crawler.stats.set_value("zwgk/write_errors", self.write_errors)
            crawler.stats.set_value("zwgk/write_error", self.first_error)
        engine = getattr(crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None and self.write_errors == 1:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="write_failed"))

    def flush(self) -> None:
        assert self.store is not None
        # Pages last: a page row is the mark that the page's records are all stored.
        writers: list[tuple[type, Callable[[Any], Any]]] = [
            (CachedPage, self.write_cache),
            (Capture, lambda rows: crawl_store.add_captures(self.store, rows)),
            (DocumentObs, self.store.add_documents),
            (ListItemObs, self.store.add_list_items),
            (LinkObs, self.store.add_links),
            (LinkCheck, self.store.add_link_checks),
            *((kind, self.write_content) for kind in CONTENT_TYPES),
            (PageObs, self.store.add_pages),
        ]
        for kind, writer in writers:
            items = self.pending.get(kind)
            if items:
                writer(items)
        self.pending.clear()
        self.count = 0

    def write_content(self, items: list[Any]) -> None:
        assert self.store is not None
        content_store.add(self.store, items)

    def write_cache(self, entries: list[CachedPage]) -> None:
        assert self.store is not None
        crawl_tables.save_page_cache(self.store, [
            (c.url, c.site_id, c.run_id, c.final_url, c.etag, c.last_modified, c.content_type,
             c.content_hash, c.body, c.fetched_at.isoformat(), c.changed_at.isoformat()) for c in entries])
