"""Serving the simulated county on loopback: HTTP (v4 and v6), DNS, config and ground truth.

``Testbed`` starts a DNS server for the testbed's ``.test`` names, one HTTP
server on a free port bound to both 127.0.0.1 and [::1] (so a name's A and
AAAA records reach the same port) that dispatches on the Host header to a
``HostApp``, and writes ``config.toml`` and ``ground_truth.json``.  It never
listens beyond loopback.

Parts of the testbed beyond the county's pages (IPv6 and availability hosts,
政务新媒体 feeds, SMTP …) are components: a module in testbed_components()
exposes ``Component(testbed)`` with ``install()`` (add hosts, start servers),
``ground_truth() -> {"findings": [...], "near_misses": [...]}``,
``config_toml() -> str`` (appended to the testbed's config) and ``stop()``;
optionally ``observe(config_path, as_of)``, which `zwgk testbed check` calls after
the crawl and before the checks to make the component's own observations
(probe rounds, feed polls) through zwgk's commands.
"""
from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Mapping, Protocol
from urllib.parse import urlsplit

from testbed.county import PORTAL_HOST, SILENT_HOST, SITE_ID, SITE_UNIT, UNITS, County
from testbed.dns import TestbedDNS, Zone

def testbed_components() -> list[Any]:
    """The testbed's parts beyond the portal, in install order (imported here: they build
    on this module)."""
    from testbed import content, directory, media, network, platforms, sites, smtp, templates

    return [sites,      # department and school sites: identity, domain, encoding, freshness
            templates,  # 信息公开 sites on Hanweb and 开普云 templates: dates, LAG002, column aliases
            content,    # a 县卫健局 site: personal data, 暗链, 严重表述错误 (PRV001, LNK005, CNT001)
            network,    # IPv6, availability, DNS cases
            media,      # 政务新媒体 feeds and account pages
            smtp,       # an SMTP server receiving the units' mail
            platforms,  # a unit whose platform is on its own (Hanweb) site
            directory]  # last: the portal's 部门网站 block and 政务新媒体 table (for `zwgk discover`)


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    body: bytes = b""
    delay_s: float = 0.0     # wait before answering: slow hosts and timeouts
    drop: bool = False       # close the connection without answering


class HostApp(Protocol):
    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        """Answer one request; ``family`` is "v4" or "v6" (the address it arrived on)."""
        ...


