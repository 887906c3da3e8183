"""The testbed's mail server: aiosmtpd on 127.0.0.1, keeping every message it receives.

As a testbed component (see testbed/server.py) it adds ``[smtp]`` and
``[notify]`` sections to the testbed's config.toml, so `zwgk notify` against the
testbed delivers here.  Tests read ``messages`` (parsed, with their envelope)
and may ``stop_server()`` / ``start_server()`` to simulate an outage: the
server comes back on the same port.  It never listens beyond loopback.

aiosmtpd is a test dependency: without it the component stays silent (no
server, no [smtp] section) so that `zwgk demo` still runs on a plain install.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

HOST = "127.0.0.1"
ADMIN = "admin@jss.gov.cn.test"
SENDER = "zwgk@jss.gov.cn.test"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


class _Handler:
    def __init__(self, sink: "Component") -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.sink._receive(Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.original_content
                                                                                         or envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Component:
    """``Component(testbed)`` for the Testbed, or ``Component()`` on its own in a test."""

    def __init__(self, testbed: Any = None) -> None:
        self.testbed = testbed
        self.port = 0
        self.controller: Any = None
        self.available = _have_aiosmtpd()
        self._lock = threading.Lock()
        self._messages: list[Received] = []

    # -- life -------------------------------------------------------------------------------
    def install(self) -> "Component":
        if self.available:
            self.port = self.port or _free_port()
            self.start_server()
        return self

    def start_server(self) -> None:
        if self.controller is None:
            from aiosmtpd.controller import Controller

            # Controller(port=0) does not work (FIELD-NOTES): a port picked beforehand, kept across restarts.
            self.controller = Controller(_Handler(self), hostname=HOST, port=self.port)
            self.controller.start()

    def stop_server(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def stop(self) -> None:
        self.stop_server()

    def __enter__(self) -> "Component":
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what arrived --------------------------------------------------------------------------
    def _receive(self, received: Received) -> None:
        with self._lock:
            self._messages.append(received)

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    # -- testbed interface ------------------------------------------------------------------------
    def ground_truth(self) -> dict[str, list[Any]]:
        return {"findings": [], "near_misses": []}

    def config_toml(self) -> str:
        if not self.available:
            return "# no [smtp] section: aiosmtpd is not installed (pip install -e '.[test]')\n"
        return "\n".join([
            "# 整改通知 go to the testbed's own mail server on loopback.",
            "[smtp]",
            f'host = "{HOST}"',
            f"port = {self.port}",
            'tls = "none"',
            f'from_address = "{SENDER}"',
            "timeout = 10",
            "",
            "[notify]",
            f'admin_email = "{ADMIN}"',
            "rate_per_minute = 0",
            "",
        ])


def _have_aiosmtpd() -> bool:
    try:
        import aiosmtpd  # noqa: F401 - the test extra; without it the testbed has no mail server
    except ImportError:
        return False
    return True
