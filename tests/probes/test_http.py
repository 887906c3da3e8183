"""The probe client against small servers on loopback (IPv4 and IPv6)."""
from __future__ import annotations

import errno
import socket
import threading
import time
from typing import Callable, Iterator

import pytest

from crawler.probes.http import fetch, summarize
from zwgk.records.probes import ProbeOutcome


def _serve(family: int, host: str, handler: Callable[[socket.socket], None]) -> Iterator[int]:
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()
    seen: list[bytes] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    data = conn.recv(65536)
                    seen.append(data)
                    handler(conn)
                except OSError:
                    pass

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        yield srv.getsockname()[1]
    finally:
        stop.set()
        t.join(2)
        srv.close()


def answer(body: bytes, status: str = "200 OK", ctype: str = "text/html; charset=utf-8") -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                     "Connection: close\r\n\r\n".encode() + body)
    return handler


def never(conn: socket.socket) -> None:
    time.sleep(1.5)


def drop(conn: socket.socket) -> None:
    conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[int]:
    family, host, handler = request.param
    if family == socket.AF_INET6:
        try:
            socket.socket(socket.AF_INET6).bind(("::1", 0))
        except OSError:
            pytest.skip("no IPv6 loopback here")
    yield from _serve(family, host, handler)


PAGE = "<html><head><title> 首页_县政府 </title></head><body><a href='/a.html'>甲</a>正文</body></html>".encode()


@pytest.mark.parametrize("server", [(socket.AF_INET, "127.0.0.1", answer(PAGE))], indirect=True)
def test_ok_over_ipv4_with_host_header(server: int) -> None:
    r = fetch(f"http://www.site.test:{server}/", "127.0.0.1", timeout=3)
    assert r.outcome is ProbeOutcome.OK and r.status == 200 and r.body == PAGE
    page = summarize(r.body, r.content_type, f"http://www.site.test:{server}/")
    assert page.title == "首页_县政府"
    assert page.links == (f"http://www.site.test:{server}/a.html",)


@pytest.mark.parametrize("server", [(socket.AF_INET6, "::1", answer(PAGE))], indirect=True)
def test_ok_over_ipv6_address(server: int) -> None:
    r = fetch(f"http://www.site.test:{server}/", "::1", timeout=3)
    assert r.outcome is ProbeOutcome.OK and r.status == 200


@pytest.mark.parametrize("server", [(socket.AF_INET, "127.0.0.1", never)], indirect=True)
def test_a_server_that_never_answers_times_out(server: int) -> None:
    started = time.monotonic()
    r = fetch(f"http://www.site.test:{server}/", "127.0.0.1", timeout=0.5)
    assert r.outcome is ProbeOutcome.TIMEOUT
    assert 0.4 < r.elapsed_s < 1.2 and time.monotonic() - started < 1.4


@pytest.mark.parametrize("server", [(socket.AF_INET, "127.0.0.1", drop)], indirect=True)
def test_closed_without_answer_is_connect_failed(server: int) -> None:
    assert fetch(f"http://x.test:{server}/", "127.0.0.1", timeout=2).outcome is ProbeOutcome.CONNECT_FAILED


@pytest.mark.parametrize("server", [(socket.AF_INET, "127.0.0.1", answer(b"no", "404 Not Found"))], indirect=True)
def test_error_status_is_http_error(server: int) -> None:
    r = fetch(f"http://x.test:{server}/", "127.0.0.1", timeout=2)
    assert (r.outcome, r.status) == (ProbeOutcome.HTTP_ERROR, 404)


@pytest.mark.parametrize("server", [(socket.AF_INET, "127.0.0.1", answer(b"waf", "403 Forbidden"))], indirect=True)
def test_waf_refusal_is_blocked_not_a_failure(server: int) -> None:
    r = fetch(f"http://x.test:{server}/", "127.0.0.1", timeout=2)
    assert r.outcome is ProbeOutcome.BLOCKED and not r.outcome.is_failure


@pytest.mark.parametrize("server", [(socket.AF_INET, "127.0.0.1", answer(b"x" * 100_000))], indirect=True)
def test_body_is_bounded(server: int) -> None:
    r = fetch(f"http://x.test:{server}/", "127.0.0.1", timeout=2, max_bytes=1000)
    assert r.outcome is ProbeOutcome.OK and len(r.body or b"") == 1000


def test_refused_port_is_connect_failed() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]   # bound, not listening: connections are refused
        r = fetch(f"http://x.test:{port}/", "127.0.0.1", timeout=2)
    assert r.outcome is ProbeOutcome.CONNECT_FAILED


@pytest.mark.parametrize("code", [errno.ENETUNREACH, errno.EADDRNOTAVAIL])
def test_no_ipv6_on_the_monitor_is_probe_unavailable(code: int) -> None:
    def no_route(address: tuple[str, int], timeout: float) -> socket.socket:
        raise OSError(code, "no IPv6 here")
    r = fetch("http://x.test/", "::1", connect=no_route)
    assert r.outcome is ProbeOutcome.PROBE_UNAVAILABLE and not r.outcome.is_failure


def test_summary_of_a_gbk_page() -> None:
    body = "<html><head><meta charset='gbk'><title>县政府</title></head><body>通知公告</body></html>".encode("gbk")
    page = summarize(body, "text/html", "http://x.test/")
    assert page.title == "县政府" and "通知公告" in page.text
