"""Real crawls in a child process (Twisted's reactor cannot restart inside pytest) against
small loopback sites: every link outcome, Retry-After, GBK hrefs, crawler traps, the
incremental re-crawl and a resume after SIGKILL."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.crawler.servers import Answer, BigSite, Sites, free_port, html, quote_gbk
from commands import steps as pipeline
from commands.common import load_config
from zwgk.records.probes import ResolveStatus
from zwgk.store import Store

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 26)
RETRY_AFTER = 2
# Waits for a crawl end at this many seconds: far beyond any crawl here, loaded machine or not.
CEILING = 600


# --- the outcomes site ------------------------------------------------------------------------

def site_app(port: int, dead_port: int) -> Any:
    gbk_links = ('<a href="/gbk/附件一.doc">附件一</a> <a href="/gbk/下载.do?name=通知">下载</a> '
                 f'<a href="/gbk/{quote_gbk("旧附件")}.doc">旧附件</a>')
    home = html("首页", "".join(f'<p><a href="{href}">{text}</a></p>' for href, text in [
        ("/ok.html", "好"), ("/missing.html", "不存在"), ("/soft.html", "软404"),
        ("/old/deep/page.html", "旧链接"), ("/waf.html", "拦截"), ("/limited.html", "限流"),
        ("/loop.html", "循环"), ("/big.html", "大页面"), ("/files/nohead.pdf", "不支持HEAD"),
        ("/files/headlies.pdf", "HEAD说谎"), ("/private/secret.html", "robots"),
        ("/gbk/index.html", "GBK页面"), ("/g404.html", "G404国道"),
        (f"http://slow.test:{port}/slow.html", "慢"), (f"http://dead.test:{dead_port}/", "拒绝连接"),
        (f"https://tls.test:{port}/", "TLS"), (f"http://nx.test:{port}/", "域名不存在"),
        (f"http://rate.test:{port}/rate.html", "Retry-After"), (f"http://ext.test:{port}/x.html", "外部私网"),
    ]) + "".join(f'<a href="/cal.html?d={i}">{i}</a>' for i in range(1, 41)))
    gbk_page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"/>'
                f"<title>GBK页面</title></head><body><p>附件下载：</p>{gbk_links}</body></html>").encode("gbk")
    gbk_ok = {"/gbk/%E9%99%84%E4%BB%B6%E4%B8%80.doc",            # path: UTF-8, as browsers send it
              "/gbk/%E4%B8%8B%E8%BD%BD.do?name=%CD%A8%D6%AA",    # path UTF-8, query in the page's GBK
              f"/gbk/{quote_gbk('旧附件')}.doc"}                  # percent-encoded GBK left as written

    def app(method: str, path: str, headers: dict[str, str]) -> Answer:
        bare = path.split("?", 1)[0]
        if bare == "/robots.txt":
            return Answer(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
        if bare in ("/", "/index.html"):
            return Answer(200, home)
        if bare in ("/ok.html", "/cal.html"):
            return Answer(200, html("正常页面", "<p>" + "正文内容。" * 200 + "</p>"))
        if bare == "/g404.html":
            return Answer(200, html("关于G404线路调整的说明", "<h1>关于G404线路调整的说明</h1><p>G404国道施工。</p>"))
        if bare == "/soft.html":
            return Answer(200, html("提示信息", "<h2>抱歉，您访问的页面不存在或已被删除！</h2>"))
        if bare == "/old/deep/page.html":
            return Answer(302, b"", {"Location": f"http://site.test:{port}/"})
        if bare == "/waf.html":
            return Answer(403, html("拦截", "<h1>访问被拦截</h1><p>已被网站防火墙拦截。</p>"))
        if bare == "/limited.html":
            return Answer(429, b"", {"Retry-After": "86400", "Content-Type": "text/html"})
        if bare == "/loop.html":
            return Answer(302, b"", {"Location": "/loop2.html"})
        if bare == "/loop2.html":
            return Answer(302, b"", {"Location": "/loop.html"})
        if bare == "/big.html":
            return Answer(200, b"<html><body>" + b"x" * 300_000 + b"</body></html>")
        if bare == "/files/nohead.pdf":
            return Answer(405 if method == "HEAD" else 200, b"%PDF-1.4", {"Content-Type": "application/pdf"})
        if bare == "/files/headlies.pdf":
            return Answer(404 if method == "HEAD" else 200, b"%PDF-1.4", {"Content-Type": "application/pdf"})
        if bare == "/gbk/index.html":
            # The header lies (Latin-1); the page is GBK.
            return Answer(200, gbk_page, {"Content-Type": "text/html; charset=ISO-8859-1"})
        if bare.startswith("/gbk/"):
            ok = path in gbk_ok
            return Answer(200 if ok else 404, b"DOC" if ok else b"", {"Content-Type": "application/msword"})
        return Answer(404, html("404", "<h1>404 Not Found</h1>"))

    return app


def slow_app(method: str, path: str, headers: dict[str, str]) -> Answer:
    return Answer(200, html("慢", "慢"), delay=0 if path == "/robots.txt" else 3)


class RateApp:
    """429 with Retry-After on the first request for the page, then 200."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self, method: str, path: str, headers: dict[str, str]) -> Answer:
        if path == "/robots.txt":
            return Answer(404, b"")
        self.asked += 1
        if self.asked == 1:
            return Answer(429, b"", {"Retry-After": str(RETRY_AFTER), "Content-Type": "text/html"})
        return Answer(200, b"", {"Content-Type": "application/octet-stream"})


