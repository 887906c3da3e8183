"""Extension: watches our own connectivity while the crawl runs.

Every ``[network] control_interval`` seconds (and once when the crawl opens and once when
it closes) it asks our resolver for the sites' host names and, when ``[network]
control_url`` is set, fetches that URL.  A resolver that gives no conclusive answer
(timeout, SERVFAIL, unreachable) or a control request that fails means our side is down:
from that moment the crawl is *degraded* and is never judged (commands.steps).  NXDOMAIN
is a conclusive answer: the resolver works.

The watch runs in its own thread so that a hung resolver cannot stall the reactor; the
Scrapy glue (signals) is crawler.progress.ConnectivityExtension.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit


class ConnectivityWatch:
    def __init__(self, hosts: list[str], nameservers: list[str], dns_timeout: float,
                 control_url: str, interval: float, http_timeout: float) -> None:
        self.hosts = [h for h in hosts if h]
        self.nameservers = nameservers
        self.dns_timeout = dns_timeout
        self.control_url = control_url
        # A zero, negative or absurd interval must neither spin nor never check.
        self.interval = min(max(float(interval or 0), 1.0), 3600.0)
        self.http_timeout = http_timeout
        self.checks = 0
        self.failed_at: str | None = None
        self.reason: str | None = None
        # host -> time.time() of its last lookup answered with an address (see resolved())
        self._resolved_at: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def opened(self, spider: Any = None) -> None:
        self._thread = threading.Thread(target=self._loop, name="zwgk-connectivity", daemon=True)
        self._thread.start()

    def closed(self, spider: Any = None, reason: str | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.dns_timeout + self.http_timeout + 5)
        self.check_once()   # the network may have gone down after the last tick

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.check_once()
            if self._stop.wait(self.interval):
                return

    def check_once(self) -> None:
        why = self.probe()
        with self._lock:
            self.checks += 1
            if why and self.failed_at is None:
                self.failed_at = datetime.now(timezone.utc).isoformat()
                self.reason = why

    def probe(self) -> str | None:
        """Why our side looks down now, or None."""
        from zwgk.records.probes import ResolveStatus
        from zwgk.resolve import resolve

        hosts = list(self.hosts)
        if self.control_url:
            hosts.insert(0, urlsplit(self.control_url).hostname or "")
        if hosts:
            # Healthy when any of the names gets a conclusive answer (one site's broken
            # delegation says nothing about our resolver).
            results = []
            for host in hosts[:3]:
                try:
                    r = resolve(host, self.nameservers, self.dns_timeout)
                except ValueError as exc:
                    return f"resolver misconfigured: {exc}"
                if r.status is ResolveStatus.OK and r.source == "dns":
                    with self._lock:
                        self._resolved_at[r.host] = time.time()
                if r.status.conclusive:
                    break
                results.append(f"{host}: {r.status.value}")
            else:
                return "our resolver gave no conclusive answer (" + "; ".join(results) + ")"
        if self.control_url:
            from zwgk.http import get_status

            answer = get_status(self.control_url, timeout=self.http_timeout)
            if answer.error is not None or answer.status is None or answer.status >= 500:
                return f"control request {self.control_url} failed: {answer.error or answer.status}"
        return None

    def resolved(self) -> dict[str, float]:
        """Host -> when our resolver last gave it an address during this watch (time.time())."""
        with self._lock:
            return dict(self._resolved_at)

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {"checks": self.checks, "failed_at": self.failed_at, "reason": self.reason}
