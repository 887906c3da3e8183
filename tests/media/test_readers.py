"""Readers on saved feeds (RSS, RDF, Atom, JSON Feed, GBK, malformed, HTML list) and on loopback HTTP."""
from __future__ import annotations

import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from crawler.media.readers import (Fetched, SourceError, compile_selector, fetch, looks_blocked, parse_source,
                                parse_post_date, read_account)
from zwgk.records.media import CHINA_TZ, Account, MediaOutcome as O

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=CHINA_TZ)
LIST_SELECTORS = {"item": "table.xmt tr", "contains": "积石山县卫健", "date": "td.last"}


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize("text, expected", [
    ("Mon, 16 Nov 2026 09:00:00 +0800", date(2026, 11, 16)),
    ("Thu, 19 Nov 2026 20:30:00 GMT", date(2026, 11, 20)),       # 04:30 in China
    ("Thu, 19 Nov 2026 15:30:00 GMT", date(2026, 11, 19)),
    ("2026-11-02T08:00:00+08:00", date(2026, 11, 2)),
    ("2026-11-01T20:00:00Z", date(2026, 11, 2)),
    ("2026-11-02 08:00:00", date(2026, 11, 2)),
    ("2026-10-30", date(2026, 10, 30)),
    ("2026年11月23日 09:30", date(2026, 11, 23)),
    ("2026年6月5日", date(2026, 6, 5)),
    ("昨天", None), ("", None), (None, None), ("Mon, 31 Feb 2026 09:00:00 +0800", None),
])
def test_post_dates(text, expected):
    assert parse_post_date(text) == expected


def test_rss2_counts_posts_and_reads_dates_in_china_time():
    parsed = parse_source("rss", raw("rss2.xml"))
    assert parsed.post_count == 3
    assert sorted(parsed.dates) == [date(2026, 11, 16), date(2026, 11, 20)]


def test_rss1_rdf_with_dc_date():
    parsed = parse_source("rss", raw("rss1.rdf"))
    assert parsed.post_count == 2 and max(parsed.dates) == date(2026, 11, 2)


def test_atom_prefers_published_over_updated():
    parsed = parse_source("atom", raw("atom.xml"))
    assert parsed.post_count == 2
    assert sorted(parsed.dates) == [date(2026, 10, 1), date(2026, 10, 9)]


def test_json_feed_published_then_modified():
    parsed = parse_source("jsonfeed", raw("feed.json"))
    assert parsed.post_count == 3 and sorted(parsed.dates) == [date(2026, 11, 20), date(2026, 11, 24)]


def test_gbk_feed_declared_gb2312_decodes_with_chinese_dates():
    body = raw("rss_gbk.xml")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    parsed = parse_source("rss", body)
    assert parsed.post_count == 2 and max(parsed.dates) == date(2026, 11, 23)


def test_gbk_feed_served_with_a_gbk_header_and_no_declaration():
    body = raw("rss_gbk.xml").split(b"?>", 1)[1]
    parsed = parse_source("rss", body, "GBK")
    assert max(parsed.dates) == date(2026, 11, 23)


def test_empty_feed_has_no_posts():
    assert parse_source("rss", raw("empty.xml")).post_count == 0


@pytest.mark.parametrize("kind, name", [("rss", "malformed.xml"), ("rss", "captcha.html"),
                                        ("jsonfeed", "rss2.xml"), ("jsonfeed", "captcha.html"),
                                        ("atom", "feed.json")])
def test_not_the_expected_source_raises_source_error(kind, name):
    with pytest.raises(SourceError):
        parse_source(kind, raw(name))


def test_html_list_by_css_and_by_xpath():
    by_css = parse_source("html", raw("account_list.html"), None, LIST_SELECTORS)
    assert by_css.post_count == 1 and by_css.dates == (date(2026, 11, 6),)
    by_xpath = parse_source("html", raw("account_list.html"), None,
                            {"item": "//table[@class='xmt']//tr", "contains": "人民政府客户端", "date": "./td[3]"})
    assert by_xpath.dates == (date(2026, 11, 15),)


def test_html_selectors_that_match_nothing_are_an_error_not_no_posts():
    with pytest.raises(SourceError):
        parse_source("html", raw("account_list.html"), None, {**LIST_SELECTORS, "contains": "不存在的账号"})


def test_an_xpath_that_selects_no_nodes_is_a_source_error():
    with pytest.raises(SourceError):
        parse_source("html", raw("account_list.html"), None, {"item": "(count(//tr))"})


def test_bad_selectors_are_value_errors():
    with pytest.raises(ValueError):
        compile_selector("table[[")
    with pytest.raises(ValueError):
        compile_selector("//tr[")


def test_captcha_markers():
    assert looks_blocked(raw("captcha.html"), None)
    assert not looks_blocked(raw("rss2.xml"), None)


# -- read_account with a fake fetcher ----------------------------------------------------------

