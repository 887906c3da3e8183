"""政务新媒体 in the testbed: a feed bridge and an account list page, with seeded cases.

``media.jss.gov.cn.test`` serves, relative to ``testbed.as_of``, the feeds of the accounts in
ACCOUNTS: fresh, stale (15 days), just under (13 days), never posted, blocked (a captcha page
with 200, a 403, a 429), an Atom feed, a JSON Feed, a GBK RSS feed with Chinese dates, the
portal's HTML account list, a malformed feed, a host that does not resolve, manual entries, and
two active accounts of one unit on one platform (plus a closed one that must not count).

``config_toml()`` gives their [[accounts]] tables, ``expected()`` the findings and near-misses
an inspection that reads them must give.  ``ground_truth()`` hands those to the testbed's
combined ground truth only when IN_PIPELINE is true: `zwgk run` / `zwgk demo` and
tests/test_end_to_end.py do not read the accounts yet, and must then expect no MED finding.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping
from urllib.parse import urlsplit

from testbed.server import Reply

HOST = "media.jss.gov.cn.test"
GONE_HOST = "gone.jss.gov.cn.test"     # never published in the testbed's DNS: NXDOMAIN
LIST_PATH = "/xmt/index.html"
# Set to True once the pipeline polls the accounts before `check` (see the module docstring).
IN_PIPELINE = True


@dataclass(frozen=True)
class Case:
    name: str
    unit: str
    platform: str
    source: str
    path: str                            # on HOST; "" for manual; a full URL starting "http" for GONE_HOST
    age: int | None = None               # days between the newest post and as_of; None = no post
    serve: str = "feed"                  # feed | captcha | 403 | 429 | broken | gbk | none
    findings: tuple[str, ...] = ()
    near: tuple[str, ...] = ()
    active: bool = True
    selectors: str = ""                  # TOML inline table for html sources


ACCOUNTS = (
    Case("积石山发布", "县政府办公室", "微信公众号", "rss", "/feeds/jssfb.xml", 2, near=("MED001",)),
    Case("积石山教育", "县教育局", "微信公众号", "rss", "/feeds/jyj.xml", 15, findings=("MED001", "MED004")),
    Case("积石山县教育局", "县教育局", "微信公众号", "jsonfeed", "/feeds/jyj.json", 1, findings=("MED004",)),
    Case("积石山教育旧号", "县教育局", "微信公众号", "rss", "/feeds/jyj-old.xml", None, serve="none",
         near=("MED001", "MED002", "MED003", "MED004"), active=False),
    Case("健康积石山", "县卫健局", "新浪微博", "rss", "/feeds/wjj.xml", 13, near=("MED001",)),
    Case("刘集乡发布", "刘集乡", "抖音", "rss", "/feeds/ljx.xml", None, findings=("MED001", "MED003")),
    Case("居集镇发布", "居集镇", "今日头条", "rss", "/feeds/jjz.xml", 30, serve="captcha",
         findings=("MED002",), near=("MED001",)),
    Case("积石山发改", "县发改局", "快手", "jsonfeed", "/feeds/fgj.json", 30, serve="403",
         findings=("MED002",), near=("MED001",)),
    Case("吹麻滩镇抖音号", "吹麻滩镇", "抖音", "rss", "/feeds/cmtz-dy.xml", 30, serve="429",
         findings=("MED002",), near=("MED001",)),
    Case("大河家镇发布", "大河家镇", "微信公众号", "atom", "/feeds/dhjz.atom", 30, findings=("MED001",)),
    Case("大河家镇抖音号", "大河家镇", "抖音", "rss", "/feeds/dhjz-dy.xml", 300, findings=("MED001",),
         near=("MED003",)),
    Case("吹麻滩镇发布", "吹麻滩镇", "微信公众号", "rss", "/feeds/cmtz.xml", 400, serve="gbk",
         findings=("MED001", "MED003")),
    Case("居集镇视频号", "居集镇", "微信视频号", "rss", "/feeds/jjz-sph.xml", 2, serve="broken",
         findings=("MED002",), near=("MED001",)),
    Case("发改微信", "县发改局", "微信公众号", "rss", f"http://{GONE_HOST}/feed.xml", 2,
         findings=("MED002",), near=("MED001",)),
    Case("积石山县人民政府客户端", "积石山县人民政府", "移动客户端", "html", LIST_PATH + "#xzf", 11,
         near=("MED001",),
         selectors="{ item = \"//table[@class='xmt']//tr\", contains = \"积石山县人民政府客户端\", date = \"./td[3]\" }"),
    Case("积石山县卫健", "县卫健局", "微信视频号", "html", LIST_PATH + "#wjj", 20, findings=("MED001",),
         selectors='{ item = "table.xmt tr", contains = "积石山县卫健", date = "td.last" }'),
    Case("积石山融媒", "县政府办公室", "抖音", "manual", "", 3, near=("MED001",)),
    Case("刘集乡快手号", "刘集乡", "快手", "manual", "", 40, findings=("MED001",)),
)

CAPTCHA_PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>安全验证</title></head><body>"
                "<div class='verify'><p>访问过于频繁，请输入验证码后继续访问</p><img src='/captcha.png'>"
                "<input name='code'><button>提交</button></div></body></html>")


def _rfc822(d: date, hour: int = 10) -> str:
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{days[d.weekday()]}, {d.day:02d} {months[d.month - 1]} {d.year} {hour:02d}:00:00 +0800"


class MediaApp:
    """The feed bridge and the portal's 政务新媒体 list page."""

    def __init__(self, as_of: date, cases: tuple[Case, ...] = ACCOUNTS) -> None:
        self.as_of = as_of
        self.by_path = {urlsplit(c.path).path: c for c in cases if c.path.startswith("/")}
        self.listed = [c for c in cases if c.source == "html"]

    def posts(self, case: Case) -> list[date]:
        """Five posts, the newest ``age`` days before as_of (none when age is None)."""
        if case.age is None:
            return []
        return [self.as_of - timedelta(days=case.age + 3 * i) for i in range(5)]

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        path = urlsplit(path).path
        if path == LIST_PATH:
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, self.render_list().encode())
        case = self.by_path.get(path)
        if case is None or case.serve == "none":
            return Reply(404, {"Content-Type": "text/html; charset=utf-8"}, "<h1>404 页面不存在</h1>".encode())
        if case.serve == "captcha":
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, CAPTCHA_PAGE.encode())
        if case.serve in ("403", "429"):
            return Reply(int(case.serve), {"Content-Type": "text/html; charset=utf-8"},
                         "<h1>访问被拒绝</h1>".encode())
        if case.serve == "broken":
            body = self.render_rss(case)
            return Reply(200, {"Content-Type": "application/rss+xml; charset=utf-8"},
                         body[: len(body) // 2].encode())
        if case.serve == "gbk":
            return Reply(200, {"Content-Type": "application/rss+xml"}, self.render_rss(case, gbk=True))
        if case.source == "atom":
            return Reply(200, {"Content-Type": "application/atom+xml; charset=utf-8"}, self.render_atom(case).encode())
        if case.source == "jsonfeed":
            return Reply(200, {"Content-Type": "application/feed+json"}, self.render_json(case).encode())
        return Reply(200, {"Content-Type": "application/rss+xml; charset=utf-8"}, self.render_rss(case).encode())

    def render_rss(self, case: Case, gbk: bool = False) -> Any:
        items = []
        for i, d in enumerate(self.posts(case)):
            # The GBK bridge writes Chinese dates, as some county CMS exports do.
            when = f"{d.year}年{d.month}月{d.day}日 09:30" if gbk else _rfc822(d)
            items.append(f"<item><title>{case.name}：镕铸乡村振兴第{i + 1}期</title>"
                         f"<link>http://{HOST}/posts/{case.path.strip('/').replace('/', '-')}-{i}.html</link>"
                         f"<pubDate>{when}</pubDate></item>")
        xml = (f'<?xml version="1.0" encoding="{"gb2312" if gbk else "utf-8"}"?>\n'
               f'<rss version="2.0"><channel><title>{case.name}</title><link>http://{HOST}/</link>'
               f"<description>{case.platform}</description>{''.join(items)}</channel></rss>")
        return xml.encode("gbk") if gbk else xml

    def render_atom(self, case: Case) -> str:
        entries = "".join(
            f"<entry><title>{case.name}第{i + 1}期</title><id>tag:{HOST},{d}:{i}</id>"
            f"<updated>{d.isoformat()}T18:00:00+08:00</updated><published>{d.isoformat()}T09:00:00+08:00</published>"
            f"</entry>" for i, d in enumerate(self.posts(case)))
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{case.name}</title><id>tag:{HOST},feed</id><updated>{self.as_of}T00:00:00Z</updated>"
                f"{entries}</feed>")

    def render_json(self, case: Case) -> str:
        return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": case.name,
                           "items": [{"id": f"{case.name}-{i}", "title": f"{case.name}第{i + 1}期",
                                      "date_published": f"{d.isoformat()}T08:00:00+08:00"}
                                     for i, d in enumerate(self.posts(case))]}, ensure_ascii=False)

    def render_list(self) -> str:
        rows = "".join(
            f"<tr><td class='name'>{c.name}</td><td>{c.platform}</td>"
            f"<td class='last'>{(self.as_of - timedelta(days=c.age)):%Y年%m月%d日}</td></tr>"
            for c in self.listed if c.age is not None)
        return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>政务新媒体</title></head><body>"
                "<h1>政务新媒体矩阵</h1><table class='xmt'><tr><th>账号名称</th><th>平台</th><th>最近更新</th></tr>"
                f"{rows}</table></body></html>")


