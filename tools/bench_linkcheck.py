"""Link-checking benchmark: zwgk against a minimal Scrapy link checker and linkinator.

A measurement, not a test.  It generates a county-style site of about N pages (columns with
paged lists, detail pages, Chinese-named attachments, seeded 404s, GBK pages with Chinese hrefs,
links to refused ports), serves it on loopback (Debian's nginx when installed, else a threaded
Python server, said in the output), runs each tool on it interleaved ``--rounds`` times and
prints the median wall time, CPU time (user+sys of the whole process tree), peak RSS of the
process tree, requests the server received, seeded 404s found, refused ports found and false
reports, with the machine's load average beside each run.

    python tools/bench_linkcheck.py --pages 3000 --rounds 3
    python tools/bench_linkcheck.py --pages 3000 --tools zwgk,scrapy      # without linkinator

linkinator is installed with npm into a cache folder on first use (``--tools`` without it
skips that).  zwgk runs with politeness off (no delay, 16 connections per host) so that the
three tools are compared on the same footing.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "zwgk-bench"

MINIMAL_SCRAPY = '''
import json, scrapy
from urllib.parse import urlsplit
class LinkCheck(scrapy.Spider):
    name = "linkcheck"
    custom_settings = {"CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0,
                       "ROBOTSTXT_OBEY": False, "RETRY_ENABLED": False, "LOG_LEVEL": "ERROR",
                       "HTTPERROR_ALLOW_ALL": True, "DOWNLOAD_TIMEOUT": 15, "TELNETCONSOLE_ENABLED": False}
    def __init__(self, start=None, out=None, **kw):
        super().__init__(**kw)
        self.start_urls, self.host, self.out = [start], urlsplit(start).netloc, open(out, "w")
    def parse(self, response):
        if response.status >= 400:
            self.out.write(json.dumps({"url": response.url, "status": response.status}) + "\\n")
            return
        if urlsplit(response.url).netloc != self.host or not hasattr(response, "css"):
            return
        if b"html" not in response.headers.get("Content-Type", b""):
            return
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse, errback=self.failed)
    def failed(self, failure):
        self.out.write(json.dumps({"url": failure.request.url, "status": 0}) + "\\n")
'''


# -- the site -----------------------------------------------------------------------------------------
@dataclass
class Site:
    root: Path
    pages: int = 0
    broken: set[str] = field(default_factory=set)     # paths that answer 404
    refused: set[str] = field(default_factory=set)    # URLs on refused ports
    gbk_pages: int = 0


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]   # closed again when the with block ends: connections are refused


def page(title: str, body: str, charset: str = "utf-8") -> bytes:
    html = (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
            f'<body><h1>{title}</h1>{body}<div class="footer">积石山县人民政府 主办</div></body></html>')
    return html.encode("gbk" if charset == "gbk" else "utf-8")


def generate(root: Path, n_pages: int, seed: int = 1) -> Site:
    """About ``n_pages`` HTML pages: 10 columns of 20-item list pages over detail pages."""
    rng = random.Random(seed)
    site = Site(root)
    refused_ports = [closed_port() for _ in range(3)]
    columns = 10
    details = max(20, int(n_pages * 0.93))
    per_column = details // columns
    (root / "files").mkdir(parents=True)
    nav = "".join(f'<a href="/col{c}/index.html">栏目{c}</a> ' for c in range(columns))
    (root / "index.html").write_bytes(page("积石山县人民政府", nav))
    site.pages += 1
    for c in range(columns):
        col = root / f"col{c}"
        col.mkdir()
        ids = list(range(c * per_column, (c + 1) * per_column))
        lists = [ids[i:i + 20] for i in range(0, len(ids), 20)]
        for p, chunk in enumerate(lists):
            items = "".join(f'<li><a href="./art_{i}.html">文件{i}</a><span>2026-11-{1 + i % 28:02d}</span></li>'
                            for i in chunk)
            pager = f'<a href="index_{p + 1}.html">下一页</a>' if p + 1 < len(lists) else ""
            name = "index.html" if p == 0 else f"index_{p}.html"
            (col / name).write_bytes(page(f"栏目{c}", f"<ul>{items}</ul>{pager}"))
            site.pages += 1
        for i in ids:
            j = rng.randrange(per_column * columns)
            links = [f'<a href="/col{j // per_column}/art_{j}.html">相关</a>']
            if rng.random() < 0.4:
                missing = f"/col{c}/missing_{i}.html"
                site.broken.add(missing)
                links.append(f'<a href="{missing}">失效链接</a>')
            if rng.random() < 0.1:
                name = f"附件{i}.pdf"
                (root / "files" / name).write_bytes(b"%PDF-1.4\n%bench\n")
                links.append(f'<a href="/files/{name}">{name}</a>')
            if rng.random() < 0.01:
                url = f"http://127.0.0.1:{rng.choice(refused_ports)}/doc_{i}.html"
                site.refused.add(url)
                links.append(f'<a href="{url}">外部系统</a>')
            gbk = rng.random() < 0.03
            if gbk:
                site.gbk_pages += 1
                name = f"通知{i}.html"
                (root / "files" / name).write_bytes(page(f"通知{i}", "<p>正文</p>"))
                links.append(f'<a href="/files/{name}">通知{i}</a>')
            body = f"<p>发布日期：2026-11-{1 + i % 28:02d}</p>" + " ".join(links)
            (col / f"art_{i}.html").write_bytes(page(f"文件{i}", body, "gbk" if gbk else "utf-8"))
            site.pages += 1
    # Links to pages that do not exist are only broken if nothing generated them by chance.
    site.broken = {b for b in site.broken if not (root / b.lstrip("/")).exists()}
    return site


# -- serving ------------------------------------------------------------------------------------------
class Server:
    """nginx on loopback when installed (its access log counts requests), else a Python server."""

    def __init__(self, root: Path, work: Path) -> None:
        self.root, self.work = root, work
        self.port = closed_port()
        self.kind = "nginx" if shutil.which("nginx") or Path("/usr/sbin/nginx").exists() else "python"
        self.proc: subprocess.Popen[bytes] | None = None
        self.httpd: ThreadingHTTPServer | None = None
        self.count = 0
        self.lock = threading.Lock()

    def __enter__(self) -> "Server":
        if self.kind == "nginx":
            conf = self.work / "nginx.conf"
            conf.write_text(f"""daemon off; worker_processes 2; pid {self.work}/nginx.pid;
