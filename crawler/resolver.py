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

import ipaddress
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver
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

DEFAULT_TIMEOUT = 5.0
# How long the crawler reuses an answer. A crawl of a county site takes minutes; a record changed
# during it does not matter, and re-asking per request would hammer the county's resolver.
DEFAULT_CACHE_TTL = 300.0
HOSTS_FILE = Path("/etc/hosts")
# Extra time the crawler gives a lookup thread beyond the DNS timeout before giving up on it
# (dnspython overruns its lifetime slightly; reading resolv.conf or hosts may also block).
_THREAD_GRACE = 2.0


class ResolveStatus(Enum):
    OK = "ok"  # at least one address
    NXDOMAIN = "nxdomain"  # the name does not exist
    NODATA = "nodata"  # the name exists, without any record of the asked type(s)
    TIMEOUT = "timeout"  # no nameserver answered in time
    SERVFAIL = "servfail"  # the nameserver answered SERVFAIL (it could not get an answer)
    ERROR = "error"  # anything else: REFUSED, unreachable nameserver, no resolver configured

    @property
    def conclusive(self) -> bool:
        """True when the answer is a fact about the name; False means "could not verify"."""
        return self in (ResolveStatus.OK, ResolveStatus.NXDOMAIN, ResolveStatus.NODATA)


@dataclass(frozen=True)
class Resolution:
    """What resolving one host gave.

    ``status`` sums up both families: OK when any address was found; else NXDOMAIN, NODATA when
    both queries said so; else the failure (TIMEOUT before SERVFAIL before ERROR).
    ``a_status``/``aaaa_status`` are each family's own outcome (OK, NODATA, NXDOMAIN, TIMEOUT,
    SERVFAIL, ERROR); when left out they are derived from ``status`` and the addresses, so
    ``Resolution(host, a, aaaa, status)`` is enough for fixtures. Only ``aaaa_status`` says whether
    "no AAAA" is a fact (NODATA/NXDOMAIN) or a failed query: use :attr:`no_aaaa`.

    ``source``: ``"dns"``, ``"literal"`` (the host is an IP address), ``"localhost"``, ``"hosts"``
    (/etc/hosts) or ``"invalid"`` (not a possible DNS name). ``detail`` says why on failure.
    """

    host: str
    a: tuple[str, ...]
    aaaa: tuple[str, ...]
    status: ResolveStatus
    a_status: ResolveStatus | None = None  # never None after construction
    aaaa_status: ResolveStatus | None = None  # never None after construction
    source: str = "dns"
    detail: str = ""

    def __post_init__(self) -> None:
        for name, addresses in (("a_status", self.a), ("aaaa_status", self.aaaa)):
            if getattr(self, name) is None:
                derived = self.status
                if self.status is ResolveStatus.OK:
                    derived = ResolveStatus.OK if addresses else ResolveStatus.NODATA
                object.__setattr__(self, name, derived)

    @property
    def addresses(self) -> tuple[str, ...]:
        """IPv4 first, then IPv6."""
        return self.a + self.aaaa

    @property
    def no_aaaa(self) -> bool:
        """The DNS said there is no AAAA record (as opposed to: the AAAA query failed)."""
        return self.aaaa_status in (ResolveStatus.NODATA, ResolveStatus.NXDOMAIN)


# --- configuration ---------------------------------------------------------------------------


def parse_nameserver(entry: str) -> tuple[str, int]:
    """``"IP"``, ``"IP:PORT"``, ``"IPv6"`` or ``"[IPv6]:PORT"`` → ``(ip, port)``.

    Raises ValueError (a config error) for anything else, hostnames included: a resolver cannot
    be found by name.
    """
    text = entry.strip()
    host, port = text, 53
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise ValueError(f"bad nameserver {entry!r}: missing ']'")
        host, rest = text[1:close], text[close + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"bad nameserver {entry!r}")
            port = _parse_port(rest[1:], entry)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _parse_port(port_text, entry)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"bad nameserver {entry!r}: not an IP address") from None
    return str(address), port


def _parse_port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"bad nameserver {entry!r}: bad port {text!r}")
    return int(text)


def parse_nameservers(entries: Iterable[str]) -> tuple[tuple[str, int], ...]:
    return tuple(parse_nameserver(e) for e in entries)


# --- resolution ------------------------------------------------------------------------------


def _normalize_host(host: str) -> str:
    name = host.strip()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name.rstrip(".").lower()


