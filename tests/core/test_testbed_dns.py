"""The testbed's DNS server, queried over the wire with dnspython (UDP and TCP)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from testbed.dns import TestbedDNS, Zone

Query = Callable[..., dns.message.Message]


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def server() -> Iterator[TestbedDNS]:
    zone = Zone(
        a={
            "site.test": ["127.0.0.1", "127.0.0.2"],
            "*.wild.test": ["10.0.0.1"],
            "named.wild.test": ["10.0.0.2"],
            "deep.sub.ent.test": ["10.0.0.3"],
        },
        aaaa={"site.test": ["::1"], "only6.test": ["2001:db8::1"]},
        ns={"site.test": ["ns1.site.test."]},
    )
    with TestbedDNS(zone) as s:
        yield s


@pytest.fixture(params=["udp", "tcp"])
def query(request: pytest.FixtureRequest, server: TestbedDNS) -> Query:
    send = dns.query.udp if request.param == "udp" else dns.query.tcp

    def ask(name: str, rdtype: str = "A") -> dns.message.Message:
        return send(dns.message.make_query(name, rdtype), "127.0.0.1", port=server.port, timeout=2)

    return ask


def _answers(response: dns.message.Message) -> list[str]:
    return sorted(rd.to_text() for rrset in response.answer for rd in rrset)


def test_a_and_aaaa(query: Query) -> None:
    response = query("site.test", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert _answers(response) == ["127.0.0.1", "127.0.0.2"]
    assert _answers(query("site.test", "AAAA")) == ["::1"]
    assert _answers(query("site.test", "NS")) == ["ns1.site.test."]


def test_names_are_case_insensitive(query: Query) -> None:
    assert _answers(query("SITE.Test.", "A")) == ["127.0.0.1", "127.0.0.2"]


def test_nodata_when_the_name_has_other_types(query: Query) -> None:
    response = query("only6.test", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    # The SOA in the authority section is what resolvers cache negative answers by.
    assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]


def test_nxdomain_for_unknown_names(query: Query) -> None:
    response = query("nosuch.test", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.answer == []


def test_refused_outside_the_suffix(query: Query) -> None:
    assert query("example.com", "A").rcode() == dns.rcode.REFUSED
    assert query("test.example", "A").rcode() == dns.rcode.REFUSED


def test_wildcard(query: Query) -> None:
    response = query("anything.wild.test", "A")
    assert _answers(response) == ["10.0.0.1"]
    assert response.answer[0].name.to_text() == "anything.wild.test."  # synthesized owner
    assert _answers(query("two.labels.wild.test", "A")) == ["10.0.0.1"]
    # An existing name is not overridden by the wildcard, and has no AAAA from it either.
    assert _answers(query("named.wild.test", "A")) == ["10.0.0.2"]
    assert query("named.wild.test", "AAAA").answer == []
    # The wildcard's parent exists without records.
    parent = query("wild.test", "A")
    assert parent.rcode() == dns.rcode.NOERROR and parent.answer == []


def test_wildcard_does_not_reach_below_an_existing_name(query: Query) -> None:
    # RFC 4592: named.wild.test exists, so it is the closest encloser and has no wildcard.
    assert query("x.named.wild.test", "A").rcode() == dns.rcode.NXDOMAIN


def test_empty_non_terminal_is_nodata(query: Query) -> None:
    response = query("sub.ent.test", "A")
    assert response.rcode() == dns.rcode.NOERROR and response.answer == []
    assert query("other.ent.test", "A").rcode() == dns.rcode.NXDOMAIN


def test_set_adds_and_replaces_at_run_time(server: TestbedDNS, query: Query) -> None:
    assert query("new.test", "A").rcode() == dns.rcode.NXDOMAIN
    server.set("New.Test.", a=["192.0.2.1"])
    assert _answers(query("new.test", "A")) == ["192.0.2.1"]
    server.set("new.test", aaaa=["2001:db8::2"])  # a left as it is
    assert _answers(query("new.test", "A")) == ["192.0.2.1"]
    assert _answers(query("new.test", "AAAA")) == ["2001:db8::2"]
    server.set("new.test", a=[])  # still exists: NODATA
    response = query("new.test", "A")
    assert response.rcode() == dns.rcode.NOERROR and response.answer == []
    server.remove("new.test")
    assert query("new.test", "AAAA").rcode() == dns.rcode.NXDOMAIN


def test_set_rejects_bad_input(server: TestbedDNS) -> None:
    with pytest.raises(ValueError):
        server.set("x.test", a=["::1"])
    with pytest.raises(ValueError):
        server.set("x.test", aaaa=["not-an-address"])
    with pytest.raises(ValueError):
        server.set("example.com", a=["192.0.2.1"])
    assert "x.test" not in server.snapshot().a


def test_set_is_thread_safe(server: TestbedDNS) -> None:
    def writer(i: int) -> None:
        for j in range(50):
            server.set(f"h{i}-{j}.test", a=[f"10.{i}.0.{j}"])

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([k for k in server.snapshot().a if k.startswith("h")]) == 200


def test_udp_and_tcp_share_the_port_and_stop_releases_it() -> None:
    with TestbedDNS(Zone(a={"a.test": ["192.0.2.1"]})) as server:
        port = server.port
        assert server.address == f"127.0.0.1:{port}"
        q = dns.message.make_query("a.test", "A")
        assert _answers(dns.query.udp(q, "127.0.0.1", port=port, timeout=2)) == ["192.0.2.1"]
        assert _answers(dns.query.tcp(q, "127.0.0.1", port=port, timeout=2)) == ["192.0.2.1"]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
    # The port is free again for a fixed-port server.
    with TestbedDNS(Zone(a={"a.test": ["192.0.2.9"]}), port=port) as again:
        q = dns.message.make_query("a.test", "A")
        assert _answers(dns.query.udp(q, "127.0.0.1", port=again.port, timeout=2)) == ["192.0.2.9"]


def test_address_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        TestbedDNS().address  # noqa: B018 (the property raises)


def test_custom_suffix() -> None:
    with TestbedDNS(Zone(a={"www.gov.example": ["192.0.2.1"]}), suffix="example") as server:
        q = dns.message.make_query("www.gov.example", "A")
        assert _answers(dns.query.udp(q, "127.0.0.1", port=server.port, timeout=2)) == ["192.0.2.1"]
        q = dns.message.make_query("www.gov.test", "A")
        response = dns.query.udp(q, "127.0.0.1", port=server.port, timeout=2)
        assert response.rcode() == dns.rcode.REFUSED


@pytest.mark.skipif(not _ipv6_loopback(), reason="::1 cannot be bound on this host")
def test_listens_on_ipv6_loopback() -> None:
    with TestbedDNS(Zone(aaaa={"v6.test": ["::1"]}), host="::1") as server:
        assert server.address == f"[::1]:{server.port}"
        q = dns.message.make_query("v6.test", "AAAA")
        assert _answers(dns.query.udp(q, "::1", port=server.port, timeout=2)) == ["::1"]
        assert _answers(dns.query.tcp(q, "::1", port=server.port, timeout=2)) == ["::1"]


def test_quiet(capsys: pytest.CaptureFixture[str], query: Query) -> None:
    query("site.test", "A")
    query("nosuch.test", "A")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
