"""HTTPS probes: SNI is the site's name, and a certificate our trust store rejects is not unavailability."""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from typing import Iterator

import pytest

from crawler.probes.http import fetch
from zwgk.records.probes import ProbeOutcome

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a certificate")


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, list[str]]]:
    """A one-page HTTPS server on 127.0.0.1 with a self-signed certificate for www.county.test."""
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=www.county.test", "-addext", "subjectAltName=DNS:www.county.test",
                    "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(d / "cert.pem", d / "key.pem")
    sni: list[str] = []
    context.sni_callback = lambda sock, name, ctx: sni.append(name) and None
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(raw, server_side=True) as conn:
                    conn.recv(4096)
                    body = "<html><head><title>积石山县人民政府</title></head><body>首页</body></html>".encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                                 + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            except (ssl.SSLError, OSError):
                pass   # the verifying client hangs up on our self-signed certificate

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], sni
    stop.set()
    thread.join(timeout=2)
    listener.close()


def test_self_signed_certificate_is_ok_with_the_problem_noted(https_server: tuple[int, list[str]]) -> None:
    port, sni = https_server
    result = fetch(f"https://www.county.test:{port}/", "127.0.0.1", timeout=5)
    assert result.outcome is ProbeOutcome.OK and result.status == 200
    assert "证书未通过校验" in (result.detail or "") and "CERTIFICATE_VERIFY_FAILED" in result.detail
    assert "积石山县人民政府".encode() in (result.body or b"")
    assert sni and set(sni) == {"www.county.test"}        # SNI carries the site's name, not the address


def test_an_explicit_verifying_context_reports_the_tls_error(https_server: tuple[int, list[str]]) -> None:
    port, _ = https_server
    result = fetch(f"https://www.county.test:{port}/", "127.0.0.1", timeout=5,
                   tls_context=ssl.create_default_context())
    assert result.outcome is ProbeOutcome.TLS_ERROR