class CountyApp:
    """The county portal's pages, from the County model."""

    def __init__(self, county: County) -> None:
        self.county = county
        self.lock = threading.Lock()

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        with self.lock:
            status, hdrs, body = self.county.respond(urlsplit(path).path)
        return Reply(status, hdrs, body)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle and the
    # client's delayed ACK add 40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _answer(self, with_body: bool) -> None:
        host = (self.headers.get("Host") or "").lower()
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        app = self.server.testbed.apps.get(host.strip("[]"))
        self.server.testbed.requests += 1
        if app is None:
            reply = Reply(421, {"Content-Type": "text/plain"}, b"unknown host")
        else:
            reply = app.respond(self.command, self.path, dict(self.headers.items()), self.server.family)
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        etag = None
        if reply.status == 200 and "ETag" not in reply.headers:
            # Like nginx, an entity tag per response body: incremental crawls ask with If-None-Match.
            etag = '"%s"' % hashlib.sha1(reply.body).hexdigest()[:16]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(reply.body)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    testbed: "Testbed"
    family: str

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (a probe's timeout, a HEAD) is normal here: stay quiet."""
        import sys
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


def _free_dual_port() -> tuple[int, bool]:
    """A port free on 127.0.0.1 and, when this host has IPv6 loopback, on [::1]."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s4:
            s4.bind(("127.0.0.1", 0))
            port = s4.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
                    s6.bind(("::1", port))
            except OSError as exc:
                if exc.errno in (99, 97):  # EADDRNOTAVAIL / EAFNOSUPPORT: no IPv6 here
                    return port, False
                continue
            return port, True
    raise RuntimeError("no port free on both 127.0.0.1 and [::1]")


class Testbed:
    __test__ = False  # not a pytest test class

    def __init__(self, seed: int = 1, as_of: date | None = None, components: bool = True,
                 pages: int | None = None) -> None:
        if pages is not None and not 200 <= pages <= 200_000:
            raise ValueError("--pages must be between 200 and 200000")
        self.pages = pages
        self.seed = seed
        self.as_of = as_of or date.today()
        self.apps: dict[str, HostApp] = {}
        self.zone = Zone()
        self.servers: list[_Server] = []
        self.dns: TestbedDNS | None = None
        self.county: County | None = None
        self.port = 0
        self.has_ipv6 = False
        self.requests = 0
        self.use_components = components
        self.components: list[Any] = []

    # -- hosts ----------------------------------------------------------------------------
    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def base_url(self) -> str:
        return self.url(PORTAL_HOST, "").rstrip("/")

    def add_host(self, host: str, app: HostApp | None, a: list[str] | None = None,
                 aaaa: list[str] | None = None, ns: list[str] | None = None) -> None:
        """Serve ``host`` with ``app`` and publish its records (default: A 127.0.0.1, no AAAA)."""
        host = host.lower()
        if app is not None:
            self.apps[host] = app
        a = ["127.0.0.1"] if a is None else a
        for addr in [*a, *(aaaa or [])]:
            if addr not in ("127.0.0.1", "::1") and not addr.startswith("127."):
                raise ValueError(f"testbed addresses must be loopback, got {addr}")
        if self.dns is not None:
            self.dns.set(host, a=a, aaaa=aaaa or [], ns=ns or [])
        else:
            self.zone.a[host] = a
            self.zone.aaaa[host] = aaaa or []
            if ns:
                self.zone.ns[host] = ns

    # -- life -------------------------------------------------------------------------------
    def start(self) -> "Testbed":
        self.port, self.has_ipv6 = _free_dual_port()
        self.county = County(self.seed, self.as_of, self.url(PORTAL_HOST, ""), pages=self.pages)
        self.add_host(PORTAL_HOST, CountyApp(self.county), aaaa=["::1"] if self.has_ipv6 else [])
        self.zone.silent.add(SILENT_HOST)
        self.dns = TestbedDNS(self.zone)
        self.dns.start()
        families = [("127.0.0.1", _Server, "v4")] + ([("::1", _Server6, "v6")] if self.has_ipv6 else [])
        for address, cls, family in families:
            server = cls((address, self.port), _Handler)
            server.testbed = self
            server.family = family
            threading.Thread(target=server.serve_forever, name=f"testbed-http-{family}", daemon=True).start()
            self.servers.append(server)
        if self.use_components:
            for module in testbed_components():
                component = module.Component(self)
                component.install()
                self.components.append(component)
        return self

    def stop(self) -> None:
        for component in reversed(self.components):
            component.stop()
        self.components.clear()
        for server in self.servers:
            server.shutdown()
            server.server_close()
        self.servers.clear()
        if self.dns:
            self.dns.stop()
            self.dns = None

    def __enter__(self) -> "Testbed":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- outputs ------------------------------------------------------------------------------
    def ground_truth(self) -> dict[str, Any]:
        assert self.county is not None
        truth = self.county.ground_truth()
        # Copies: the county's own lists must not grow with every call.
        for key in ("findings", "near_misses", "documents", "columns"):
            truth[key] = list(truth[key])
        for component in self.components:
            extra = component.ground_truth()
            for key in ("findings", "near_misses", "documents", "columns"):
                truth[key] += extra.get(key, [])
        if not self.has_ipv6:   # a monitor host without IPv6 can judge no IPv6 rule
            truth["findings"] = [t for t in truth["findings"] if not t["rule"].startswith("NET")]
        return truth

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
            f"max_pages_per_site = {max(5000, 2 * self.county.page_count())}",
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
            'email = "bgs@jss.gov.cn.test"',
        ]
        for name, utype, path in UNITS:
            lines += ["", "[[units]]", f'name = "{name}"', f'type = "{utype}"',
                      f'email = "{path.strip("/").replace("/", "-")}@jss.gov.cn.test"',
                      f'column_prefixes = ["{base}{path}"]']
        lines += ["", "# Two checks of a failing link within one crawl are enough here: the testbed",
                  "# does not change between them.  Real sites keep the default (1 hour).",
                  "[rules.LNK002]", "confirm_after_hours = 0", "",
                  "[rules.LNK001]", "confirm_after_hours = 0", "",
                  "[rules.LNK003]", "confirm_after_hours = 0", "",
                  "[rules.LNK004]", "confirm_after_hours = 0", "",
                  "# A 方案 task: late publication anywhere also goes to the 牵头单位.",
                  "[[tasks]]", 'name = "方案第26项 20个工作日内公开"', 'rules = ["LAG001"]',
                  f'lead_units = ["{SITE_UNIT}"]', "",
                  "# The simulated platforms carry these sub-columns of 法定主动公开内容.",
                  "[rules.COL002.required]"]
        for utype in ("县政府", "乡镇", "部门"):
            lines += [f'"{utype}" = {{ "机构职能" = ["机构职能", "机构信息"], "政策文件" = ["政策文件"], '
                      f'"通知公告" = ["通知公告"], "规划计划" = ["规划计划"] }}']
        lines += [""]
        for component in self.components:
            lines += ["", component.config_toml()]
        return "\n".join(lines)

    def write(self, directory: str | Path) -> tuple[Path, Path]:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "config.toml"
        config.write_text(self.config_toml(), encoding="utf-8")
        truth = directory / "ground_truth.json"
        truth.write_text(json.dumps(self.ground_truth(), ensure_ascii=False, indent=1), encoding="utf-8")
        return config, truth
