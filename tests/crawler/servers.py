"""Small loopback sites for the crawler's tests: one HTTP server, hosts told apart by Host.

Each host is a function ``(method, raw_path, headers) -> Answer``; every request is logged
with its time, so tests can count requests and measure waits.  Names resolve through a
TestbedDNS on loopback; nothing leaves 127.0.0.1.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from testbed.dns import TestbedDNS, Zone


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0


@dataclass(frozen=True)
class Hit:
    host: str
    method: str
    path: str          # raw, as sent (percent-encoding kept)
    at: float
    headers: dict[str, str]


App = Callable[[str, str, dict[str, str]], Answer]


class Sites:
    def __init__(self, apps: dict[str, App], extra_names: dict[str, list[str]] | None = None) -> None:
        self.apps = apps
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        zone = Zone(a={name: ["127.0.0.1"] for name in apps})
        zone.a.update(extra_names or {})
        self.dns = TestbedDNS(zone)
        sites = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def answer(self, body_too: bool) -> None:
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
                with sites.lock:
                    sites.hits.append(Hit(host, self.command, self.path, time.monotonic(),
                                          dict(self.headers.items())))
                app = sites.apps.get(host)
                a = app(self.command, self.path, dict(self.headers.items())) if app else Answer(421)
                if a.delay:
                    time.sleep(a.delay)
                try:
                    self.send_response(a.status)
                    for k, v in a.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(a.body)))
                    self.end_headers()
                    if body_too and a.status != 304:
                        self.wfile.write(a.body)
                except OSError:
                    pass

            def do_GET(self) -> None:  # noqa: N802
                self.answer(True)

            def do_HEAD(self) -> None:  # noqa: N802
                self.answer(False)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass   # a client killed mid-request (the SIGKILL test) is expected here

        self.http = Server(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]

    def __enter__(self) -> "Sites":
        self.dns.start()
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.dns.stop()

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def count(self, host: str | None = None) -> int:
        with self.lock:
            return sum(1 for h in self.hits if host is None or h.host == host)

    def write_config(self, directory: Path, sites: list[dict[str, Any]], **crawl: Any) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        crawl = {"download_delay": 0, "concurrency_per_host": 4, "timeout": 5, **crawl}
        lines = ["[zwgk]", 'database = "zwgk.sqlite3"', "", "[crawl]"]
        lines += [f"{k} = {_toml(v)}" for k, v in crawl.items()]
        lines += ["", "[network]", f'nameservers = ["{self.dns.address}"]', "dns_timeout = 2", ""]
        for s in sites:
            lines += ["[[sites]]"] + [f"{k} = {_toml(v)}" for k, v in s.items()] + [""]
        lines += ["[[units]]", 'name = "县政府办公室"', 'type = "部门"', ""]
        path = directory / "config.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def html(title: str, body: str, charset: str = "utf-8") -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"/><title>{title}</title></head>'
            f"<body>{body}</body></html>").encode(charset)


class BigSite:
    """A county-like site with ``columns`` columns of ``docs`` documents each, 10 per list page,
    TRS-style list markup and pagination; ETag/304 on list pages when ``etags``."""

    PER_PAGE = 10

    def __init__(self, columns: int = 3, docs: int = 60, etags: bool = True, delay: float = 0.0) -> None:
        self.etags = etags
        self.delay = delay
        self.columns: dict[str, list[tuple[str, str, date]]] = {}
        start = date(2026, 11, 20)
        n = 1000
        for c in range(columns):
            path = f"/zwgk/col{c}/"
            docs_here = []
            for i in range(docs):
                n += 1
                d = start - timedelta(days=i)
                docs_here.append((f"{path}{d:%Y%m}/t{d:%Y%m%d}_{n}.html", f"关于第{n}号事项的通知", d))
            self.columns[path] = docs_here
        self.docs = {p: (t, d) for col in self.columns.values() for p, t, d in col}

    def page(self, title: str, body: str) -> bytes:
        nav = '<div class="nav"><a href="/">首页</a> ' + " ".join(
            f'<a href="{p}">栏目{i}</a>' for i, p in enumerate(self.columns)) + "</div>"
        return html(title, nav + body)

    def list_page(self, path: str, k: int) -> bytes | None:
        docs = self.columns[path]
        pages = -(-len(docs) // self.PER_PAGE)
        if k >= pages:
            return None
        rows = "".join(f'<li><a href="./{p[len(path):]}">{t}</a><span class="date">{d:%Y-%m-%d}</span></li>'
                       for p, t, d in docs[k * self.PER_PAGE:(k + 1) * self.PER_PAGE])
        nxt = f'<a href="index_{k + 1}.html">下一页</a>' if k + 1 < pages else ""
        pager = (f'<div class="page"><script>createPageHTML({pages}, {k}, "index", "html");</script>'
                 f'{nxt} 共{pages}页</div>')
        return (f'<html><head><meta charset="utf-8"/><meta name="ColumnName" content="栏目"/>'
                f'<title>栏目</title></head><body><h1>栏目</h1><div class="list"><ul>{rows}</ul></div>'
                f"{pager}</body></html>").encode()

    def __call__(self, method: str, path: str, headers: dict[str, str]) -> Answer:
        path = path.split("?", 1)[0]
        if path == "/robots.txt":
            return Answer(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        body: bytes | None = None
        if path in ("/", "/index.html"):
            body = self.page("首页", "<p>欢迎</p>")
        folder, _, name = path.rpartition("/")
        folder += "/"
        if folder in self.columns and name in ("", "index.html") or name.startswith("index_"):
            k = 0 if name in ("", "index.html") else int(name[6:].split(".")[0])
            body = self.list_page(folder, k) if folder in self.columns else None
        if path in self.docs:
            title, d = self.docs[path]
            body = self.page(title, f"<h1>{title}</h1><p>发布日期：{d:%Y-%m-%d}</p><p>正文。</p>")
            return Answer(200, body, delay=self.delay)
        if body is None:
            return Answer(404, html("404", "<h1>404</h1>"))
        ans = Answer(200, body, delay=self.delay)
        if self.etags:
            etag = '"' + str(abs(hash(body)) % 10**12) + '"'
            ans.headers["ETag"] = etag
            if headers.get("If-None-Match") == etag:
                return Answer(304, b"", {"ETag": etag})
        return ans


def quote_gbk(text: str) -> str:
    return quote(text.encode("gbk"))