def account(source: str = "rss", **kw) -> Account:
    return Account(kw.pop("name", "积石山发布"), "县政府办公室", "微信公众号", source,
                   kw.pop("url", "https://feeds.example.cn/a.xml"), **kw)


def served(body: bytes, status: int = 200, outcome: O | None = None, charset: str | None = None):
    return lambda url: Fetched(url, outcome, status, charset, body, "" if outcome is None else f"HTTP {status}")


@pytest.mark.parametrize("name, outcome, newest, count", [
    ("rss2.xml", O.OK, date(2026, 11, 20), 3),
    ("rss_gbk.xml", O.OK, date(2026, 11, 23), 2),
    ("empty.xml", O.NO_POSTS, None, 0),
    ("undated.xml", O.UNDATED, None, 2),
    ("malformed.xml", O.MALFORMED, None, None),
    ("captcha.html", O.BLOCKED, None, None),
])
def test_read_account_outcomes(name, outcome, newest, count):
    o = read_account(account(), served(raw(name)), NOW)
    assert (o.outcome, o.newest_date, o.post_count) == (outcome, newest, count)
    assert o.url == "https://feeds.example.cn/a.xml" and o.observed_at == NOW


def test_a_post_dated_in_the_future_makes_the_account_unverifiable():
    # Issue 12: an impossible date hides which post is newest; judging an older one gave a false MED001.
    body = raw("rss2.xml").replace(b"Mon, 16 Nov 2026", b"Mon, 16 Nov 2099")
    o = read_account(account(), served(body), NOW)
    assert o.outcome is O.UNDATED and o.newest_date is None and "impossible" in o.detail


def test_an_unreadable_newest_post_makes_the_account_unverifiable():
    body = raw("rss2.xml")
    first = body.index(b"<pubDate>") + len(b"<pubDate>")
    end = body.index(b"</pubDate>", first)
    o = read_account(account(), served(body[:first] + "3小时前".encode() + body[end:]), NOW)
    assert o.outcome is O.UNDATED and o.newest_date is None


def test_fetch_failures_pass_through():
    o = read_account(account(), served(b"", 403, O.BLOCKED), NOW)
    assert o.outcome is O.BLOCKED and o.status == 403


def test_manual_entries_are_not_fetched():
    def boom(url):
        raise AssertionError("fetched")
    o = read_account(account("manual", url="", name="积石山融媒", last_post=date(2026, 11, 20)), boom, NOW)
    assert (o.outcome, o.newest_date, o.url) == (O.OK, date(2026, 11, 20), "manual:积石山融媒")
    never = read_account(account("manual", url="", name="空号", never_posted=True), boom, NOW)
    assert never.outcome is O.NO_POSTS


def test_html_fragment_is_not_sent_but_kept_as_the_key():
    seen = []

    def fetcher(url):
        seen.append(url)
        return Fetched(url, None, 200, "utf-8", raw("account_list.html"))
    acct = account("html", url="https://www.example.cn/xmt/#wjj", selectors=tuple(LIST_SELECTORS.items()))
    o = read_account(acct, fetcher, NOW)
    assert seen == ["https://www.example.cn/xmt/"] and o.url == "https://www.example.cn/xmt/#wjj"
    assert o.newest_date == date(2026, 11, 6)


# -- fetch over loopback --------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        routes = {
            "/feed.xml": (200, raw("rss2.xml")),
            "/%E6%96%B0%E5%AA%92%E4%BD%93/feed.xml": (200, raw("rss_gbk.xml")),
            "/forbidden": (403, b"no"), "/busy": (429, b"slow down"), "/gone": (404, b"not found"),
            "/error": (502, b"bad gateway"), "/big": (200, b"x" * 5000),
        }
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/feed.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.5)
        status, body = routes.get(self.path, (200, b"late"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path, outcome, status", [
    ("/feed.xml", None, 200), ("/moved", None, 200), ("/forbidden", O.BLOCKED, 403), ("/busy", O.BLOCKED, 429),
    ("/gone", O.HTTP_ERROR, 404), ("/error", O.HTTP_ERROR, 502), ("/big", O.MALFORMED, 200),
    ("/loop", O.HTTP_ERROR, None), ("/slow", O.UNREACHABLE, None),
])
def test_fetch(server, path, outcome, status):
    got = fetch(server + path, timeout=0.5, max_bytes=4096)
    assert (got.outcome, got.status) == (outcome, status), got.detail


def test_fetch_chinese_path_is_percent_encoded(server):
    got = fetch(server + "/新媒体/feed.xml", timeout=2)
    assert got.outcome is None and parse_source("rss", got.body).post_count == 2


def test_fetch_refused_connection_is_unreachable():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    got = fetch(f"http://127.0.0.1:{port}/feed.xml", timeout=2)
    assert got.outcome is O.UNREACHABLE and "Refused" in got.detail