error_log {self.work}/error.log; events {{ worker_connections 1024; }}
http {{ access_log {self.work}/access.log; types {{ text/html html; application/pdf pdf; }}
  charset off; client_body_temp_path {self.work}; proxy_temp_path {self.work}; fastcgi_temp_path {self.work};
  uwsgi_temp_path {self.work}; scgi_temp_path {self.work};
  server {{ listen 127.0.0.1:{self.port}; root {self.root}; }} }}""")
            self.proc = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(conf)],
                                         stderr=subprocess.DEVNULL)
        else:
            server = self
            root = str(self.root)

            class Handler(SimpleHTTPRequestHandler):
                def __init__(self, *a: object, **kw: object) -> None:
                    super().__init__(*a, directory=root, **kw)  # type: ignore[arg-type]

                def log_message(self, *a: object) -> None:
                    with server.lock:
                        server.count += 1

            self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
            self.httpd.daemon_threads = True
            threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        return self

    def requests(self) -> int:
        if self.kind == "nginx":
            log = self.work / "access.log"
            return sum(1 for _ in log.open("rb")) if log.exists() else 0
        return self.count

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
        if self.httpd:
            self.httpd.shutdown()


# -- measuring one run --------------------------------------------------------------------------------
def tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Run:
    tool: str
    wall: float
    cpu: float
    rss_mb: float
    requests: int
    found_404: int
    found_refused: int
    false: int
    load: float


def measure(argv: list[str], cwd: Path, stdout: Any = subprocess.DEVNULL) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds of the whole process tree, and its peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.05)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
        raise SystemExit(f"{argv[0]} exited {proc.returncode}:\n{err}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 1024


def score(site: Site, base: str, reported: dict[str, int]) -> tuple[int, int, int]:
    """(seeded 404s found, refused ports found, false reports) from {url: status (0 = no answer)}."""
    broken_urls = {base + quote(p) for p in site.broken}
    found_404 = sum(1 for u in broken_urls if reported.get(u) == 404)
    found_refused = sum(1 for u in site.refused if u in reported)
    false = sum(1 for u in reported if u not in broken_urls and u not in site.refused)
    return found_404, found_refused, false


def run_zwgk(site: Site, server: Server, work: Path) -> Run:
    base = f"http://127.0.0.1:{server.port}"
    conf = work / "zwgk.toml"
    db = work / "zwgk.sqlite3"
    for stale in work.glob("zwgk.sqlite3*"):
        stale.unlink()
    conf.write_text(f"""[zwgk]
database = "zwgk.sqlite3"
county = "基准测试县"

[crawl]
max_pages_per_site = {site.pages * 3}
max_depth = 100
concurrency_per_host = 16
download_delay = 0.001
timeout = 15
allow_private_hosts = true
obey_robots_txt = false

[[units]]
name = "基准测试县人民政府"
type = "县政府"

