"""A small authoritative DNS server on loopback for tests and the testbed.

It answers the testbed's invented names (``*.test`` by default) over UDP and TCP on one port, so
the crawler and the probes can resolve them through their configured nameservers exactly as they
would resolve a county's real names, without root, /etc/hosts edits or Internet access.

Answers follow real DNS closely enough for the checks to be tested on them:

- a name with records, but none of the asked type → NOERROR with an empty answer (NODATA);
- a name that does not exist → NXDOMAIN (with the suffix's SOA in the authority section, which is
  what resolvers use for negative caching);
- a name outside the suffix → REFUSED, like a resolver that is not configured for it;
- a name in ``Zone.silent`` is never answered (the query is dropped): a client sees its own
  resolver time out, as with a dead authoritative server or a lossy path;
- ``*.foo.test`` answers for every name below ``foo.test`` that does not exist itself (RFC 4592's
  closest-encloser rule), and ``foo.test`` then exists as an empty non-terminal (NODATA);
- any ancestor of a name in the zone exists (an empty non-terminal) and answers NODATA, as in
  real DNS (RFC 8020): only names with nothing at or below them are NXDOMAIN.

A name mapped to an empty list (``set("x.test", a=[])``) exists with no records: the easy way to
get NODATA for every type.

Example::

    with TestbedDNS(Zone(a={"site.test": ["127.0.0.1"]})) as dns:
        resolve("site.test", nameservers=[dns.address])
"""

from __future__ import annotations

import builtins
import errno
import ipaddress
import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType

from dnslib import AAAA, NS, QTYPE, RCODE, RR, SOA, A, DNSError, DNSRecord
from dnslib.server import DNSHandler, DNSServer

__all__ = ["TestbedDNS", "Zone"]

logger = logging.getLogger(__name__)

# Short enough that a record changed with set() is not cached for long by a resolver in between
# (there normally is none: clients query this server directly).
TTL = 60

# How often the serving threads check for stop().
_POLL_INTERVAL = 0.05

# Attempts at finding a port that is free for both UDP and TCP when port=0.
_PORT_ATTEMPTS = 20


@dataclass
class Zone:
    """Records per lower-case FQDN without the trailing dot (``"www.site.test"``).

    A key present with an empty list makes the name exist with no record of that type.
    """

    a: dict[str, list[str]] = field(default_factory=dict)
    aaaa: dict[str, list[str]] = field(default_factory=dict)
    ns: dict[str, list[str]] = field(default_factory=dict)
    # Names whose queries are dropped unanswered (the client's lookup times out).
    silent: set[str] = field(default_factory=set)