def tls_app(method: str, path: str, headers: dict[str, str]) -> Answer:
    return Answer(200, html("tls", "plain HTTP only"))


def run_crawler(config: Path, run_id: int, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "crawler.run", "--config", str(config), "--run-id", str(run_id),
                           *extra], capture_output=True, text=True, env=env, timeout=CEILING)


def last_json(stdout: str) -> dict[str, Any]:
    import json

    return json.loads([line for line in stdout.splitlines() if line.strip()][-1])


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    dead_port = free_port()
    apps: dict[str, Any] = {"slow.test": slow_app, "rate.test": RateApp(), "tls.test": tls_app,
                            "ext.test": tls_app, "dead.test": tls_app, "site.test": tls_app}
    with Sites(apps) as sites:
        sites.apps["site.test"] = site_app(sites.port, dead_port)   # it needs the port
        directory = tmp_path_factory.mktemp("outcomes")
        config = sites.write_config(
            directory, [{"id": "s", "name": "站点", "url": sites.url("site.test"), "unit": "县政府办公室",
                         "hosts": ["slow.test", "dead.test", "tls.test", "nx.test", "rate.test"]}],
            timeout=1, max_response_bytes=100_000, allow_private_hosts=False)
        cfg = load_config(config)
        with Store(cfg.database) as store:
            run_id = store.start_run("crawl", AS_OF)
        done = run_crawler(config, run_id)
        assert done.returncode == 0, done.stderr[-3000:]
        with Store(cfg.database) as store:
            checks = store.link_checks(up_to_run=run_id)
            links = store.links(run_id)
        first: dict[str, Any] = {}
        for c in checks:
            first.setdefault(c.url, c)
        yield {"checks": first, "all_checks": checks, "links": links, "sites": sites,
               "database": cfg.database, "run_id": run_id,
               "summary": last_json(done.stdout), "url": sites.url, "port": sites.port, "dead_port": dead_port}


def outcome(outcomes: dict[str, Any], url: str) -> Any:
    check = outcomes["checks"].get(url)
    assert check is not None, f"no check of {url}; have {sorted(outcomes['checks'])}"
    return check


@pytest.mark.parametrize("path, expected, status", [
    ("/ok.html", "OK", 200),
    ("/missing.html", "BROKEN", 404),
    ("/soft.html", "SOFT_404", 200),
    ("/old/deep/page.html", "SOFT_404", 200),
    ("/waf.html", "BLOCKED", 403),
    ("/limited.html", "BLOCKED", 429),
    ("/loop.html", "REDIRECT_LOOP", None),
    ("/big.html", "EXCLUDED", None),
    ("/files/nohead.pdf", "OK", 200),
    ("/files/headlies.pdf", "OK", 200),
    ("/private/secret.html", "EXCLUDED", None),
    ("/g404.html", "OK", 200),
])
def test_outcome_on_the_site(outcomes: dict[str, Any], path: str, expected: str, status: int | None) -> None:
    check = outcome(outcomes, outcomes["url"]("site.test", path))
    assert (check.outcome.value, check.status) == (expected, status), check


def test_block_page_and_refused_wait_are_explained(outcomes: dict[str, Any]) -> None:
    assert "block page" in outcome(outcomes, outcomes["url"]("site.test", "/waf.html")).detail
    assert "Retry-After" in outcome(outcomes, outcomes["url"]("site.test", "/limited.html")).detail
    assert "homepage" in outcome(outcomes, outcomes["url"]("site.test", "/old/deep/page.html")).detail
    assert "too large" in outcome(outcomes, outcomes["url"]("site.test", "/big.html")).detail
    assert "robots" in outcome(outcomes, outcomes["url"]("site.test", "/private/secret.html")).detail.lower()