[[sites]]
id = "bench"
name = "基准测试县人民政府网站"
url = "{base}/"
unit = "基准测试县人民政府"
""", encoding="utf-8")
    load = os.getloadavg()[0]
    before = server.requests()
    wall, cpu, rss = measure([str(VENV_BIN / "zwgk"), "crawl", "--config", str(conf), "--fresh", "--full",
                              "--json", "--as-of", "2026-11-26"], ROOT)
    requests = server.requests() - before
    reported: dict[str, int] = {}
    with sqlite3.connect(db) as con:
        for url, outcome, status in con.execute("SELECT url, outcome, status FROM link_checks"):
            if outcome != "OK":
                reported[url] = status or 0
    return Run("zwgk", wall, cpu, rss, requests, *score(site, base, reported), load)


def run_scrapy(site: Site, server: Server, work: Path) -> Run:
    spider = work / "minimal_scrapy.py"
    spider.write_text(MINIMAL_SCRAPY)
    out = work / "scrapy.jsonl"
    base = f"http://127.0.0.1:{server.port}"
    load = os.getloadavg()[0]
    before = server.requests()
    wall, cpu, rss = measure([str(VENV_BIN / "scrapy"), "runspider", str(spider), "-a", f"start={base}/",
                              "-a", f"out={out}"], work)
    requests = server.requests() - before
    reported = {}
    for line in out.read_text().splitlines():
        row = json.loads(line)
        reported[row["url"]] = row["status"]
    return Run("scrapy", wall, cpu, rss, requests, *score(site, base, reported), load)


def linkinator_bin() -> Path:
    exe = CACHE / "node_modules" / ".bin" / "linkinator"
    if not exe.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(CACHE), "linkinator"], check=True)
    return exe


def run_linkinator(site: Site, server: Server, work: Path) -> Run:
    base = f"http://127.0.0.1:{server.port}"
    out = work / "linkinator.json"
    load = os.getloadavg()[0]
    before = server.requests()
    with out.open("w") as fh:
        wall, cpu, rss = measure([str(linkinator_bin()), f"{base}/", "--recurse", "--format", "json",
                                  "--concurrency", "16", "--timeout", "15000"], work, stdout=fh)
    requests = server.requests() - before
    data = json.loads(out.read_text() or "{}")
    reported = {link["url"]: int(link.get("status") or 0)
                for link in data.get("links", []) if link.get("state") == "BROKEN"}
    return Run("linkinator", wall, cpu, rss, requests, *score(site, base, reported), load)


TOOLS = {"zwgk": run_zwgk, "scrapy": run_scrapy, "linkinator": run_linkinator}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tools", default="zwgk,scrapy,linkinator")
    args = ap.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        ap.error(f"unknown tools {unknown}; choose from {', '.join(TOOLS)}")
    with tempfile.TemporaryDirectory(prefix="zwgk-bench-") as tmp:
        work = Path(tmp)
        site = generate(work / "site", args.pages)
        print(f"site: {site.pages} pages, {len(site.broken)} seeded 404s, {site.gbk_pages} GBK pages, "
              f"{len(site.refused)} links to refused ports; {os.cpu_count()} cores")
        runs: list[Run] = []
        with Server(work / "site", work) as server:
            print(f"server: {server.kind} on 127.0.0.1:{server.port}")
            for r in range(args.rounds):
                for tool in tools:
                    run = TOOLS[tool](site, server, work)
                    runs.append(run)
                    print(f"  round {r + 1} {run.tool:<10} wall {run.wall:6.1f} s  cpu {run.cpu:6.1f} s  "
                          f"rss {run.rss_mb:6.0f} MB  requests {run.requests:6d}  404s {run.found_404:5d}  "
                          f"refused {run.found_refused:3d}  false {run.false:4d}  load {run.load:4.1f}", flush=True)
        print(f"\nmedian of {args.rounds} (seeded 404s {len(site.broken)}, refused {len(site.refused)}):")
        med: dict[str, dict[str, float]] = {}
        for tool in tools:
            mine = [r for r in runs if r.tool == tool]
            m = {k: statistics.median(getattr(r, k) for r in mine)
                 for k in ("wall", "cpu", "rss_mb", "requests", "found_404", "found_refused", "false", "load")}
            med[tool] = m
            print(f"  {tool:<10} wall {m['wall']:6.1f} s  cpu {m['cpu']:6.1f} s  rss {m['rss_mb']:6.0f} MB  "
                  f"requests {m['requests']:7.0f}  404s {m['found_404']:6.0f}  refused {m['found_refused']:3.0f}  "
                  f"false {m['false']:4.0f}  (load {m['load']:.1f})")
        if "zwgk" in med:
            for other in tools:
                if other != "zwgk":
                    z, o = med["zwgk"], med[other]
                    print(f"  zwgk / {other}: wall {z['wall'] / o['wall']:.2f}x, cpu {z['cpu'] / max(o['cpu'], 1e-9):.2f}x, "
                          f"requests {z['requests'] / max(o['requests'], 1):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