def _ip_literal(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def _read_hosts(path: Path, name: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Addresses for ``name`` in a hosts file, or None when it is not listed."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    a: list[str] = []
    aaaa: list[str] = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2 or name not in (f.lower().rstrip(".") for f in fields[1:]):
            continue
        address = _ip_literal(fields[0])
        if address is None:
            continue
        target = a if address.version == 4 else aaaa
        if str(address) not in target:
            target.append(str(address))
    if not a and not aaaa:
        return None
    return tuple(a), tuple(aaaa)


def _summarize(a_status: ResolveStatus, aaaa_status: ResolveStatus, found: bool) -> ResolveStatus:
    if found:
        return ResolveStatus.OK
    statuses = (a_status, aaaa_status)
    for status in (
        ResolveStatus.NXDOMAIN,
        ResolveStatus.TIMEOUT,
        ResolveStatus.SERVFAIL,
        ResolveStatus.ERROR,
    ):
        if status in statuses:
            return status
    return ResolveStatus.NODATA


class DnsClient:
    """Resolves hosts through fixed nameservers (or the system's, from /etc/resolv.conf).

    One instance can be shared by threads: dnspython copies the nameserver list per query.
    ``timeout`` bounds the whole resolution (both queries), not each query.
    """

    def __init__(
        self,
        nameservers: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT,
        hosts_file: Path = HOSTS_FILE,
    ) -> None:
        self.nameservers = parse_nameservers(nameservers)
        self.timeout = float(timeout)
        self.hosts_file = hosts_file
        self._resolver: dns.resolver.Resolver | None = None
        self._config_error = ""
        if self.nameservers:
            self._resolver = dns.resolver.Resolver(configure=False)
            self._resolver.nameservers = [
                dns.nameserver.Do53Nameserver(ip, port) for ip, port in self.nameservers
            ]
        else:
            try:
                self._resolver = dns.resolver.Resolver()  # reads /etc/resolv.conf
            except dns.exception.DNSException as e:
                # No usable system configuration: every lookup reports ERROR, not a crash, so
                # a probe run still records "could not verify".
                self._config_error = f"no system resolver: {e}"
        if self._resolver is not None:
            # Cached answers would hide the changes tests make with TestbedDNS.set(); the
            # crawler has its own cache.
            self._resolver.cache = None
            # A nameserver that answers SERVFAIL is not asked again within one resolution.
            self._resolver.retry_servfail = False

    def resolve(self, host: str) -> Resolution:
        name = _normalize_host(host)
        if not name:
            return Resolution(
                host, (), (), ResolveStatus.NXDOMAIN, source="invalid", detail="empty host name"
            )
        literal = _ip_literal(name)
        if literal is not None:
            a, aaaa = ((str(literal),), ()) if literal.version == 4 else ((), (str(literal),))
            return Resolution(name, a, aaaa, ResolveStatus.OK, source="literal")
        if name == "localhost" or name.endswith(".localhost"):
            # RFC 6761: never sent to a nameserver.
            return Resolution(name, ("127.0.0.1",), ("::1",), ResolveStatus.OK, source="localhost")
        if not self.nameservers:
            # Only with the system resolver, as getaddrinfo would: configured nameservers are
            # meant to be the single source of truth (the testbed, a county's resolver).
            listed = _read_hosts(self.hosts_file, name)
            if listed is not None:
                return Resolution(name, *listed, ResolveStatus.OK, source="hosts")
        return self._query(name)

    def _query(self, name: str) -> Resolution:
        if self._resolver is None:
            return Resolution(name, (), (), ResolveStatus.ERROR, detail=self._config_error)
        try:
            qname = dns.name.from_text(name)
        except (dns.exception.DNSException, UnicodeError, ValueError) as e:
            # A label over 63 octets, an empty label…: no such name can exist.
            return Resolution(name, (), (), ResolveStatus.NXDOMAIN, source="invalid", detail=str(e))
        deadline = time.monotonic() + self.timeout
        a_status, a, a_detail = self._query_type(self._resolver, qname, "A", deadline)
        if a_status is ResolveStatus.NXDOMAIN:
            # The name does not exist for any type: asking for AAAA would only cost time.
            aaaa_status, aaaa, aaaa_detail = ResolveStatus.NXDOMAIN, (), ""
        else:
            aaaa_status, aaaa, aaaa_detail = self._query_type(
                self._resolver, qname, "AAAA", deadline
            )
        status = _summarize(a_status, aaaa_status, bool(a or aaaa))
        detail = "; ".join(d for d in (a_detail, aaaa_detail) if d)
        return Resolution(name, a, aaaa, status, a_status, aaaa_status, detail=detail)

    @staticmethod
    def _query_type(
        resolver: dns.resolver.Resolver, qname: dns.name.Name, rdtype: str, deadline: float
    ) -> tuple[ResolveStatus, tuple[str, ...], str]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return ResolveStatus.TIMEOUT, (), f"{rdtype}: no time left"
        # The Resolver is shared by threads: pass the budget per call rather than setting its
        # attributes. Its per-attempt timeout (2 s, or resolv.conf's) stays, so a lost UDP
        # packet is retried within the budget, as a stub resolver would.
        try:
            answer = resolver.resolve(
                qname, rdtype, lifetime=remaining, search=False, raise_on_no_answer=False
            )
        except dns.resolver.NXDOMAIN:
            return ResolveStatus.NXDOMAIN, (), ""
        except dns.exception.Timeout as e:  # LifetimeTimeout included
            return ResolveStatus.TIMEOUT, (), f"{rdtype}: {e}"
        except dns.resolver.NoNameservers as e:
            errors: list[Any] = e.kwargs.get("errors") or []
            servfail = bool(errors) and all(str(err[3]) == "SERVFAIL" for err in errors)
            status = ResolveStatus.SERVFAIL if servfail else ResolveStatus.ERROR
            return status, (), f"{rdtype}: {e}"
        except (dns.exception.DNSException, OSError) as e:
            return ResolveStatus.ERROR, (), f"{rdtype}: {type(e).__name__}: {e}"
        if answer.rrset is None:
            return ResolveStatus.NODATA, (), ""
        addresses: list[str] = []
        for rdata in answer.rrset:
            address = str(ipaddress.ip_address(rdata.address))  # canonical (compressed) form
            if address not in addresses:
                addresses.append(address)
        return ResolveStatus.OK, tuple(addresses), ""


def resolve(
    host: str, nameservers: Sequence[str] = (), timeout: float = DEFAULT_TIMEOUT
) -> Resolution:
    """Resolve ``host`` to its A and AAAA addresses through ``nameservers`` ("IP", "IP:PORT",
    "[IPv6]:PORT"); empty means /etc/hosts, then the system's nameservers. Blocks up to about
    ``timeout`` seconds; never raises for remote trouble (ValueError for bad nameservers)."""
    return DnsClient(nameservers, timeout).resolve(host)


# --- Twisted / Scrapy ------------------------------------------------------------------------


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
