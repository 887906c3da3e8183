"""A small HTTP(S) probe client on plain sockets: one address, one family, a hard time limit.

Outside Scrapy on purpose: Happy Eyeballs there hides IPv6 failures behind IPv4, and an
availability probe must say exactly which address answered and how long it took.  The
client connects to the address it is given, sends ``Host`` (and SNI for https) for the
site's name, and reads a bounded body.  A probe fails when no complete response arrives
within ``timeout`` seconds (19号: 15 s).  Remote trouble is returned as an outcome, never
raised; our own side's trouble (no IPv6 route on the monitor host, EADDRNOTAVAIL,
ENETUNREACH) is PROBE_UNAVAILABLE.
"""
from __future__ import annotations

import errno
import hashlib
import html as html_lib
import http.client
import re
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

from zwgk.http import DeadlineSocket, bounded_max_bytes
from zwgk.records import BLOCKED_STATUSES
from zwgk.records.probes import ProbeOutcome

PROBE_USER_AGENT = "zwgk-probe/0.1 (homepage availability and IPv6 monitor)"
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_BYTES = 2_000_000
MAX_TEXT_CHARS = 20_000
MAX_LINKS = 500
# errno values that mean "this host cannot reach that family/network at all": ours, not the site's.
OUR_SIDE_ERRNOS = {errno.EADDRNOTAVAIL, errno.ENETUNREACH, errno.EAFNOSUPPORT}

Connector = Callable[[tuple[str, int], float], socket.socket]


def plain_connect(address: tuple[str, int], timeout: float) -> socket.socket:
    """Open a TCP connection to exactly this address (no resolution, no fallback)."""
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


@dataclass(frozen=True)
class HttpResult:
    outcome: ProbeOutcome
    status: int | None
    elapsed_s: float
    body: bytes | None
    content_type: str | None
    location: str | None
    detail: str | None = None


