"""Serving the simulated county on loopback: HTTP, DNS, its config and ground truth.

``Testbed`` starts a DNS server answering the testbed's ``.test`` names with
127.0.0.1, an HTTP server on a free port of 127.0.0.1 dispatching on the Host
header, and writes ``config.toml`` (pointing zwgk at both) and
``ground_truth.json`` into a directory.  It never listens beyond loopback.
"""
from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zwgk.testbed.county import PORTAL_HOST, SITE_ID, SITE_UNIT, UNITS, County
from zwgk.testbed.dns import TestbedDNS, Zone


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _answer(self, with_body: bool) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        county = self.server.county
        if host != PORTAL_HOST:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"unknown host"
        else:
            with self.server.lock:
                status, headers, body = county.respond(urlsplit(self.path).path)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    county: County
    lock: threading.Lock


class Testbed:
    __test__ = False  # not a pytest test class
    def __init__(self, seed: int = 1, as_of: date | None = None, host: str = "127.0.0.1") -> None:
        if host not in ("127.0.0.1", "::1"):
            raise ValueError("the testbed listens on loopback only")
        self.seed = seed
        self.as_of = as_of or date.today()
        self.host = host
        self.http: _Server | None = None
        self.dns: TestbedDNS | None = None
        self.county: County | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self.http is not None
        return f"http://{PORTAL_HOST}:{self.http.server_address[1]}"

    def start(self) -> "Testbed":
        self.dns = TestbedDNS(Zone(a={PORTAL_HOST: ["127.0.0.1"]}))
        self.dns.start()
        self.http = _Server((self.host, 0), _Handler)
        self.http.lock = threading.Lock()
        self.county = County(self.seed, self.as_of, self.base_url)
        self.http.county = self.county
        self._thread = threading.Thread(target=self.http.serve_forever, name="testbed-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.http:
            self.http.shutdown()
            self.http.server_close()
            self.http = None
        if self.dns:
            self.dns.stop()
            self.dns = None

    def __enter__(self) -> "Testbed":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def ground_truth(self) -> dict[str, Any]:
        assert self.county is not None
        return self.county.ground_truth()

    def config_toml(self, database: str = "zwgk.sqlite3", report_dir: str = "report") -> str:
        assert self.dns is not None and self.county is not None
        base = self.base_url
        lines = [
            "# zwgk configuration for the simulated county (written by `zwgk testbed up`).",
            "[zwgk]",
            f'database = "{database}"',
            f'report_dir = "{report_dir}"',
            'county = "积石山县（模拟）"',
            "",
            "[crawl]",
            "download_delay = 0",
            "concurrency_per_host = 8",
            "timeout = 10",
            "# the testbed lives on loopback",
            "allow_private_hosts = true",
            "",
            "[network]",
            f'nameservers = ["{self.dns.address}"]',
            "dns_timeout = 2",
            "",
            "[[sites]]",
            f'id = "{SITE_ID}"',
            'name = "积石山县人民政府门户网站（模拟）"',
            f'url = "{base}/"',
            f'unit = "{SITE_UNIT}"',
            f'start_urls = ["{base}/zwgk/"]',
            "",
            "[[units]]",
            f'name = "{SITE_UNIT}"',
            'type = "部门"',
            'email = "bgs@jss.test"',
        ]
        for name, utype, path in UNITS:
            lines += ["", "[[units]]", f'name = "{name}"', f'type = "{utype}"',
                      f'email = "{path.strip("/").replace("/", "-")}@jss.test"',
                      f'column_prefixes = ["{base}{path}"]']
        lines += ["", "# Two checks of a failing link within one crawl are enough here: the testbed",
                  "# does not change between them.  Real sites keep the default (1 hour).",
                  "[rules.LNK002]", "confirm_after_hours = 0", "",
                  "[rules.LNK001]", "confirm_after_hours = 0", ""]
        return "\n".join(lines)

    def write(self, directory: str | Path) -> tuple[Path, Path]:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "config.toml"
        config.write_text(self.config_toml(), encoding="utf-8")
        truth = directory / "ground_truth.json"
        truth.write_text(json.dumps(self.ground_truth(), ensure_ascii=False, indent=1), encoding="utf-8")
        return config, truth