class Component:
    def __init__(self, testbed: Any) -> None:
        self.testbed = testbed

    def install(self) -> None:
        self.testbed.add_host(HOST, MediaApp(self.testbed.as_of))

    def stop(self) -> None:
        pass

    def url(self, case: Case) -> str:
        if case.source == "manual":
            return f"manual:{case.name}"
        if case.path.startswith("http"):
            parts = urlsplit(case.path)
            return f"http://{parts.hostname}:{self.testbed.port}{parts.path}"
        return self.testbed.url(HOST, case.path)

    def expected(self) -> dict[str, list[dict[str, Any]]]:
        def entry(rule: str, case: Case) -> dict[str, Any]:
            return {"rule": rule, "site": "media", "unit": case.unit, "url": self.url(case), "column": None}
        return {"findings": [entry(r, c) for c in ACCOUNTS for r in c.findings],
                "near_misses": [entry(r, c) for c in ACCOUNTS for r in c.near]}

    def ground_truth(self) -> dict[str, list[dict[str, Any]]]:
        return self.expected() if IN_PIPELINE else {"findings": [], "near_misses": []}

    def observe(self, config_path: Any, as_of: date) -> None:
        """Poll every account once, at 10:00 China time on ``as_of``."""
        from datetime import datetime, time

        from commands.common import load_config
        from commands.media import poll_and_store
        from zwgk.records.media import CHINA_TZ

        poll_and_store(load_config(config_path), datetime.combine(as_of, time(10), CHINA_TZ))

    def config_toml(self) -> str:
        lines = ["# 政务新媒体 accounts of the simulated county (read with `zwgk media`)."]
        for c in ACCOUNTS:
            lines += ["[[accounts]]", f'name = "{c.name}"', f'unit = "{c.unit}"', f'platform = "{c.platform}"',
                      f'source = "{c.source}"']
            if c.source == "manual":
                lines.append(f"last_post = {self.testbed.as_of - timedelta(days=c.age or 0)}")
            else:
                lines.append(f'url = "{self.url(c)}"')
            if c.selectors:
                lines.append(f"selectors = {c.selectors}")
            if not c.active:
                lines.append("active = false")
            lines.append("")
        return "\n".join(lines)
