"""Progress of a crawl: a line on the terminal (only when stderr is a TTY) and the summary.

The same numbers go to the terminal during the crawl, to its last line, and into
crawler.run's JSON summary (``Progress.numbers``).
"""
from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from twisted.internet import task


def numbers(stats: dict[str, Any], elapsed: float, queued: int = 0) -> dict[str, Any]:
    """The crawl's figures from Scrapy's stats (zwgk's own counters are under ``zwgk/``)."""
    def z(key: str) -> int:
        return int(stats.get(f"zwgk/{key}", 0))

    requests = int(stats.get("downloader/request_count", 0))
    pages = z("pages_fetched")
    outcomes = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("zwgk/outcome/")}
    return {
        "elapsed_s": round(elapsed, 1),
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 1) if elapsed > 0 else 0.0,
        "responses": int(stats.get("response_received_count", 0)),
        "pages_fetched": pages,
        "pages_per_s": round(pages / elapsed, 1) if elapsed > 0 else 0.0,
        "pages_carried": z("pages_carried"),
        "pages_replayed": z("pages_replayed"),
        "pages_resumed": z("pages_resumed"),
        "not_modified": z("not_modified"),
        "unchanged": z("unchanged"),
        "link_checks": z("link_checks"),
        "link_cache_hits": z("link_cache_hits"),
        "excluded_traps": z("excluded_traps"),
        "retry_after_honoured": z("retry_after_honoured"),
        "hosts_paused": z("host_paused"),
        "network_errors": int(stats.get("downloader/exception_count", 0)),
        "outcomes": dict(sorted(outcomes.items())),
        "queued": queued,
    }


class Progress:
    def __init__(self, crawler: Any, interval: float, stream: Any = None) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        self.ended: float | None = None
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        crawler.zwgk_progress = self

    @classmethod
    def from_crawler(cls, crawler: Any) -> "Progress":
        ext = cls(crawler, crawler.settings.getfloat("ZWGK_PROGRESS_INTERVAL", 2.0))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response, signal=signals.response_received)
        return ext

    def queued(self) -> int:
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        scheduler = getattr(slot, "scheduler", None) or getattr(engine, "scheduler", None)
        try:
            return len(scheduler) if scheduler is not None else 0
        except TypeError:
            return 0

    def numbers(self) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        end = self.ended if self.ended is not None else time.monotonic()
        return numbers(stats, max(end - self.started, 1e-6), self.queued())

    def line(self) -> str:
        n = self.numbers()
        errors = sum(v for k, v in n["outcomes"].items() if k not in ("OK", "EXCLUDED"))
        return (f"zwgk crawl: {n['pages_fetched']} pages ({n['pages_per_s']:.1f}/s), "
                f"{n['pages_carried'] + n['pages_replayed']} unchanged from the store, "
                f"{n['requests']} requests, {errors} failed checks, {n['network_errors']} network errors, "
                f"{n['queued']} queued, {n['elapsed_s']:.0f} s")

    def response(self, response: Any = None, request: Any = None, spider: Any = None) -> None:
        meta = getattr(request, "meta", None) or getattr(response, "meta", {})
        if self.crawler.stats and not meta.get("link_only") and meta.get("kind"):
            self.crawler.stats.inc_value("zwgk/pages_fetched")

    def opened(self, spider: Any = None) -> None:
        self.started = time.monotonic()
        if self.tty and self.interval > 0:
            self.loop = task.LoopingCall(self.show)
            self.loop.start(self.interval, now=False)

    def show(self) -> None:
        self.stream.write("\r" + self.line() + "   ")
        self.stream.flush()

    def closed(self, spider: Any = None, reason: str = "") -> None:
        self.ended = time.monotonic()
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.tty:
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()


class ConnectivityExtension:
    """Scrapy glue of crawler.connectivity.ConnectivityWatch (settings ZWGK_CONTROL_*)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        from crawler.connectivity import ConnectivityWatch

        s = crawler.settings
        watch = ConnectivityWatch(list(s.getlist("ZWGK_CONTROL_HOSTS")), list(s.getlist("ZWGK_NAMESERVERS")),
                                  s.getfloat("DNS_TIMEOUT", 5.0), s.get("ZWGK_CONTROL_URL") or "",
                                  s.getfloat("ZWGK_CONTROL_INTERVAL", 30.0),
                                  min(s.getfloat("DOWNLOAD_TIMEOUT", 30.0), 10.0))
        crawler.signals.connect(watch.opened, signal=signals.spider_opened)
        crawler.signals.connect(watch.closed, signal=signals.spider_closed)
        crawler.zwgk_connectivity = watch
        return watch
