"""Downloader middlewares: politeness towards fragile county servers, and private hosts.

PolitenessMiddleware (ordered just outside RetryMiddleware, see crawler.settings)
- 429 and 503: honours Retry-After (seconds or an HTTP date) by slowing the host's whole
  download slot, not just the one request, and asks again; without Retry-After it backs off
  exponentially.  Scrapy itself retries at once and AutoThrottle ignores 429 (FIELD-NOTES).
- transient failures (timeouts, refused or dropped connections, 5xx): the slot slows down
  before RetryMiddleware's retry reaches it, so retries are spaced instead of immediate.
- a host whose share of errors spikes (``ZWGK_ERROR_SHARE`` of the last ``ZWGK_ERROR_WINDOW``
  answers) is paused for ``ZWGK_ERROR_PAUSE`` seconds, once per spike; the reason is kept
  in ``paused`` and the crawl's summary.  Errors we cause by hammering a host must not turn
  into broken links.
A 429/503 also doubles the host's delay between requests (adaptive backoff); each success
after the wait halves it back towards the configured delay.

PrivateHostMiddleware: a link to another host that resolves to a loopback, private or
link-local address is not fetched (EXCLUDED) unless ``[crawl] allow_private_hosts``: a
checker must not probe the monitor's own network on a page's say-so.
"""
from __future__ import annotations

import ipaddress
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               IgnoreRequest)
from scrapy.http import Request, Response
from twisted.internet.error import ConnectionRefusedError, DNSLookupError

logger = logging.getLogger(__name__)

BACKOFF_STATUSES = (429, 503)
# Overload signs: the host as a whole may need a rest.  A plain 500 is usually one page's
# application error, so it is retried (RetryMiddleware) without holding the whole host.
TRANSIENT_STATUSES = (502, 504, 522, 524, 408)
MIN_ADAPTIVE_DELAY = 0.5     # seconds between requests to a host that said 429/503 …
MAX_ADAPTIVE_DELAY = 8.0     # … doubling per 429/503 up to this, halving back per success


