"""What the probes saw: homepage fetches, DNS lookups and in-site links fetched over IPv6.

Observations only (with their time); the judgments are in checks/availability.py and
checks/ipv6_*.py.  Every record belongs to a probe round; a round records how our own
side fared (resolver, share of hosts failing) so that a round where our network was
down is excluded from every judgment.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime



class ResolveStatus(enum.Enum):
    """What a DNS lookup concluded (zwgk.resolve)."""
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


class Family(str, enum.Enum):
    """The address family a probe asked for."""

    ANY = "any"     # as a user would: IPv4 first, IPv6 when there is no A record
    V4 = "v4"
    V6 = "v6"       # IPv6 only, the AAAA address itself (no fallback to IPv4)


class ProbeOutcome(str, enum.Enum):
    """Closed set of outcomes of one HTTP probe.

    The site's fault: HTTP_ERROR, TIMEOUT, CONNECT_FAILED, TLS_ERROR, DNS_FAILED.
    Not judged: BLOCKED (a WAF refused the monitor), NO_ADDRESS (no record of the asked
    family: NET001's business) and PROBE_UNAVAILABLE (our side: no IPv6 on the monitor
    host, our resolver down, our network unreachable).
    """

    OK = "OK"                          # a complete 2xx response in time
    HTTP_ERROR = "HTTP_ERROR"          # a complete response with another status (404, 500, redirect loop …)
    BLOCKED = "BLOCKED"                # 401/403/429: refused to us, not down
    TIMEOUT = "TIMEOUT"                # no complete response within the time limit
    CONNECT_FAILED = "CONNECT_FAILED"  # refused, reset or closed without an answer
    TLS_ERROR = "TLS_ERROR"
    DNS_FAILED = "DNS_FAILED"          # the DNS said the name has no address at all (NXDOMAIN/NODATA)
    NO_ADDRESS = "NO_ADDRESS"          # no record of the asked family (e.g. no AAAA for a v6 probe)
    PROBE_UNAVAILABLE = "PROBE_UNAVAILABLE"  # could not probe from here: never the site's fault

    @property
    def is_failure(self) -> bool:
        """A failure the site is responsible for."""
        return self in (ProbeOutcome.HTTP_ERROR, ProbeOutcome.TIMEOUT, ProbeOutcome.CONNECT_FAILED,
                        ProbeOutcome.TLS_ERROR, ProbeOutcome.DNS_FAILED)

    @property
    def judged(self) -> bool:
        """Counts in a success rate (OK or a failure of the site)."""
        return self is ProbeOutcome.OK or self.is_failure


@dataclass(frozen=True)
class ProbeRound:
    """One round of probes and how our own side fared in it."""

    id: int
    started_at: datetime         # the round's ``now``
    ipv6: bool                   # IPv6 probes were part of the round
    hosts_total: int
    hosts_failed: int            # availability probes that failed or could not be made
    resolver_ok: bool            # at least one DNS answer was conclusive
    degraded: bool               # our network's fault: excluded from every judgment
    reason: str = ""


@dataclass(frozen=True)
class ProbeObs:
    """One homepage fetch."""

    round_id: int
    site_id: str
    url: str
    family: Family
    address: str | None          # the address connected to (None: none to try)
    outcome: ProbeOutcome
    status: int | None
    elapsed_s: float
    title: str | None
    fingerprint: str | None      # sha1 of the page's visible text and links: equal means same page
    text: str | None             # visible text (bounded), for the v4/v6 comparison
    links: tuple[str, ...]       # absolute link targets on the page (bounded)
    observed_at: datetime
    detail: str | None = None
    degraded: bool = False       # its round was our network's fault (filled in from ProbeRound)


@dataclass(frozen=True)
class DnsObs:
    """A / AAAA / NS of one host, as our configured resolver answered."""

    round_id: int
    site_id: str
    host: str
    purpose: str                 # "site" (the homepage's host) or "resource" (an embedded resource's host)
    a: tuple[str, ...]
    aaaa: tuple[str, ...]
    ns: tuple[str, ...]
    status: ResolveStatus
    a_status: ResolveStatus
    aaaa_status: ResolveStatus
    observed_at: datetime
    detail: str | None = None
    degraded: bool = False

    @property
    def no_aaaa(self) -> bool:
        """The DNS said there is no AAAA record (a query that failed is not that)."""
        return self.aaaa_status in (ResolveStatus.NODATA, ResolveStatus.NXDOMAIN)


@dataclass(frozen=True)
class Ipv6LinkObs:
    """One in-site link of the latest crawl fetched over IPv6 only."""

    round_id: int
    site_id: str
    level: int                   # 2: linked from the homepage; 3: linked from a second-level page
    source_url: str
    url: str
    address: str | None
    outcome: ProbeOutcome
    status: int | None
    observed_at: datetime
    degraded: bool = False
