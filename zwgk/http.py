"""A total time limit on every outbound read, whatever the sender's pace.

A socket timeout bounds each ``recv`` only: a server sending one byte a second keeps a
15 s timeout alive for ever.  :class:`DeadlineSocket` wraps a connected socket (plain or
TLS) and arms every send and receive with what is left of one monotonic deadline, so a
whole request — headers and body, through ``http.client`` — ends by the deadline.  The
probes (crawler/probes/http.py), the 政务新媒体 reader (crawler/media/readers.py) and the
crawl's connectivity watch use it.
"""
from __future__ import annotations

import http.client
import io
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class DeadlineExceeded(socket.timeout):
    """The total time limit of a request was reached (a ``socket.timeout``)."""


class DeadlineSocket:
    """A socket whose every I/O call is bounded by what is left of ``deadline`` (monotonic)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self.deadline = deadline
        # As socket.socket does: the connection stays open while a file made from it is.
        self._io_refs = 0
        self._closed = False

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("total time limit reached")
        self._sock.settimeout(left)

    def recv(self, n: int, flags: int = 0) -> bytes:
        self._arm()
        return self._sock.recv(n, flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._arm()
        return self._sock.recv_into(buffer, nbytes, flags)

    def send(self, data: bytes, flags: int = 0) -> int:
        self._arm()
        return self._sock.send(data, flags)

    def sendall(self, data: bytes, flags: int = 0) -> None:
        # sendall can block in many small sends: send piecewise, re-arming each time.
        view = memoryview(data)
        while view:
            self._arm()
            sent = self._sock.send(view, flags)
            view = view[sent:]

    def makefile(self, mode: str = "rb", buffering: int | None = None, **_: Any) -> io.BufferedReader:
        # http.client reads the response through this file: every refill goes through recv_into.
        self._io_refs += 1
        return io.BufferedReader(socket.SocketIO(self, "rb"))  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:
        self._io_refs = max(self._io_refs - 1, 0)
        if self._closed and not self._io_refs:
            self._sock.close()

    def settimeout(self, value: float | None) -> None:
        # Callers may shorten, never lengthen, the limit.
        if value is not None:
            self.deadline = min(self.deadline, time.monotonic() + value)

    def close(self) -> None:
        self._closed = True
        if not self._io_refs:
            self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def connect(address: tuple[str, int], deadline: float, *, tls: ssl.SSLContext | None = None,
            server_hostname: str | None = None) -> DeadlineSocket:
    """A TCP (and TLS) connection to exactly ``address``, opened within the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("total time limit reached before connecting")
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(left)
        sock.connect(address)
        if tls is not None:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock = tls.wrap_socket(sock, server_hostname=server_hostname)
    except BaseException:
        sock.close()
        raise
    return DeadlineSocket(sock, deadline)


def bounded_max_bytes(value: Any, default: int) -> int:
    """``max_response_bytes`` at the point of use: 0, negative or missing never means unlimited."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if n > 0 else default


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str | None
    elapsed_s: float


def get_status(url: str, *, timeout: float, max_bytes: int = 65536) -> Answer:
    """GET ``url`` (resolved by the system) within ``timeout`` seconds in total; never raises."""
    started = time.monotonic()
    deadline = started + max(float(timeout), 0.001)
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        address = infos[0][4][:2]
        sock = connect((str(address[0]), int(address[1])), deadline, tls=ssl.create_default_context() if https else None,
                       server_hostname=host)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: zwgk-control\r\n"
                         "Connection: close\r\n\r\n".encode("ascii", "ignore"))
            response = http.client.HTTPResponse(sock, method="GET")  # type: ignore[arg-type]
            response.begin()
            response.read(max_bytes)
            return Answer(response.status, None, time.monotonic() - started)
        finally:
            sock.close()
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:200], time.monotonic() - started)
