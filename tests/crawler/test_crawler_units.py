"""The crawler's pure parts, without a reactor: outcomes, traps, politeness, progress, schema."""
from __future__ import annotations

import io
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import Request, Response

from crawler import middlewares, progress
from zwgk.store import crawl as crawl_tables
from crawler.middlewares import PolitenessMiddleware, private_address, retry_after_seconds
from crawler.pipelines import load_memory
from crawler.spiders.disclosure import DisclosureSpider, TrapLimits, dns_detail, soft_404_reason
from zwgk.records import LinkObs, Site
from zwgk.store import Store

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, expected", [
    ("120", 120.0), (b"0", 0.0), ("Thu, 26 Nov 2026 08:00:30 GMT", 30.0),
    ("Thu, 26 Nov 2026 07:00:00 GMT", 0.0), ("soon", None), (None, None), ("", None),
])
def test_retry_after_values(value: Any, expected: float | None) -> None:
    assert retry_after_seconds(value, NOW) == expected


@pytest.mark.parametrize("address, private", [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True), ("169.254.1.1", True), ("::1", True),
    ("fd00::1", True), ("202.100.1.1", False), ("2400:da00::6666", False),
])
def test_private_addresses(address: str, private: bool) -> None:
    assert private_address(address) is private


@pytest.mark.parametrize("url, final, redirects, html, soft", [
    ("http://a/x/y.html", "http://a/", ["http://a/x/y.html"], None, True),
    ("http://a/", "http://a/index.html", ["http://a/"], None, False),         # the homepage itself
    ("http://a/x/", "http://a/x/index.html", ["http://a/x/"], None, False),   # a deep redirect, not home
    ("http://a/p.html", "http://a/p.html", None, "<title>404 页面</title><body>x</body>", True),
    ("http://a/p.html", "http://a/p.html", None, "<title>提示</title><h2>您访问的页面不存在</h2>", True),
    ("http://a/p.html", "http://a/p.html", None, "<title>关于G404线路调整的说明</title><p>G404</p>", False),
    ("http://a/p.html", "http://a/p.html", None,
     "<title>通知</title><p>" + "正文" * 400 + "如页面不存在请联系我们</p>", False),   # long page, in passing
    ("http://a/p.html", "http://a/p.html", None, "<title>404 Not Found</title><body>nginx</body>", True),
    ("http://a/p.html", "http://a/p.html", None, "<title>页面不存在_某县人民政府</title><p>返回首页</p>", True),
    ("http://a/p.html", "http://a/p.html", None, "<title>错误</title><h1>404</h1><p>返回首页</p>", True),
    # Near-misses: "404" inside a document's title or 文号, on short pages too.
    ("http://a/p.html", "http://a/p.html", None,
     "<title>关于印发实施方案的通知（积政发〔2024〕404号）_某县人民政府</title><p>各乡镇：</p>", False),
    ("http://a/p.html", "http://a/p.html", None, "<title>某县人民政府令第404号</title><h1>某县人民政府令第404号</h1>", False),
    ("http://a/p.html", "http://a/p.html", None,
     "<title>我县404户脱贫户喜领分红</title><h1>我县404户脱贫户喜领分红</h1><p>正文</p>", False),
    ("http://a/p.html", "http://a/p.html", None, "<title>Error 404 工作简报</title><p>x</p>", False),
])
def test_soft_404(url: str, final: str, redirects: list[str] | None, html: str | None, soft: bool) -> None:
    assert bool(soft_404_reason(url, final, redirects, html)) is soft


def spider(**kwargs: Any) -> DisclosureSpider:
    site = Site("s", "站", "http://a.test/", "办公室")
    return DisclosureSpider([site], run_id=1, **kwargs)