def test_network_outcomes(outcomes: dict[str, Any]) -> None:
    port = outcomes["port"]
    assert outcome(outcomes, f"http://slow.test:{port}/slow.html").outcome.value == "TIMEOUT"
    dead = outcome(outcomes, f"http://dead.test:{outcomes['dead_port']}/")
    assert dead.outcome.value == "CONNECT_ERROR"
    assert outcome(outcomes, f"https://tls.test:{port}/").outcome.value == "TLS_ERROR"
    nx = outcome(outcomes, f"http://nx.test:{port}/")
    assert nx.outcome.value == "DNS_ERROR" and nx.detail.startswith("dns=NXDOMAIN")
    # typed, for the link policy: an NXDOMAIN answer and a refused connection, while our
    # resolver and other hosts answered (checks/_links.py confirms them)
    assert (nx.dns, nx.refused, nx.healthy) == (ResolveStatus.NXDOMAIN, False, True)
    assert (dead.dns, dead.refused, dead.healthy) == (None, True, True)
    assert outcome(outcomes, f"http://slow.test:{port}/slow.html").healthy is None


def test_private_external_host_is_excluded(outcomes: dict[str, Any]) -> None:
    ext = outcome(outcomes, f"http://ext.test:{outcomes['port']}/x.html")
    assert ext.outcome.value == "EXCLUDED" and "private address" in ext.detail
    assert outcomes["sites"].count("ext.test") == 0    # not even robots.txt was asked


def test_retry_after_is_honoured(outcomes: dict[str, Any]) -> None:
    hits = [h for h in outcomes["sites"].hits if h.host == "rate.test" and h.path == "/rate.html"]
    assert len(hits) >= 2
    waited = hits[1].at - hits[0].at
    assert waited >= RETRY_AFTER - 0.1, waited
    assert outcome(outcomes, f"http://rate.test:{outcomes['port']}/rate.html").outcome.value == "OK"
    assert outcomes["summary"]["progress"]["retry_after_honoured"] >= 1


def test_gbk_hrefs_are_encoded_like_a_browser(outcomes: dict[str, Any]) -> None:
    url = outcomes["url"]
    for target in ("/gbk/附件一.doc", "/gbk/下载.do?name=通知", f"/gbk/{quote_gbk('旧附件')}.doc"):
        check = outcome(outcomes, url("site.test", target))
        assert check.outcome.value == "OK", check
    texts = {l.target_url: l.text for l in outcomes["links"] if l.source_url == url("site.test", "/gbk/index.html")}
    assert texts[url("site.test", "/gbk/附件一.doc")] == "附件一"


def test_query_variants_beyond_the_cap_are_excluded(outcomes: dict[str, Any]) -> None:
    cal = {u: c for u, c in outcomes["checks"].items() if "/cal.html?d=" in u}
    excluded = [c for c in cal.values() if c.outcome.value == "EXCLUDED"]
    assert len(cal) == 40 and len(excluded) == 10
    assert all("crawler trap" in c.detail for c in excluded)
    assert sum(1 for h in outcomes["sites"].hits if h.path.startswith("/cal.html")) == 30


def test_summary_has_the_progress_numbers(outcomes: dict[str, Any]) -> None:
    p = outcomes["summary"]["progress"]
    assert p["pages_fetched"] > 40 and p["requests"] >= p["pages_fetched"]
    assert p["outcomes"]["OK"] >= 40 and p["outcomes"]["TIMEOUT"] >= 1


# --- incremental re-crawl -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def recrawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    big = BigSite(columns=3, docs=60, etags=True)
    with Sites({"big.test": big}) as sites:
        config = sites.write_config(tmp_path_factory.mktemp("incremental"), [
            {"id": "big", "name": "大站", "url": sites.url("big.test"), "unit": "县政府办公室"}],
            concurrency_per_host=8)
        cfg = load_config(config)
        counts, results = [], []
        for _ in range(2):
            before = sites.count()
            results.append(pipeline.crawl(cfg, AS_OF, quiet=True))
            counts.append(sites.count() - before)
        with Store(cfg.database) as store:
            runs = [store.run(r.run_id) for r in results]
            docs = [store.documents(r.run_id) for r in results]
            cols = [store.columns(r.run_id) for r in results]
        yield {"counts": counts, "results": results, "runs": runs, "docs": docs, "cols": cols, "big": big,
               "database": cfg.database}


def test_unchanged_recrawl_makes_few_requests(recrawl: dict[str, Any]) -> None:
    first, second = recrawl["counts"]
    assert first > 190               # 1 home + 18 list pages + 180 documents (+ robots.txt)
    print(f"first crawl {first} requests, unchanged re-crawl {second} ({second / first:.1%})")
    assert second <= 0.1 * first, (first, second)
    progress = recrawl["runs"][1].summary["progress"]
    assert progress["not_modified"] >= 4 and progress["pages_carried"] == 180


