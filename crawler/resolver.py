"""Name resolution through configured nameservers, IPv4 and IPv6.

Scrapy's default resolver asks the system resolver for IPv4 only. zwgk must resolve through the
nameservers in its config (a county's own resolver, or the testbed's DNS server on loopback) and
see AAAA records, so both the probes and the crawler resolve here, with dnspython:

- :func:`resolve` is a plain blocking function for the probes (and anything outside Scrapy);
- :class:`ZwgkResolver` is a Twisted ``IHostnameResolver`` running the same code in the reactor's
  thread pool, installed with ``TWISTED_DNS_RESOLVER = "crawler.resolver.ZwgkResolver"``.

Outcomes are a closed enum. NXDOMAIN and NODATA are facts about the site's DNS; TIMEOUT, SERVFAIL
and ERROR mean "could not verify" (our resolver, our network, or a nameserver that would not
answer) and are never to be reported as the site's fault.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred, succeed
from twisted.internet.defer import TimeoutError as DeferTimeoutError
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from zope.interface import implementer

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from twisted.internet.base import ReactorBase
    from typing import Self

__all__ = [
    "DEFAULT_CACHE_TTL",
    "DEFAULT_TIMEOUT",
    "DnsClient",
    "Resolution",
    "ResolveStatus",
    "ZwgkResolver",
    "installed_resolver",
    "parse_nameserver",
    "parse_nameservers",
    "resolve",
]

logger = logging.getLogger(__name__)

# The dnspython part lives in zwgk.resolve (no Twisted: probes and checks import it);
# re-exported here for the crawler and its tests.
from zwgk.resolve import (DEFAULT_CACHE_TTL, DEFAULT_TIMEOUT, _THREAD_GRACE,  # noqa: F401, E402
                          DnsClient, Resolution, ResolveStatus, _normalize_host, parse_nameserver,
                          parse_nameservers, resolve)


@implementer(IHostResolution)
class _HostResolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        # Twisted's own GAIResolver cannot cancel either; HostnameEndpoint never asks.
        raise NotImplementedError


@dataclass
class _CacheEntry:
    resolution: Resolution
    expires: float  # reactor.seconds(); failures are stored already expired


@dataclass
class _Pending:
    waiters: list[Deferred[Resolution]] = field(default_factory=list)


_installed: ZwgkResolver | None = None


def installed_resolver() -> ZwgkResolver | None:
    """The resolver installed on the running reactor, if it is ours.

    A failed lookup reaches a Scrapy errback only as ``scrapy.exceptions.CannotResolveHostError``
    (Scrapy 2.19 wraps Twisted's ``DNSLookupError``: "no results for hostname lookup"), the same
    for NXDOMAIN and for our own timeout; errbacks ask ``installed_resolver().resolution(host)``
    to tell the site's fault from ours.
    """
    return _installed


@implementer(IHostnameResolver)
class ZwgkResolver:
    """``IHostnameResolver`` for Scrapy: dnspython in the reactor's thread pool, A and AAAA.

    Settings: ``ZWGK_NAMESERVERS`` (list of "IP[:PORT]"; empty = system resolver), ``DNS_TIMEOUT``
    (seconds for a whole lookup), ``ZWGK_DNS_CACHE_TTL`` (seconds, default 300), and
    ``DNSCACHE_ENABLED`` (False disables the cache). Answers (OK, NXDOMAIN, NODATA) are cached;
    failures are not, so Scrapy's retries ask again. Concurrent lookups of one host share a query.
    """

    def __init__(
        self,
        reactor: ReactorBase,
        nameservers: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT,
        cache_ttl: float = DEFAULT_CACHE_TTL,
    ) -> None:
        self.reactor = reactor
        self.client = DnsClient(nameservers, timeout)
        self.cache_ttl = cache_ttl
        self._cache: dict[str, _CacheEntry] = {}
        self._pending: dict[str, _Pending] = {}
        # host -> time.time() of its last lookup that a nameserver answered with an address:
        # evidence that our resolver worked then (the spider's LinkCheck.healthy).
        self.resolved_at: dict[str, float] = {}

    @classmethod
    def from_settings(cls, settings: BaseSettings, reactor: ReactorBase) -> Self:
        entries = settings.getlist("ZWGK_NAMESERVERS")
        try:
            parse_nameservers(entries)
        except ValueError as e:
            raise ValueError(f"setting ZWGK_NAMESERVERS: {e}") from None
        ttl = settings.getfloat("ZWGK_DNS_CACHE_TTL", DEFAULT_CACHE_TTL)
        if not settings.getbool("DNSCACHE_ENABLED", True):
            ttl = 0.0
        timeout = settings.getfloat("DNS_TIMEOUT", DEFAULT_TIMEOUT)
        # Said once at start-up: a ZWGK_NAMESERVERS put in a spider's custom_settings never gets
        # here (see from_crawler) and the crawl would silently use the system resolver.
        logger.info(
            "zwgk resolver: nameservers %s, timeout %.1f s, cache %.0f s",
            ", ".join(entries) or "from /etc/resolv.conf",
            timeout,
            ttl,
        )
        return cls(reactor, entries, timeout, ttl)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: ReactorBase) -> Self:
        # Scrapy passes the CrawlerProcess here, not a Crawler: only process-wide settings are
        # visible (a spider's custom_settings are not), so configure the resolver there.
        return cls.from_settings(crawler.settings, reactor)

    def install_on_reactor(self) -> None:
        global _installed
        # installNameResolver, not installResolver: the latter takes an IResolverSimple, which is
        # IPv4-only. Twisted derives reactor.resolver (used by connectTCP with a hostname) from
        # this one, asking for IPv4Address only.
        self.reactor.installNameResolver(self)
        _installed = self

    # --- lookups -------------------------------------------------------------------------------

    def resolution(self, host: str) -> Resolution | None:
        """The latest outcome for ``host`` in this crawl, expired or failed ones included."""
        entry = self._cache.get(_normalize_host(host))
        return entry.resolution if entry else None

    def lookup(self, host: str) -> Deferred[Resolution]:
        """Resolve ``host`` without blocking the reactor; never fails."""
        key = _normalize_host(host)
        entry = self._cache.get(key)
        if entry is not None and entry.expires > self.reactor.seconds():
            return succeed(entry.resolution)
        pending = self._pending.get(key)
        if pending is not None:
            waiter: Deferred[Resolution] = Deferred()
            pending.waiters.append(waiter)
            return waiter
        self._pending[key] = _Pending()
        d = deferToThreadPool(
            self.reactor,
            self.reactor.getThreadPool(),  # type: ignore[no-untyped-call]
            self.client.resolve,
            key,
        )
        # The thread cannot be interrupted; if it overruns, the crawl moves on without it and its
        # late result is dropped (a cancelled Deferred ignores it).
        d.addTimeout(self.client.timeout + _THREAD_GRACE, self.reactor)
        d.addErrback(self._failed, key)
        d.addCallback(self._done, key)
        return d

    def _failed(self, failure: Failure, key: str) -> Resolution:
        if failure.check(DeferTimeoutError):
            return Resolution(key, (), (), ResolveStatus.TIMEOUT, detail="lookup thread overran")
        # A bug in the code above, not remote trouble: log it loudly, but let the crawl go on.
        logger.error("resolving %s failed", key, exc_info=failure.value)
        return Resolution(key, (), (), ResolveStatus.ERROR, detail=repr(failure.value))

    def _done(self, resolution: Resolution, key: str) -> Resolution:
        # Pop first: a lookup left pending would make every later one for this host wait forever.
        waiters = self._pending.pop(key, _Pending()).waiters
        ttl = self.cache_ttl if resolution.status.conclusive else 0.0
        self._cache[key] = _CacheEntry(resolution, self.reactor.seconds() + ttl)
        if resolution.status is not ResolveStatus.OK:
            logger.debug("resolving %s: %s %s", key, resolution.status.name, resolution.detail)
        else:
            if resolution.source == "dns":
                self.resolved_at[key] = time.time()
            _share_with_scrapy(key, resolution)
        for waiter in waiters:
            waiter.callback(resolution)
        return resolution

    # --- IHostnameResolver ---------------------------------------------------------------------

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        resolution = _HostResolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        d = self.lookup(hostName)
        d.addCallback(
            self._deliver, resolutionReceiver, portNumber, addressTypes, transportSemantics
        )
        return resolution

    @staticmethod
    def _deliver(
        result: Resolution,
        receiver: IResolutionReceiver,
        port: int,
        address_types: Sequence[type[IAddress]] | None,
        transport: str,
    ) -> None:
        # No address at all is how a failure is reported: HostnameEndpoint then raises
        # DNSLookupError("no results for hostname lookup: …"), which Scrapy treats as one.
        want_v4 = address_types is None or IPv4Address in address_types
        want_v6 = address_types is None or IPv6Address in address_types
        # IPv4 first: Twisted's HostnameEndpoint tries addresses in order (Happy Eyeballs,
        # 0.3 s apart), so a dual-stack site is fetched over IPv4 as by most users; IPv6 is
        # checked on its own by the probes.
        kind: Literal["TCP", "UDP"] = "UDP" if transport == "UDP" else "TCP"
        if want_v4:
            for host in result.a:
                receiver.addressResolved(IPv4Address(kind, host, port))
        if want_v6:
            for host in result.aaaa:
                receiver.addressResolved(IPv6Address(kind, host, port))
        receiver.resolutionComplete()


def _share_with_scrapy(host: str, resolution: Resolution) -> None:
    # CONCURRENT_REQUESTS_PER_IP keys download slots on scrapy.resolver.dnscache[host], which
    # Scrapy's default resolver fills with one IP string; without this it would silently fall back
    # to per-host slots.
    try:
        from scrapy.resolver import dnscache
    except ImportError:  # pragma: no cover - Scrapy is always installed with the crawler
        return
    if resolution.addresses:
        dnscache[host] = resolution.addresses[0]
