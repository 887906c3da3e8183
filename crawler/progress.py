"""Progress on the terminal during a crawl (quiet when stderr is not a TTY)."""
from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from twisted.internet import task


class Progress:
    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "Progress":
        ext = cls(crawler, crawler.settings.getfloat("ZWGK_PROGRESS_INTERVAL", 5.0))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        stats = self.crawler.stats
        elapsed = max(time.monotonic() - self.started, 1e-6)
        responses = stats.get_value("response_received_count", 0)
        errors = stats.get_value("downloader/exception_count", 0)
        items = stats.get_value("item_scraped_count", 0)
        engine = self.crawler.engine
        queued = len(engine.slot.scheduler) if engine and engine.slot and engine.slot.scheduler else 0
        return (f"zwgk crawl: {responses} responses ({responses / elapsed:.1f}/s), {items} records, "
                f"{errors} network errors, {queued} queued, {elapsed:.0f} s")

    def opened(self, spider: Any = None) -> None:
        self.started = time.monotonic()
        if self.tty and self.interval > 0:
            self.loop = task.LoopingCall(self.show)
            self.loop.start(self.interval, now=False)

    def show(self) -> None:
        sys.stderr.write("\r" + self.line() + "   ")
        sys.stderr.flush()

    def closed(self, spider: Any = None, reason: str = "") -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
            sys.stderr.write("\r" + self.line() + "\n")