def test_recrawl_carries_every_document_forward(recrawl: dict[str, Any]) -> None:
    before, after = recrawl["docs"]
    assert len(before) == 180
    strip = lambda d: (d.url, d.title, d.pub_date, d.column_url, d.list_date)  # noqa: E731
    assert sorted(map(strip, after)) == sorted(map(strip, before))
    assert [(c.url, c.item_count) for c in recrawl["cols"][1]] == [(c.url, c.item_count) for c in recrawl["cols"][0]]


# --- resume after SIGKILL -------------------------------------------------------------------------

def test_killed_crawl_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    big = BigSite(columns=3, docs=60, etags=False, delay=0.03)
    with Sites({"big.test": big}) as sites:
        config = sites.write_config(tmp_path, [
            {"id": "big", "name": "大站", "url": sites.url("big.test"), "unit": "县政府办公室"}],
            concurrency_per_host=2)
        cfg = load_config(config)
        with Store(cfg.database) as store:
            run_id = store.start_run("crawl", AS_OF)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen([sys.executable, "-m", "crawler.run", "--config", str(config),
                                  "--run-id", str(run_id)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + CEILING
        stored = 0
        while time.monotonic() < deadline:
            time.sleep(0.1)
            stored = _count(cfg.database, "SELECT COUNT(*) FROM documents WHERE run_id=?", run_id)
            if stored >= 40 or child.poll() is not None:
                break
        assert child.poll() is None, "the crawl ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert 40 <= stored < 180
        fetched_before = sites.count()

        done = run_crawler(config, run_id)
        assert done.returncode == 0, done.stderr[-3000:]
        summary = last_json(done.stdout)
        assert summary["resumed"] is True and summary["progress"]["pages_resumed"] >= 40
        with Store(cfg.database) as store:
            docs = store.documents(run_id)
        assert sorted(d.url for d in docs) == sorted(sites.url("big.test", p) for p in big.docs)
        assert _count(cfg.database, "SELECT COUNT(*) FROM documents WHERE run_id=?", run_id) == 180
        dup = _count(cfg.database, "SELECT COUNT(*) FROM (SELECT url FROM link_checks WHERE run_id=? "
                                   "GROUP BY url HAVING COUNT(*) > 1)", run_id)
        assert dup == 0
        # The resumed process did not fetch again what the killed one had stored.
        detail_hits = [h.path for h in sites.hits if h.path in big.docs]
        print(f"stored at the kill: {stored}; detail requests: {len(detail_hits)}; "
              f"fetched before: {fetched_before}, after: {sites.count() - fetched_before}; {summary['progress']}")
        assert len(detail_hits) - len(set(detail_hits)) <= 30, "too many documents fetched twice"
        assert sites.count() - fetched_before < 180


def _count(database: Path, sql: str, *args: Any) -> int:
    db = sqlite3.connect(database, timeout=30)
    try:
        return int(db.execute(sql, args).fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


# --- evidence kept for appeal ----------------------------------------------------------------------

def test_pages_and_failing_links_are_captured_with_status_family_and_body(outcomes: dict[str, Any]) -> None:
    from zwgk.store import crawl as crawl_store

    with Store(outcomes["database"]) as store:
        home = crawl_store.latest_capture(store, outcomes["url"]("site.test"))
        missing = crawl_store.latest_capture(store, outcomes["url"]("site.test") + "missing.html")
        soft = crawl_store.latest_capture(store, outcomes["url"]("site.test") + "soft.html")
        ok = crawl_store.latest_capture(store, outcomes["url"]("site.test") + "ok.html")
    assert home is not None and home.status == 200 and home.method == "GET" and home.body and b"<html" in home.body
    assert home.address_family in ("IPv4", "IPv6") and home.run_id == outcomes["run_id"]
    assert home.stored_bytes < len(home.body)                      # zlib
    assert missing is not None and missing.status == 404           # a failing link check keeps its answer
    assert soft is not None and "不存在".encode() in (soft.body or b"")
    assert ok is not None and ok.status == 200                     # in-site pages are captured too


def test_an_unchanged_recrawl_stores_no_body_twice(recrawl: dict[str, Any]) -> None:
    from zwgk.store import crawl as crawl_store

    with Store(recrawl["database"]) as store:
        cost = crawl_store.evidence_cost(store)
        not_modified = _count(recrawl["database"], "SELECT count(*) FROM crawl_captures WHERE status=304 "
                                                   "AND content_hash IS NOT NULL")
    # 1 home + 18 list pages + 180 documents, each body once whatever the two crawls saw
    assert 199 <= cost["bodies"] <= cost["urls"] < cost["captures"], cost
    assert not_modified >= 4
    print(f"evidence: {cost['captures']} captures of {cost['urls']} URLs, {cost['bodies']} bodies, "
          f"{cost['raw_bytes']} bytes raw, {cost['stored_bytes']} stored "
          f"({cost['stored_bytes'] / cost['bodies']:.0f} bytes a body)")
