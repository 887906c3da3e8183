"""Name resolution through configurable nameservers, IPv4 and IPv6 (dnspython, no Twisted).

The probes and the 政务新媒体 reader resolve through this directly; the crawler's Twisted
resolver (crawler/resolver.py) wraps the same client.  ``resolve(host, nameservers,
timeout)`` never raises for remote trouble: NXDOMAIN and NODATA are facts about a name,
TIMEOUT / SERVFAIL / ERROR mean "could not verify" (``ResolveStatus.conclusive``).
"""
from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from zwgk.config import parse_nameserver  # noqa: F401 - re-exported: the crawler and probes use it from here
from zwgk.records.probes import ResolveStatus

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
# How long the crawler reuses an answer. A crawl of a county site takes minutes; a record changed
# during it does not matter, and re-asking per request would hammer the county's resolver.
DEFAULT_CACHE_TTL = 300.0
HOSTS_FILE = Path("/etc/hosts")
# Extra time the crawler gives a lookup thread beyond the DNS timeout before giving up on it
# (dnspython overruns its lifetime slightly; reading resolv.conf or hosts may also block).
_THREAD_GRACE = 2.0


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
# parse_nameserver lives with the config schema (zwgk.config), which checks the entries at load.


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
        aaaa: tuple[str, ...]
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