def retry_after_seconds(value: str | bytes | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


@dataclass
class HostHealth:
    """Recent answers of one host, and its current slow-down."""

    window: deque[bool] = field(default_factory=lambda: deque(maxlen=20))   # True = error
    backoff_until: float = 0.0
    backoff_s: float = 0.0
    paused_once_at: int = -1       # index of answers when the last pause started
    answers: int = 0


class PolitenessMiddleware:
    def __init__(self, crawler: Any, max_retry_after: float, max_backoff_tries: int, base_backoff: float,
                 error_window: int, error_share: float, error_pause: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.crawler = crawler
        self.max_retry_after = max_retry_after
        self.max_backoff_tries = max_backoff_tries
        self.base_backoff = base_backoff
        self.error_window = error_window
        self.error_share = error_share
        self.error_pause = error_pause
        self.clock = clock
        self.hosts: dict[str, HostHealth] = {}
        self.paused: dict[str, str] = {}     # host -> why it was paused (for the summary)
        self.waits: list[tuple[str, float]] = []   # (url, seconds) of every Retry-After honoured
        self.slot_base: dict[int, tuple[float, float]] = {}   # id(slot) -> configured (delay, jitter)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "PolitenessMiddleware":
        s = crawler.settings
        mw = cls(crawler, s.getfloat("ZWGK_MAX_RETRY_AFTER", 120), s.getint("ZWGK_BACKOFF_TIMES", 3),
                 s.getfloat("ZWGK_BACKOFF_BASE", 1.0), s.getint("ZWGK_ERROR_WINDOW", 20),
                 s.getfloat("ZWGK_ERROR_SHARE", 0.5), s.getfloat("ZWGK_ERROR_PAUSE", 60))
        crawler.zwgk_politeness = mw
        return mw

    # -- bookkeeping ---------------------------------------------------------------------
    def health(self, host: str) -> HostHealth:
        h = self.hosts.get(host)
        if h is None:
            h = self.hosts[host] = HostHealth(window=deque(maxlen=self.error_window))
        return h

    def _slot(self, request: Request) -> Any:
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None) if engine else None
        if downloader is None:
            return None
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None and id(slot) not in self.slot_base:
            self.slot_base[id(slot)] = (slot.delay, slot.jitter)
        return slot

    def slow_down(self, request: Request, seconds: float, adapt: bool = False) -> None:
        """Hold the host's download slot for ``seconds`` from now; with ``adapt`` (429/503) also
        double its delay between requests until answers come back fine."""
        host = urlsplit(request.url).hostname or ""
        h = self.health(host)
        now = self.clock()
        h.backoff_until = max(h.backoff_until, now + seconds)
        slot = self._slot(request)
        if slot is None:
            return
        base_delay = self.slot_base[id(slot)][0]
        if adapt:
            h.backoff_s = min(max(slot.delay * 2, base_delay, MIN_ADAPTIVE_DELAY), MAX_ADAPTIVE_DELAY)
            slot.delay = h.backoff_s
        # Scrapy waits (delay - now + lastseen) before the slot's next request, and only when
        # the delay is not 0: a tiny delay keeps that rule alive for hosts configured without one.
        slot.delay = max(slot.delay, 1e-3)
        slot.lastseen = max(slot.lastseen, time.monotonic() + seconds)

    def recover(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        h = self.health(host)
        if h.backoff_s and self.clock() >= h.backoff_until:
            slot = self._slot(request)
            if slot is not None:
                base_delay = self.slot_base[id(slot)][0]
                h.backoff_s = h.backoff_s / 2 if h.backoff_s / 2 > max(base_delay, MIN_ADAPTIVE_DELAY) else 0.0
                slot.delay = max(h.backoff_s, base_delay, 1e-3)

    def note(self, request: Request, error: bool) -> None:
        """Count one answer; pause the host when its errors spike.

        The second check of links that already failed (the end-of-crawl recheck) is not
        counted: those answers are expected to be errors and say nothing new about the
        host's health; counting them paused healthy hosts at the end of every crawl."""
        if request.meta.get("recheck"):
            return
        host = urlsplit(request.url).hostname or ""
        h = self.health(host)
        h.window.append(error)
        h.answers += 1
        if len(h.window) < h.window.maxlen:  # type: ignore[operator]
            return
        share = sum(h.window) / len(h.window)
        if share >= self.error_share and h.answers - h.paused_once_at >= len(h.window):
            h.paused_once_at = h.answers
            why = (f"{sum(h.window)} of the last {len(h.window)} answers were errors: "
                   f"paused {self.error_pause:.0f} s")
            self.paused[host] = why
            logger.warning("zwgk: host %s %s", host, why)
            if self.crawler.stats:
                self.crawler.stats.inc_value("zwgk/host_paused")
            self.slow_down(request, self.error_pause)

    # -- Scrapy hooks --------------------------------------------------------------------
    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status in BACKOFF_STATUSES:
            self.note(request, error=True)
            tries = request.meta.get("zwgk_backoff_tries", 0)
            asked = retry_after_seconds(response.headers.get(b"Retry-After"), datetime.now(timezone.utc))
            if asked is not None and asked > self.max_retry_after:
                request.meta["zwgk_detail"] = f"Retry-After {asked:.0f} s is more than we wait"
                return response
            if tries >= self.max_backoff_tries:
                return response
            wait = asked if asked is not None else self.base_backoff * (2 ** tries)
            self.slow_down(request, wait, adapt=True)
            if asked is not None:
                self.waits.append((request.url, wait))
                if self.crawler.stats:
                    self.crawler.stats.inc_value("zwgk/retry_after_honoured")
            retry = request.replace(dont_filter=True)
            retry.meta["zwgk_backoff_tries"] = tries + 1
            return retry
        if response.status in TRANSIENT_STATUSES:
            self.note(request, error=True)
            self.slow_down(request, self.base_backoff * (2 ** request.meta.get("retry_times", 0)))
            return response
        self.note(request, error=False)
        self.recover(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, (IgnoreRequest, DownloadCancelledError)):
            return None   # robots.txt, private hosts, over max_response_bytes: our choice, not an error
        if isinstance(exception, (DNSLookupError, CannotResolveHostError)):
            return None   # the host never saw us: nothing to be polite about
        self.note(request, error=True)
        if request.meta.get("recheck") or isinstance(exception, (ConnectionRefusedError,
                                                                 DownloadConnectionRefusedError)):
            # A refused connection costs the server nothing (and may be another port of
            # the host); a recheck is expected to fail: neither is a reason to hold the host.
            return None
        # RetryMiddleware (next outward) reschedules; the slot makes it wait.
        self.slow_down(request, self.base_backoff * (2 ** request.meta.get("retry_times", 0)))
        return None


def private_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified


class PrivateHostMiddleware:
    def __init__(self, allow: bool) -> None:
        self.allow = allow

    @classmethod
    def from_crawler(cls, crawler: Any) -> "PrivateHostMiddleware":
        return cls(crawler.settings.getbool("ZWGK_ALLOW_PRIVATE_HOSTS", False))

    async def process_request(self, request: Request) -> None:
        if self.allow or not request.meta.get("external"):
            return None
        from scrapy.utils.defer import maybe_deferred_to_future

        from crawler.resolver import installed_resolver

        host = urlsplit(request.url).hostname or ""
        resolver = installed_resolver()
        if resolver is None:
            return None
        resolution = await maybe_deferred_to_future(resolver.lookup(host))
        private = [a for a in resolution.addresses if private_address(a)]
        if private:
            raise IgnoreRequest(f"private address: {host} resolves to {', '.join(private)} "
                                "(crawl.allow_private_hosts is off)")
        return None
