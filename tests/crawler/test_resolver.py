"""crawler.resolver: resolve() against the testbed's DNS server, ZwgkResolver on a fake reactor,
and a real Scrapy crawl in a subprocess (Twisted's reactor cannot be restarted inside pytest)."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dnslib import RCODE, DNSRecord
from dnslib.server import DNSServer
from scrapy.settings import Settings
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IAddress, IHostResolution
from twisted.internet.task import Clock
from twisted.python.failure import Failure

import crawler.resolver as resolver_module
from crawler.resolver import (
    DnsClient,
    Resolution,
    ResolveStatus,
    ZwgkResolver,
    installed_resolver,
    parse_nameserver,
    resolve,
)
from testbed.dns import TestbedDNS, Zone

REPO = Path(__file__).resolve().parents[2]


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def testbed() -> Iterator[TestbedDNS]:
    zone = Zone(
        a={
            "site.test": ["127.0.0.1", "192.0.2.10"],
            "v4only.test": ["192.0.2.4"],
            "*.wild.test": ["192.0.2.99"],
            "nodata.test": [],
        },
        aaaa={"site.test": ["2001:db8:0:0::1"], "v6only.test": ["::1"]},
    )
    with TestbedDNS(zone) as server:
        yield server


@pytest.fixture
def ns(testbed: TestbedDNS) -> list[str]:
    return [testbed.address]


# --- nameserver config ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        (" 127.0.0.1:5353 ", ("127.0.0.1", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("[2001:DB8::1]", ("2001:db8::1", 53)),
    ],
)
def test_parse_nameserver(entry: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(entry) == expected


@pytest.mark.parametrize(
    "entry", ["", "ns1.example.cn", "127.0.0.1:0", "127.0.0.1:x", "[::1", "[::1]x"]
)
def test_parse_nameserver_rejects(entry: str) -> None:
    with pytest.raises(ValueError, match="nameserver"):
        parse_nameserver(entry)


# --- resolve() -----------------------------------------------------------------------------------


def test_a_and_aaaa(ns: list[str]) -> None:
    r = resolve("site.test", ns, timeout=2)
    assert r == Resolution(
        "site.test",
        ("127.0.0.1", "192.0.2.10"),
        ("2001:db8::1",),  # canonical form
        ResolveStatus.OK,
        ResolveStatus.OK,
        ResolveStatus.OK,
    )
    assert r.addresses == ("127.0.0.1", "192.0.2.10", "2001:db8::1")
    assert not r.no_aaaa


def test_host_is_normalized(ns: list[str]) -> None:
    assert resolve("SITE.Test.", ns, timeout=2).host == "site.test"


def test_only_aaaa(ns: list[str]) -> None:
    r = resolve("v6only.test", ns, timeout=2)
    assert (r.status, r.a, r.aaaa) == (ResolveStatus.OK, (), ("::1",))
    assert r.a_status is ResolveStatus.NODATA


def test_no_aaaa_is_a_fact(ns: list[str]) -> None:
    r = resolve("v4only.test", ns, timeout=2)
    assert r.status is ResolveStatus.OK
    assert r.aaaa_status is ResolveStatus.NODATA and r.no_aaaa


def test_nodata_vs_nxdomain(ns: list[str]) -> None:
    nodata = resolve("nodata.test", ns, timeout=2)
    assert nodata.status is ResolveStatus.NODATA and nodata.status.conclusive
    nx = resolve("nosuch.test", ns, timeout=2)
    assert nx.status is ResolveStatus.NXDOMAIN and nx.status.conclusive
    assert nx.no_aaaa


def test_refused_is_not_the_sites_fault(ns: list[str]) -> None:
    r = resolve("www.example.com", ns, timeout=2)
    assert r.status is ResolveStatus.ERROR
    assert not r.status.conclusive and not r.no_aaaa
    assert "REFUSED" in r.detail


def test_wildcard(ns: list[str]) -> None:
    assert resolve("anything.wild.test", ns, timeout=2).a == ("192.0.2.99",)


def test_set_at_run_time_is_seen(testbed: TestbedDNS, ns: list[str]) -> None:
    testbed.set("late.test", a=["192.0.2.77"])
    try:
        assert resolve("late.test", ns, timeout=2).a == ("192.0.2.77",)
    finally:
        testbed.remove("late.test")
    assert resolve("late.test", ns, timeout=2).status is ResolveStatus.NXDOMAIN


@pytest.mark.parametrize(
    ("host", "a", "aaaa"),
    [
        ("192.0.2.1", ("192.0.2.1",), ()),
        ("2001:db8::1", (), ("2001:db8::1",)),
        ("[::1]", (), ("::1",)),
        ("localhost", ("127.0.0.1",), ("::1",)),
    ],
)
def test_no_query_for_literals_and_localhost(
    host: str, a: tuple[str, ...], aaaa: tuple[str, ...]
) -> None:
    # A dead nameserver: any query would take the whole timeout.
    started = time.monotonic()
    r = resolve(host, [f"127.0.0.1:{_closed_udp_port()}"], timeout=3)
    assert time.monotonic() - started < 0.5
    assert (r.status, r.a, r.aaaa) == (ResolveStatus.OK, a, aaaa)
    assert r.source in ("literal", "localhost")


def test_dead_nameserver_times_out_quickly() -> None:
    started = time.monotonic()
    r = resolve("site.test", [f"127.0.0.1:{_closed_udp_port()}"], timeout=0.5)
    assert time.monotonic() - started < 2
    assert r.status in (ResolveStatus.TIMEOUT, ResolveStatus.ERROR)
    assert not r.status.conclusive and not r.no_aaaa


def test_invalid_names_do_not_raise(ns: list[str]) -> None:
    assert resolve("", ns).status is ResolveStatus.NXDOMAIN
    r = resolve("x" * 64 + ".test", ns)
    assert (r.status, r.source) == (ResolveStatus.NXDOMAIN, "invalid")


class _ServfailResolver:
    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        reply.header.rcode = RCODE.SERVFAIL
        return reply


def test_servfail() -> None:
    server = DNSServer(_ServfailResolver(), address="127.0.0.1", port=0, logger=_Silent())
    server.start_thread()
    try:
        r = resolve("site.test", [f"127.0.0.1:{server.server.server_address[1]}"], timeout=2)
    finally:
        server.server.shutdown()
        server.server.server_close()
    assert r.status is ResolveStatus.SERVFAIL and not r.status.conclusive


class _Silent:
    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args: None


def test_hosts_file_only_with_system_resolver(tmp_path: Path, ns: list[str]) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text(
        "# comment\n192.0.2.5 pinned.test alias.test  # trailing\n2001:db8::5 pinned.test\n"
    )
    # Only names listed in the file: any other would go to the system's nameserver.
    r = DnsClient(hosts_file=hosts).resolve("Pinned.Test")
    assert (r.status, r.a, r.aaaa, r.source) == (
        ResolveStatus.OK, ("192.0.2.5",), ("2001:db8::5",), "hosts"
    )
    assert DnsClient(hosts_file=hosts).resolve("alias.test").a == ("192.0.2.5",)
    # Configured nameservers are the single source of truth.
    pinned = DnsClient(ns, 2, hosts_file=hosts).resolve("pinned.test")
    assert pinned.status is ResolveStatus.NXDOMAIN


def test_fixture_construction_derives_family_statuses() -> None:
    r = Resolution("x.test", ("192.0.2.1",), (), ResolveStatus.OK)
    assert (r.a_status, r.aaaa_status, r.no_aaaa) == (ResolveStatus.OK, ResolveStatus.NODATA, True)
    t = Resolution("x.test", (), (), ResolveStatus.TIMEOUT)
    assert (t.a_status, t.aaaa_status) == (ResolveStatus.TIMEOUT, ResolveStatus.TIMEOUT)
    assert not t.no_aaaa


# --- ZwgkResolver on a fake reactor --------------------------------------------------------------


class _ManualPool:
    """A thread pool that runs jobs when told to, in the test's thread."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[..., Any], Callable[..., Any], tuple[Any, ...]]] = []

    def callInThreadWithCallback(
        self, on_result: Callable[..., Any], f: Callable[..., Any], *args: Any
    ) -> None:
        self.jobs.append((on_result, f, args))

    def run_all(self) -> None:
        jobs, self.jobs = self.jobs, []
        for on_result, f, args in jobs:
            try:
                on_result(True, f(*args))
            except Exception:
                on_result(False, Failure())


