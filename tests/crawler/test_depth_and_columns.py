"""Coverage that does not depend on crawl order: depth is the shortest path, pagination is no hop,
every column is stored once whatever alias reached it, and the summary counts what each cap left."""
from __future__ import annotations

from typing import Mapping

import pytest

from tests.conftest import AS_OF
from zwgk import pipeline
from zwgk.config import load_config
from zwgk.store import Store
from zwgk.testbed.server import Reply, Testbed

PAGES = 6   # list pages of the one column, one document each


def page(title: str, body: str, generator: str = "") -> bytes:
    meta = f'<meta name="generator" content="{generator}"/>' if generator else ""
    return (f'<html><head><meta charset="utf-8"/>{meta}<title>{title}</title></head>'
            f"<body>{body}</body></html>").encode()


class ColumnSite:
    """A homepage linking one column as /c/ and as /c/index.html; the column's pager links 首页
    as index.html and 下一页 down a chain of PAGES pages; each document links one in-site page,
    which links one more page a hop too deep."""

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        if path == "/robots.txt":
            return Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        if path == "/":
            return Reply(200, body=page("首页", '<a href="/c/">通知公告</a> <a href="/c/index.html">更多通知</a>',
                                        generator="大汉版通发布系统"))
        if path in ("/c/", "/c/index.html") or path.startswith("/c/index_"):
            k = 0 if path in ("/c/", "/c/index.html") else int(path[len("/c/index_"):-len(".html")])
            if k >= PAGES:
                return Reply(404, body=b"")
            item = f'<ul><li><a href="/c/t2026110{k + 1}_{k}.html">关于第{k}批项目的通知公告</a><span>2026-11-0{k + 1}</span></li></ul>'
            pager = '<div class="page"><a href="index.html">首页</a> '
            if k + 1 < PAGES:
                pager += f'<a href="index_{k + 1}.html">下一页</a> '
            pager += f"共{PAGES}页</div>"
            return Reply(200, body=page("通知公告", f'<meta name="ColumnName" content="通知公告"/>{item}{pager}'))
        if path.startswith("/c/t2026110"):
            k = path.rsplit("_", 1)[1].split(".")[0]
            body = (f'<h1>关于第{k}批项目的通知公告</h1><div id="zoom"><p>现将第{k}批项目有关事项通知如下，'
                    f'请各单位认真贯彻落实，按时报送材料。</p><p><a href="/r/{k}.html">相关解读</a></p></div>')
            return Reply(200, body=page(f"关于第{k}批项目的通知公告", body))
        if path.startswith("/r/"):
            k = path[3:-5]
            return Reply(200, body=page("解读", f'<p>解读正文</p><a href="/deep/{k}.html">更深一层</a>'))
        if path.startswith("/deep/"):
            return Reply(200, body=page("更深", "<p>更深</p>"))
        return Reply(404, body=b"")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp_path = tmp_path_factory.mktemp("depth")
    with Testbed(seed=1, as_of=AS_OF, components=False) as tb:
        tb.add_host("col.depth.test", ColumnSite())
        config_file = tmp_path / "config.toml"
        config_file.write_text("\n".join([
            "[zwgk]", 'database = "z.sqlite3"', "[crawl]", "download_delay = 0", "allow_private_hosts = true",
            # home 0 → column 1 (its pages too) → documents 2 → their linked pages 3; /deep/ is 4.
            "max_depth = 3",
            "[network]", f'nameservers = ["{tb.dns.address}"]', "dns_timeout = 2",
            "[[units]]", 'name = "县政府办公室"', 'type = "部门"',
            "[[sites]]", 'id = "col"', 'name = "栏目站"', f'url = "{tb.url("col.depth.test")}"',
            'unit = "县政府办公室"', ""]), encoding="utf-8")
        config = load_config(config_file)
        run = pipeline.crawl(config, AS_OF, quiet=True)
        url = lambda p: tb.url("col.depth.test", p)  # noqa: E731
    assert run.status == "complete", run.errors
    with Store(config.database) as store:
        return {"pages": {p.url: p for p in store.pages(run.run_id)}, "columns": store.columns(run.run_id),
                "summary": store.run(run.run_id).summary, "url": url}


def test_pagination_is_not_a_hop(crawled: dict) -> None:
    """Every document's linked page is fetched, on page 1 and on page 6 of the column alike."""
    for k in range(PAGES):
        got = crawled["pages"].get(crawled["url"](f"/r/{k}.html"))
        assert got is not None and got.status == 200, k
        assert got.depth == 3
    assert not [u for u in crawled["pages"] if "/deep/" in u]   # one hop over max_depth


def test_one_column_whatever_alias_or_pager_reached_it(crawled: dict) -> None:
    [column] = crawled["columns"]
    assert column.url == crawled["url"]("/c/")
    assert (column.pages_seen, column.item_count) == (PAGES, PAGES)


def test_summary_counts_pages_each_cap_left_unfetched(crawled: dict) -> None:
    unfetched = crawled["summary"]["unfetched_by_cap"]
    assert unfetched == {"max_depth": PAGES, "max_pages_per_site": 0, "max_list_pages_per_column": 0}


def test_summary_keeps_the_detected_cms_profile(crawled: dict) -> None:
    cms = crawled["summary"]["cms"]["col"]
    assert cms["cms"] == "hanweb" and cms["how"] == "detected"
    assert any(e.startswith("generator") for e in cms["evidence"])