def test_traps_only_for_generic_links() -> None:
    sp = spider(traps=TrapLimits(max_query_variants=3, max_path_segments=4, max_segment_repeats=2))
    state = sp.sites[0]
    taken = [sp.visit(state, f"http://a.test/cal.html?m={i}", kind="page", depth=1, referrer=None) for i in range(5)]
    assert [len(out) and type(out[0]).__name__ for _, out in taken] == ["Request"] * 3 + ["LinkCheck"] * 2
    assert "query variants" in taken[3][1][0].detail
    # List items and pagination may have any number of query variants (detail.jsp?id=…).
    assert all(type(sp.visit(state, f"http://a.test/d.jsp?id={i}", kind="item", depth=1, referrer=None)[1][0])
               .__name__ == "Request" for i in range(5))
    deep = sp.visit(state, "http://a.test/a/b/c/d/e/f.html", kind="page", depth=1, referrer=None)[1][0]
    assert "path segments" in deep.detail
    loop = sp.visit(state, "http://a.test/x/x/x/p.html", kind="page", depth=1, referrer=None)[1][0]
    assert "repeated" in loop.detail


def test_page_requests_follow_redirects_and_keep_the_page_encoding() -> None:
    sp = spider()
    _, (request,) = sp.visit(sp.sites[0], "http://a.test/下载.do?name=通知", kind="page", depth=1,
                             referrer=None, encoding="gb18030")
    assert request.url == "http://a.test/%E4%B8%8B%E8%BD%BD.do?name=%CD%A8%D6%AA"
    assert request.dont_filter and "handle_httpstatus_all" not in request.meta
    assert 404 in request.meta["handle_httpstatus_list"] and 302 not in request.meta["handle_httpstatus_list"]


class _FakeResolution:
    def __init__(self, status: str, detail: str = "") -> None:
        self.status = type("S", (), {"name": status})()
        self.detail = detail


class _FakeResolver:
    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    def resolution(self, host: str) -> Any:
        return self.answers.get(host)


def test_dns_detail_tells_nxdomain_from_our_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.resolver as resolver

    monkeypatch.setattr(resolver, "_installed", _FakeResolver(
        {"gone.test": _FakeResolution("NXDOMAIN"), "slow.test": _FakeResolution("TIMEOUT", "A: timed out")}))
    assert dns_detail("http://gone.test/x", "err").startswith("dns=NXDOMAIN (the name does not exist)")
    assert dns_detail("http://slow.test/x", "err").startswith("dns=TIMEOUT (could not verify) A: timed out")
    assert dns_detail("http://other.test/x", "err") == "err"


def test_our_side_is_healthy_only_with_other_names_and_hosts_answering(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import crawler.resolver as resolver

    s = spider()
    s.crawler = type("C", (), {"zwgk_connectivity": None})()
    fake = _FakeResolver({})
    fake.resolved_at = {"gone.test": time.time()}      # only the failing name itself
    monkeypatch.setattr(resolver, "_installed", fake)
    s.answered_at = {"site.test:80": time.time()}
    assert not s.our_side_healthy("http://gone.test/x", dns=True)
    fake.resolved_at["site.test"] = time.time() - 300   # too long ago
    assert not s.our_side_healthy("http://gone.test/x", dns=True)
    fake.resolved_at["site.test"] = time.time()
    assert s.our_side_healthy("http://gone.test/x", dns=True)
    # a refused connection needs another host:port that answered, not DNS evidence
    assert not s.our_side_healthy("http://site.test:80/x", dns=False)
    assert s.our_side_healthy("http://site.test:1/x", dns=False)
    s.answered_at = {}
    assert not s.our_side_healthy("http://gone.test/x", dns=True)


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, n: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + n

    def get_stats(self) -> dict[str, int]:
        return self.values


class _Slot:
    def __init__(self) -> None:
        self.delay, self.jitter, self.lastseen = 0.0, 0.5, 0.0


class _Crawler:
    def __init__(self) -> None:
        self.stats = _Stats()
        slot = _Slot()

        class Downloader:
            slots = {"h.test": slot}

            def get_slot_key(self, request: Request) -> str:
                return "h.test"

        self.engine = type("E", (), {"downloader": Downloader()})()
        self.slot = slot


def politeness(clock: list[float]) -> tuple[PolitenessMiddleware, _Crawler]:
    crawler = _Crawler()
    mw = PolitenessMiddleware(crawler, max_retry_after=60, max_backoff_tries=3, base_backoff=1.0,
                              error_window=10, error_share=0.5, error_pause=30, clock=lambda: clock[0])
    return mw, crawler


def test_retry_after_holds_the_whole_slot_and_asks_again(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(middlewares.time, "monotonic", lambda: clock[0])
    mw, crawler = politeness(clock)
    request = Request("http://h.test/a.html")
    again = mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "7"}))
    assert isinstance(again, Request) and again.meta["zwgk_backoff_tries"] == 1
    assert crawler.slot.lastseen == pytest.approx(107.0) and crawler.slot.delay >= 0.5
    assert mw.waits == [("http://h.test/a.html", 7.0)]
    # Answers come back fine once the wait is over: the delay returns towards the configured 0.
    clock[0] = 108.0
    for _ in range(3):
        mw.process_response(request, Response(request.url, status=200))
    assert crawler.slot.delay == pytest.approx(1e-3)