class _FakeReactor(Clock):
    def __init__(self) -> None:
        super().__init__()
        self.pool = _ManualPool()
        self.nameResolver: Any = None

    def getThreadPool(self) -> _ManualPool:
        return self.pool

    def callFromThread(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        f(*args, **kwargs)

    def installNameResolver(self, resolver: Any) -> Any:
        old, self.nameResolver = self.nameResolver, resolver
        return old


class _Receiver:
    def __init__(self) -> None:
        self.began = False
        self.addresses: list[IAddress] = []
        self.complete = False

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.began = True

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.complete = True


@pytest.fixture
def reactor() -> _FakeReactor:
    return _FakeReactor()


@pytest.fixture
def zwgk(reactor: _FakeReactor, ns: list[str]) -> ZwgkResolver:
    return ZwgkResolver(reactor, ns, timeout=2, cache_ttl=60)  # type: ignore[arg-type]


def _count_queries(resolver: ZwgkResolver) -> list[str]:
    asked: list[str] = []
    real = resolver.client.resolve

    def counting(host: str) -> Resolution:
        asked.append(host)
        return real(host)

    resolver.client.resolve = counting  # type: ignore[method-assign]
    return asked


def test_delivers_ipv4_then_ipv6_with_the_port(zwgk: ZwgkResolver, reactor: _FakeReactor) -> None:
    receiver = _Receiver()
    zwgk.resolveHostName(receiver, "site.test", 8080)
    assert receiver.began and not receiver.complete  # answered from a thread, not inline
    reactor.pool.run_all()
    assert receiver.complete
    assert receiver.addresses == [
        IPv4Address("TCP", "127.0.0.1", 8080),
        IPv4Address("TCP", "192.0.2.10", 8080),
        IPv6Address("TCP", "2001:db8::1", 8080),
    ]


def test_address_types_are_honoured(zwgk: ZwgkResolver, reactor: _FakeReactor) -> None:
    # Twisted asks for IPv4Address only when it wraps us as reactor.resolver (connectTCP).
    receiver = _Receiver()
    zwgk.resolveHostName(
        receiver, "site.test", 21, addressTypes=[IPv4Address], transportSemantics="UDP"
    )
    reactor.pool.run_all()
    assert receiver.addresses == [
        IPv4Address("UDP", "127.0.0.1", 21),
        IPv4Address("UDP", "192.0.2.10", 21),
    ]


@pytest.mark.parametrize("host", ["nosuch.test", "nodata.test", "www.example.com"])
def test_failure_is_no_address(zwgk: ZwgkResolver, reactor: _FakeReactor, host: str) -> None:
    # HostnameEndpoint turns "complete without addresses" into DNSLookupError.
    receiver = _Receiver()
    zwgk.resolveHostName(receiver, host, 80)
    reactor.pool.run_all()
    assert receiver.complete and receiver.addresses == []
    outcome = zwgk.resolution(host.upper())
    assert outcome is not None and outcome.status is not ResolveStatus.OK


def test_answers_are_cached_for_the_ttl(zwgk: ZwgkResolver, reactor: _FakeReactor) -> None:
    asked = _count_queries(zwgk)
    for _ in range(2):
        zwgk.resolveHostName(_Receiver(), "site.test", 80)
        zwgk.resolveHostName(_Receiver(), "nosuch.test", 80)
        reactor.pool.run_all()
    assert asked == ["site.test", "nosuch.test"]
    cached = _Receiver()
    zwgk.resolveHostName(cached, "SITE.test", 443)
    assert cached.complete and cached.addresses[0] == IPv4Address("TCP", "127.0.0.1", 443)
    reactor.advance(61)
    zwgk.resolveHostName(_Receiver(), "site.test", 80)
    reactor.pool.run_all()
    assert asked == ["site.test", "nosuch.test", "site.test"]


def test_failures_are_not_cached(zwgk: ZwgkResolver, reactor: _FakeReactor) -> None:
    asked = _count_queries(zwgk)
    for _ in range(2):
        zwgk.resolveHostName(_Receiver(), "www.example.com", 80)  # REFUSED
        reactor.pool.run_all()
    assert asked == ["www.example.com", "www.example.com"]


def test_concurrent_lookups_share_one_query(zwgk: ZwgkResolver, reactor: _FakeReactor) -> None:
    asked = _count_queries(zwgk)
    receivers = [_Receiver() for _ in range(5)]
    for receiver in receivers:
        zwgk.resolveHostName(receiver, "site.test", 80)
    reactor.pool.run_all()
    assert asked == ["site.test"]
    assert all(len(r.addresses) == 3 and r.complete for r in receivers)


def test_overrunning_thread_gives_timeout(zwgk: ZwgkResolver, reactor: _FakeReactor) -> None:
    receiver = _Receiver()
    zwgk.resolveHostName(receiver, "site.test", 80)
    reactor.advance(zwgk.client.timeout + 5)  # the job never ran
    assert receiver.complete and receiver.addresses == []
    outcome = zwgk.resolution("site.test")
    assert outcome is not None and outcome.status is ResolveStatus.TIMEOUT
    reactor.pool.run_all()  # the late result is dropped without error


def test_from_settings_and_install(reactor: _FakeReactor, testbed: TestbedDNS) -> None:
    settings = Settings(
        {"ZWGK_NAMESERVERS": [testbed.address], "DNS_TIMEOUT": 3, "ZWGK_DNS_CACHE_TTL": 10}
    )
    resolver = ZwgkResolver.from_settings(settings, reactor)  # type: ignore[arg-type]
    assert resolver.client.nameservers == (("127.0.0.1", testbed.port),)
    assert (resolver.client.timeout, resolver.cache_ttl) == (3.0, 10.0)
    resolver.install_on_reactor()
    try:
        assert reactor.nameResolver is resolver and installed_resolver() is resolver
    finally:
        resolver_module._installed = None
    settings.set("DNSCACHE_ENABLED", False)
    assert ZwgkResolver.from_settings(settings, reactor).cache_ttl == 0  # type: ignore[arg-type]


def test_bad_nameserver_setting_names_the_setting(reactor: _FakeReactor) -> None:
    settings = Settings({"ZWGK_NAMESERVERS": ["ns1.example.cn"]})
    with pytest.raises(ValueError, match="ZWGK_NAMESERVERS"):
        ZwgkResolver.from_settings(settings, reactor)  # type: ignore[arg-type]


# --- a real crawl ---------------------------------------------------------------------------------

SPIDER = textwrap.dedent(
    """
    import json

    import scrapy

    from crawler.resolver import installed_resolver


    class ProbeSpider(scrapy.Spider):
        name = "probe"

        async def start(self):  # Scrapy 2.13+ no longer calls start_requests() by default
            for url in self.settings.getlist("E2E_URLS"):
                yield scrapy.Request(url, callback=self.ok, errback=self.failed, dont_filter=True)

        def ok(self, response):
            self.emit(url=response.url, status=response.status, ip=str(response.ip_address),
                      body=response.text)

        def failed(self, failure):
            resolver = installed_resolver()
            host = failure.request.url.split("/")[2].rsplit(":", 1)[0]
            outcome = resolver.resolution(host) if resolver else None
            self.emit(
                url=failure.request.url,
                error=failure.type.__name__,
                resolver=type(resolver).__name__,
                dns=outcome.status.name if outcome else None,
            )

        def emit(self, **fields):
            print("RESULT " + json.dumps(fields), flush=True)
    """
)


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello {self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Hello6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    servers: list[http.server.HTTPServer] = [
        http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    ]
    if _ipv6_loopback():
        servers.append(_Hello6(("::1", 0), _Hello))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    p4 = servers[0].server_address[1]
    urls = {"v4": f"http://site.test:{p4}/", "nx": f"http://nosuch.test:{p4}/"}
    if len(servers) > 1:
        p6 = servers[1].server_address[1]
        urls["v6"] = f"http://v6only.test:{p6}/"
        urls["literal6"] = f"http://[::1]:{p6}/literal"
    spider = tmp_path_factory.mktemp("crawl") / "probe_spider.py"
    spider.write_text(SPIDER)
    zone = Zone(a={"site.test": ["127.0.0.1"]}, aaaa={"v6only.test": ["::1"]})
    try:
        with TestbedDNS(zone) as dns_server:
            settings = {
                # Process-wide settings (-s): the resolver never sees a spider's custom_settings.
                "TWISTED_DNS_RESOLVER": "crawler.resolver.ZwgkResolver",
                "ZWGK_NAMESERVERS": dns_server.address,
                "DNS_TIMEOUT": "3",
                "E2E_URLS": ",".join(urls.values()),
                "RETRY_ENABLED": "0",
                "TELNETCONSOLE_ENABLED": "0",
                "REMOTE_CONTROL_ENABLED": "0",
                "ROBOTSTXT_OBEY": "0",
                "LOG_LEVEL": "INFO",
            }
            cmd = [sys.executable, "-m", "scrapy", "runspider", str(spider)]
            for key, value in settings.items():
                cmd += ["-s", f"{key}={value}"]
            path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
            done = subprocess.run(
                cmd,
                cwd=spider.parent,
                env={**os.environ, "PYTHONPATH": path},
                capture_output=True,
                text=True,
                timeout=120,
            )
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    lines = done.stdout.splitlines()
    by_url = {r["url"]: r for r in (json.loads(x[7:]) for x in lines if x.startswith("RESULT "))}
    yield {
        "urls": urls,
        "results": {key: by_url.get(url) for key, url in urls.items()},
        "log": done.stderr,
    }


def test_crawl_resolves_through_testbed_dns(crawl: dict[str, Any]) -> None:
    assert "zwgk resolver: nameservers 127.0.0.1:" in crawl["log"], crawl["log"][-3000:]
    v4 = crawl["results"]["v4"]
    assert v4 is not None, crawl["log"][-3000:]
    assert (v4["status"], v4["ip"]) == (200, "127.0.0.1")
    assert v4["body"].startswith("hello site.test:")  # the Host header keeps the name


def test_crawl_reports_nxdomain_as_lookup_failure(crawl: dict[str, Any]) -> None:
    nx = crawl["results"]["nx"]
    assert nx is not None, crawl["log"][-3000:]
    # Scrapy 2.19 wraps Twisted's DNSLookupError; our resolver tells why.
    assert nx == {"url": crawl["urls"]["nx"], "error": "CannotResolveHostError",
                  "resolver": "ZwgkResolver", "dns": "NXDOMAIN"}


def test_crawl_over_ipv6(crawl: dict[str, Any]) -> None:
    if "v6" not in crawl["urls"]:
        pytest.skip("::1 cannot be bound on this host")
    for key in ("v6", "literal6"):
        result = crawl["results"][key]
        assert result is not None, crawl["log"][-3000:]
        assert (result["status"], result["ip"]) == (200, "::1")
    assert crawl["results"]["v6"]["body"].startswith("hello v6only.test:")