def _normalize(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _parents(name: str) -> Iterable[str]:
    """Proper ancestors of ``name``, nearest first: ``a.b.test`` → ``b.test``, ``test``."""
    labels = name.split(".")
    for i in range(1, len(labels)):
        yield ".".join(labels[i:])


class _QuietLogger:
    """dnslib's logger interface, sent to :mod:`logging` at DEBUG.

    dnslib's default ``DNSLogger`` prints every request and reply to stdout, which floods test
    output and the testbed's console.
    """

    def _debug(self, handler: DNSHandler, what: str) -> None:
        logger.debug("testbed dns %s %s: %s", handler.protocol, handler.client_address, what)

    def log_recv(self, handler: DNSHandler, data: bytes) -> None:
        pass

    def log_send(self, handler: DNSHandler, data: bytes) -> None:
        pass

    def log_request(self, handler: DNSHandler, request: DNSRecord) -> None:
        self._debug(handler, f"query {request.q.qname} {QTYPE[request.q.qtype]}")

    def log_reply(self, handler: DNSHandler, reply: DNSRecord) -> None:
        self._debug(handler, f"reply {RCODE[reply.header.rcode]} {len(reply.rr)} RR")

    def log_truncated(self, handler: DNSHandler, reply: DNSRecord) -> None:
        self._debug(handler, "reply truncated")

    def log_error(self, handler: DNSHandler, error: Exception) -> None:
        self._debug(handler, f"invalid request: {error}")

    def log_data(self, dnsobj: DNSRecord) -> None:
        pass


class _ZoneResolver:
    """The dnslib resolver: answers from a :class:`Zone` under a lock, since dnslib serves each
    request in its own thread and :meth:`TestbedDNS.set` may change the zone meanwhile."""

    def __init__(self, zone: Zone, suffix: str) -> None:
        self.suffix = _normalize(suffix)
        self.lock = threading.Lock()
        self.zone = Zone()
        for name, addresses in zone.a.items():
            self.set(name, a=addresses)
        for name, addresses in zone.aaaa.items():
            self.set(name, aaaa=addresses)
        for name, hosts in zone.ns.items():
            self.set(name, ns=hosts)
        for name in zone.silent:
            self.silence(name)

    # --- changes -------------------------------------------------------------------------------

    def set(
        self,
        name: str,
        a: Iterable[str] | None = None,
        aaaa: Iterable[str] | None = None,
        ns: Iterable[str] | None = None,
    ) -> None:
        key = _normalize(name)
        if not self._in_suffix(key):
            raise ValueError(f"{name!r} is outside the testbed suffix {self.suffix!r}")
        # Validate before taking the lock so a bad address leaves the zone unchanged.
        new_a = [str(ipaddress.IPv4Address(x)) for x in a] if a is not None else None
        new_aaaa = [str(ipaddress.IPv6Address(x)) for x in aaaa] if aaaa is not None else None
        new_ns = [_normalize(x) for x in ns] if ns is not None else None
        with self.lock:
            if new_a is not None:
                self.zone.a[key] = new_a
            if new_aaaa is not None:
                self.zone.aaaa[key] = new_aaaa
            if new_ns is not None:
                self.zone.ns[key] = new_ns

    def silence(self, name: str) -> None:
        key = _normalize(name)
        with self.lock:
            self.zone.silent.add(key)

    def remove(self, name: str) -> None:
        key = _normalize(name)
        with self.lock:
            for table in (self.zone.a, self.zone.aaaa, self.zone.ns):
                table.pop(key, None)

    # --- lookups -------------------------------------------------------------------------------

    def _in_suffix(self, name: str) -> bool:
        return name == self.suffix or name.endswith("." + self.suffix)

    def _owners(self) -> builtins.set[str]:
        return set(self.zone.a) | set(self.zone.aaaa) | set(self.zone.ns)

    def _find(self, name: str) -> tuple[str | None, bool]:
        """``(owner whose records answer, name exists)``; the owner is None when the name exists
        only as an empty non-terminal or does not exist."""
        owners = self._owners()
        if name in owners:
            return name, True
        existing = owners | {p for o in owners for p in _parents(o)} | {self.suffix}
        if name in existing:
            return None, True
        # RFC 4592: the wildcard at the closest existing ancestor (only there) may answer.
        for parent in _parents(name):
            if parent in existing:
                wildcard = "*." + parent
                return (wildcard, True) if wildcard in owners else (None, False)
        return None, False

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()  # sets QR, AA and RD/RA; copies the question and id
        if request.header.opcode != 0 or not request.questions:
            reply.header.rcode = RCODE.NOTIMP if request.questions else RCODE.FORMERR
            return reply
        question = request.q
        qname = _normalize(str(question.qname))
        qtype = QTYPE[question.qtype]
        if not self._in_suffix(qname):
            reply.header.rcode = RCODE.REFUSED
            reply.header.aa = 0
            return reply
        with self.lock:
            silent = qname in self.zone.silent
            owner, exists = self._find(qname)
            records = self._records(owner, qname, qtype) if owner else []
        if silent:
            # dnslib's handler sends nothing when the resolver raises DNSError.
            raise DNSError(f"{qname}: silent by design")
        for rr in records:
            reply.add_answer(rr)
        if not exists:
            reply.header.rcode = RCODE.NXDOMAIN
        if qname == self.suffix and qtype in ("SOA", "ANY"):
            reply.add_answer(self._soa())
        elif not reply.rr:
            reply.add_auth(self._soa())
        return reply

    def _records(self, owner: str, qname: str, qtype: str) -> list[RR]:
        # Records are given the query name, which is how a wildcard answer is synthesized.
        out: list[RR] = []
        if qtype in ("A", "ANY"):
            out += [RR(qname, QTYPE.A, ttl=TTL, rdata=A(x)) for x in self.zone.a.get(owner, [])]
        if qtype in ("AAAA", "ANY"):
            out += [
                RR(qname, QTYPE.AAAA, ttl=TTL, rdata=AAAA(x)) for x in self.zone.aaaa.get(owner, [])
            ]
        if qtype in ("NS", "ANY"):
            out += [
                RR(qname, QTYPE.NS, ttl=TTL, rdata=NS(x + ".")) for x in self.zone.ns.get(owner, [])
            ]
        return out

    def _soa(self) -> RR:
        apex = self.suffix + "."
        return RR(
            apex,
            QTYPE.SOA,
            ttl=TTL,
            # serial, refresh, retry, expire, minimum (the negative-caching TTL)
            rdata=SOA("ns." + apex, "hostmaster." + apex, (1, 3600, 600, 86400, TTL)),
        )


class TestbedDNS:
    """An authoritative server for ``*.<suffix>`` on ``host``, UDP and TCP on the same port.

    ``port=0`` picks a port free for both protocols; read it back from :attr:`address` or
    :attr:`port` after :meth:`start`.
    """

    # Not a test class, whatever pytest's collector thinks of the name.
    __test__ = False

    def __init__(
        self,
        zone: Zone | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        suffix: str = "test",
    ) -> None:
        self.host = host
        self._requested_port = port
        self._resolver = _ZoneResolver(zone or Zone(), suffix)
        self._servers: list[DNSServer] = []
        self._port: int | None = None

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._servers:
            raise RuntimeError("TestbedDNS is already running")
        attempts = _PORT_ATTEMPTS if self._requested_port == 0 else 1
        for attempt in range(attempts):
            # dnslib's servers are socketservers: port 0 binds an ephemeral port for UDP, but the
            # TCP server would get another one. So bind UDP first and then TCP on UDP's port,
            # trying again when that TCP port happens to be taken.
            udp = self._make_server(self._requested_port, tcp=False)
            port = udp.server.server_address[1]
            try:
                tcp = self._make_server(port, tcp=True)
            except OSError as e:
                udp.server.server_close()
                if e.errno != errno.EADDRINUSE or attempt == attempts - 1:
                    raise
                continue
            break
        self._servers = [udp, tcp]
        self._port = port
        for server in self._servers:
            # Not dnslib's start_thread(): its default poll interval (0.5 s) makes every stop()
            # wait that long per server, which adds up over a test suite.
            threading.Thread(
                target=server.server.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL},
                name=f"testbed-dns-{port}",
                daemon=True,
            ).start()
        logger.debug("testbed dns listening on %s", self.address)

    def _make_server(self, port: int, tcp: bool) -> DNSServer:
        return DNSServer(
            self._resolver, address=self.host, port=port, tcp=tcp, logger=_QuietLogger()
        )

    def stop(self) -> None:
        for server in self._servers:
            server.server.shutdown()  # waits for serve_forever to return
            server.server.server_close()  # shutdown() leaves the socket open
        self._servers = []

    def __enter__(self) -> TestbedDNS:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("TestbedDNS has not been started")
        return self._port

    @property
    def address(self) -> str:
        """``"127.0.0.1:PORT"`` (``"[::1]:PORT"`` for IPv6), the form nameserver settings take."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    # --- records -------------------------------------------------------------------------------

    def set(
        self,
        name: str,
        a: Iterable[str] | None = None,
        aaaa: Iterable[str] | None = None,
        ns: Iterable[str] | None = None,
    ) -> None:
        """Add or replace the records of ``name``; a type passed as None is left as it is, an
        empty list leaves the name existing without that type (NODATA). Thread-safe."""
        self._resolver.set(name, a=a, aaaa=aaaa, ns=ns)

    def remove(self, name: str) -> None:
        """Delete every record of ``name`` (it becomes NXDOMAIN unless it has children)."""
        self._resolver.remove(name)

    def silence(self, name: str) -> None:
        """Never answer queries for ``name``: a resolver asking for it times out. Thread-safe."""
        self._resolver.silence(name)

    def snapshot(self) -> Zone:
        """A copy of the current zone (normalized names)."""
        with self._resolver.lock:
            zone = self._resolver.zone
            return Zone(
                a=_copy(zone.a),
                aaaa=_copy(zone.aaaa),
                ns=_copy(zone.ns),
                silent=set(zone.silent),
            )


def _copy(table: Mapping[str, list[str]]) -> dict[str, list[str]]:
    return {k: list(v) for k, v in table.items()}