def unverified_context() -> ssl.SSLContext:
    """TLS without certificate checks, as Scrapy's downloader does by default."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def fetch(url: str, address: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
          user_agent: str = PROBE_USER_AGENT, connect: Connector = plain_connect,
          read_body: bool = True, tls_context: ssl.SSLContext | None = None) -> HttpResult:
    """GET ``url`` from ``address`` (IPv4 or IPv6 literal); never raises for remote trouble.

    A certificate our trust store does not verify (an incomplete chain, a CA browsers fetch
    or trust but Debian does not) is not unavailability: the site is asked again without
    verification, within the same time limit, and the certificate problem is kept in
    ``detail`` for a person to look at.
    """
    started = time.monotonic()
    max_bytes = bounded_max_bytes(max_bytes, DEFAULT_MAX_BYTES)
    first = _fetch(url, address, timeout=timeout, max_bytes=max_bytes, user_agent=user_agent, connect=connect,
                   read_body=read_body, tls_context=tls_context)
    if (tls_context is None and first.outcome is ProbeOutcome.TLS_ERROR
            and "CERTIFICATE_VERIFY_FAILED" in (first.detail or "")):
        left = timeout - (time.monotonic() - started)
        if left > 0:
            again = _fetch(url, address, timeout=left, max_bytes=max_bytes, user_agent=user_agent,
                           connect=connect, read_body=read_body, tls_context=unverified_context())
            note = f"证书未通过校验（{first.detail}）"[:300]
            return HttpResult(again.outcome, again.status, round(time.monotonic() - started, 3), again.body,
                              again.content_type, again.location, f"{note}; {again.detail}" if again.detail else note)
    return first


def _fetch(url: str, address: str, *, timeout: float, max_bytes: int, user_agent: str, connect: Connector,
           read_body: bool, tls_context: ssl.SSLContext | None) -> HttpResult:
    started = time.monotonic()
    deadline = started + timeout
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    default_port = parts.port is None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def result(outcome: ProbeOutcome, status: int | None = None, body: bytes | None = None,
               ctype: str | None = None, location: str | None = None, detail: str | None = None) -> HttpResult:
        return HttpResult(outcome, status, round(time.monotonic() - started, 3), body, ctype, location, detail)

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("time limit reached")
        return left

    sock: Any = None      # a socket, then the TLS socket, then its DeadlineSocket wrapper
    try:
        try:
            sock = connect((address, port), remaining())
        except OSError as exc:
            if exc.errno in OUR_SIDE_ERRNOS:
                return result(ProbeOutcome.PROBE_UNAVAILABLE, detail=f"connect {address}: {exc}")
            raise
        if https:
            context = tls_context or ssl.create_default_context()
            sock.settimeout(remaining())
            sock = context.wrap_socket(sock, server_hostname=host)   # SNI = the site's name
        host_header = host if default_port else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            host_header = f"[{host}]" if default_port else f"[{host}]:{port}"
        request = (f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {user_agent}\r\n"
                   "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Encoding: identity\r\n"
                   "Connection: close\r\n\r\n")
        # Every read and write from here on is bounded by the one total deadline, however
        # slowly the server drips its bytes (a per-recv timeout would restart on each byte).
        sock = DeadlineSocket(sock, deadline)
        sock.sendall(request.encode("ascii", "ignore"))
        response = http.client.HTTPResponse(sock, method="GET")
        response.begin()
        status = response.status
        ctype = response.getheader("Content-Type")
        location = response.getheader("Location")
        body = b""
        if read_body:
            chunks: list[bytes] = []
            size = 0
            while size < max_bytes:
                chunk = response.read(min(65536, max_bytes - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            body = b"".join(chunks)   # bounded: a longer body is cut, not an error
        if 200 <= status < 300:
            return result(ProbeOutcome.OK, status, body, ctype, location)
        if status in BLOCKED_STATUSES:
            return result(ProbeOutcome.BLOCKED, status, body, ctype, location)
        return result(ProbeOutcome.HTTP_ERROR, status, body, ctype, location)
    except (socket.timeout, TimeoutError) as exc:
        return result(ProbeOutcome.TIMEOUT, detail=f"no complete response within {timeout:g} s ({exc})")
    except (ssl.SSLError, ssl.CertificateError) as exc:
        return result(ProbeOutcome.TLS_ERROR, detail=f"{type(exc).__name__}: {exc}"[:300])
    except (http.client.HTTPException, OSError) as exc:
        # Refused, reset, closed without an answer, a truncated or garbled response.
        return result(ProbeOutcome.CONNECT_FAILED, detail=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass


# -- what a page says ----------------------------------------------------------------------------
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
_HIDDEN = re.compile(r"<script.*?</script>|<style.*?</style>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"""<(?:a|area|img|script|link|iframe)\b[^>]*?\s(?:href|src)\s*=\s*["']?([^"'\s>]+)""", re.I)


@dataclass(frozen=True)
class PageSummary:
    title: str | None
    text: str
    links: tuple[str, ...]
    fingerprint: str


def summarize(body: bytes, content_type: str | None, base_url: str) -> PageSummary:
    """Title, visible text and links of an HTML page (bounded), and a fingerprint of both."""
    from crawler.extract import content_type_charset, decode_html   # no Scrapy behind it

    charset = None
    if content_type:
        charset = content_type_charset(content_type)
    try:
        page, _, _ = decode_html(body, charset)
    except Exception:  # noqa: BLE001 - bad input never crashes a probe round
        page = body.decode("utf-8", "replace")
    m = _TITLE.search(page)
    title = " ".join(html_lib.unescape(m.group(1)).split()) if m else None
    text = " ".join(html_lib.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", page))).split())[:MAX_TEXT_CHARS]
    links: list[str] = []
    for raw in _LINK.findall(page):
        raw = html_lib.unescape(raw)
        if raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        try:
            target = urljoin(base_url, raw).split("#", 1)[0]
        except ValueError:
            continue
        if target not in links:
            links.append(target)
        if len(links) >= MAX_LINKS:
            break
    digest = hashlib.sha1((text + "\n" + "\n".join(sorted(links))).encode("utf-8")).hexdigest()
    return PageSummary(title or None, text, tuple(links), digest)