def test_too_long_retry_after_is_recorded_not_waited(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    mw, crawler = politeness(clock)
    request = Request("http://h.test/a.html")
    answer = mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "3600"}))
    assert isinstance(answer, Response) and "3600" in request.meta["zwgk_detail"]


def test_error_spike_pauses_the_host_once(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [50.0]
    monkeypatch.setattr(middlewares.time, "monotonic", lambda: clock[0])
    mw, crawler = politeness(clock)
    request = Request("http://h.test/a.html")
    for i in range(10):
        mw.process_response(request, Response(request.url, status=200 if i % 3 == 0 else 502))
    assert "h.test" in mw.paused and "of the last 10 answers were errors" in mw.paused["h.test"]
    assert crawler.slot.lastseen == pytest.approx(80.0)
    assert crawler.stats.values["zwgk/host_paused"] == 1
    mw.process_response(request, Response(request.url, status=502))   # still spiking: no second pause yet
    assert crawler.stats.values["zwgk/host_paused"] == 1


def test_healthy_host_is_not_paused() -> None:
    mw, crawler = politeness([0.0])
    request = Request("http://h.test/a.html")
    for i in range(40):
        mw.process_response(request, Response(request.url, status=502 if i % 4 == 0 else 200))
    assert mw.paused == {}


def test_plain_500s_of_one_page_do_not_hold_or_pause_the_host() -> None:
    """A 500 is one page's application error, not an overloaded host."""
    mw, crawler = politeness([0.0])
    request = Request("http://h.test/broken.html")
    before = crawler.slot.lastseen
    for _ in range(20):
        mw.process_response(request, Response(request.url, status=500))
    assert mw.paused == {} and crawler.slot.lastseen == before


def test_refused_connections_and_rechecks_do_not_hold_the_host() -> None:
    from scrapy.exceptions import DownloadConnectionRefusedError

    mw, crawler = politeness([0.0])
    before = crawler.slot.lastseen
    mw.process_exception(Request("http://h.test:1/x.html"), DownloadConnectionRefusedError("refused"))
    recheck = Request("http://h.test/gone.html", meta={"recheck": True})
    mw.process_exception(recheck, TimeoutError("slow"))
    assert crawler.slot.lastseen == before


def test_progress_is_quiet_without_a_tty_and_counts() -> None:
    stats = {"downloader/request_count": 30, "zwgk/pages_fetched": 20, "zwgk/pages_carried": 5,
             "zwgk/outcome/OK": 25, "zwgk/outcome/BROKEN": 2, "response_received_count": 29}
    n = progress.numbers(stats, 10.0, queued=3)
    assert (n["requests_per_s"], n["pages_per_s"], n["queued"]) == (3.0, 2.0, 3)
    assert n["outcomes"] == {"BROKEN": 2, "OK": 25}

    class C:
        def __init__(self) -> None:
            self.stats = type("S", (), {"get_stats": lambda self: stats})()
            self.engine = None

    out = io.StringIO()
    p = progress.Progress(C(), 0.1, stream=out)
    p.opened()
    p.closed()
    assert out.getvalue() == "" and p.loop is None
    assert "20 pages" in p.line() and "2 failed checks" in p.line()


def test_crawl_tables_are_migrated_once_by_the_store_under_their_shipped_name(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    with Store(db) as store:
        cols = {r[1] for r in store.db.execute("PRAGMA table_info(crawl_page_cache)")}
    assert {"etag", "last_modified", "content_hash", "body", "run_id"} <= cols
    with Store(db):
        pass   # already migrated: the store does not try again
    row = sqlite3.connect(db).execute("SELECT version FROM schema_versions WHERE component='crawler.schema'").fetchone()
    assert row[0] == len(crawl_tables.MIGRATIONS)
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM crawl_page_cache").fetchone()[0] == 0


def test_memory_of_an_empty_database(tmp_path: Path) -> None:
    from datetime import date

    db = tmp_path / "m.sqlite3"
    with Store(db) as store:
        run_id = store.start_run("crawl", date(2026, 11, 26))
    memory = load_memory(str(db), run_id, NOW, 24)
    assert (memory.resumed, memory.previous_run_id, memory.leaf_pages, memory.ok_links) == (False, None, {}, {})


def test_empty_marker_counts_only_on_pages_no_script_fills() -> None:
    from pathlib import Path

    from crawler.spiders.disclosure import empty_marker

    static = '<html><body><h1>通知公告</h1><div class="list"><p class="empty">暂无信息</p></div></body></html>'
    assert empty_marker(static)
    assert not empty_marker(static.replace("暂无信息", "共0条"))
    vue = '<div id="app"><li v-for="d in list">{{ d.title }}</li><p v-if="!list.length">暂无数据</p></div>'
    assert not empty_marker(vue)
    ajax = static.replace("</body>", "<script>$.ajax({url: '/api/list'})</script></body>")
    assert not empty_marker(ajax)
    real = Path(__file__).resolve().parents[2].parent / "shared" / "realpages" / "pingtan" / "pt-a-25-zxgh-list.html"
    if real.exists():   # a real TRS page whose avalon template carries 暂无数据 for the script to replace
        assert "暂无数据" in real.read_text(encoding="utf-8") and not empty_marker(real.read_text(encoding="utf-8"))


def test_a_page_first_met_too_deep_is_fetched_when_a_shorter_path_appears() -> None:
    from zwgk.records import LinkObs

    sp = spider(max_depth=2)
    state = sp.sites[0]
    link = LinkObs(1, "s", "http://a.test/deep/p.html", "http://a.test/x/page.html", "a", "某页", True)
    # Met from a page at depth 2: one hop over the cap, so only its link is checked (HEAD).
    [check] = list(sp.follow(state, link.source_url, [link], 2, "utf-8"))
    assert check.method == "HEAD" and sp.unfetched_by_cap()["max_depth"] == 1
    # Met again from the homepage: fetched as a page on the shorter path, and no longer unfetched.
    [request] = list(sp.follow(state, "http://a.test/", [link], 0, "utf-8"))
    assert request.method == "GET" and request.meta["zwgk_depth"] == 1
    assert sp.unfetched_by_cap()["max_depth"] == 0


def test_shallower_pages_go_first_and_pagination_keeps_its_depth() -> None:
    sp = spider()
    state = sp.sites[0]
    _, [shallow] = sp.visit(state, "http://a.test/a/", kind="page", depth=1, referrer=None)
    _, [deep] = sp.visit(state, "http://a.test/b/", kind="page", depth=3, referrer=None)
    _, [listpage] = sp.visit(state, "http://a.test/a/index_1.html", kind="listpage", depth=1, referrer=None,
                             priority=10)
    assert shallow.priority > deep.priority and listpage.meta["zwgk_depth"] == 1
    # The column's first page under another name is the same page.
    assert sp.visit(state, "http://a.test/a/index.html", kind="page", depth=1, referrer=None) == (False, [])


def test_links_into_a_retired_path_are_neither_crawled_nor_checked() -> None:
    site = Site("s", "站", "http://a.test/", "办公室", exclude=("http://a.test/old/", "http://b.test/2019/"))
    sp = DisclosureSpider([site], run_id=1)
    links = [LinkObs(1, "s", "http://a.test/", target, "a", "t", target.startswith("http://a.test"))
             for target in ("http://a.test/old/deep/page.html", "http://b.test/2019/x.pdf",
                            "http://a.test/new/page.html", "http://a.test/older.html")]
    out = list(sp.follow(sp.sites[0], "http://a.test/", links, 0, "utf-8"))
    urls = [getattr(o, "url", None) for o in out]
    assert "http://a.test/new/page.html" in urls and "http://a.test/older.html" in urls   # a prefix, not a word
    assert not [u for u in urls if u and ("/old/" in u or "/2019/" in u)]
    assert not [o for o in out if type(o).__name__ == "LinkCheck"]                    # nothing recorded either
