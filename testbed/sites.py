"""Testbed component: department and school sites beside the portal.

Seeds the site-level rules with their near-misses:
- ``fgj`` (县发改局, GBK pages): homepage and news 20 days old (UPD001, UPD002), no ICP
  number in the footer (SID001), one page whose HTTP header says utf-8 while the page is
  GBK (ENC001);
- ``jyj`` (县教育局, GBK pages with honest headers): 13 days old (near-miss UPD001/UPD002),
  SiteIDCode meta differing from the footer (SID001), correct charset (near-miss ENC001);
- ``school`` (县第一中学): a non-.gov domain (SID002); complete identity (near-miss SID001);
- the portal itself: complete identity, under the portal domain (near-misses SID001/SID002).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from testbed.county import SITE_ID, TOPICS
from testbed.server import Reply

CONAC = ('<a href="http://bszs.conac.cn/sitename?method=show&amp;id=0002">'
         '<img src="http://dcs.conac.cn/image/red.png" alt="党政机关"/></a>')


@dataclass
class SiteSpec:
    id: str
    host: str
    name: str
    unit: str
    newest_age: int
    footer_code: str
    meta_code: str
    icp: bool = True
    badge: bool = True
    charset: str = "utf-8"
    lying_page: bool = False
    cms: str = "generic"          # generic: /xwdt/ ...; hanweb: /col/col1234/index.html, /art/Y/M/D/art_1234_N.html
    truth: list[tuple[str, str]] = field(default_factory=list)        # (rule, path)
    near: list[tuple[str, str, str]] = field(default_factory=list)    # (rule, path, why)


SPECS = [
    SiteSpec("fgj", "fgj.jss.gov.cn.test", "积石山县发展和改革局", "县发改局", newest_age=20,
             footer_code="6229270002", meta_code="6229270002", icp=False, charset="gbk", lying_page=True,
             truth=[("UPD001", "/"), ("UPD002", "/xwdt/"), ("SID001", "/"), ("ENC001", "/xwdt/notice-gbk.html")],
             near=[("SID002", "/", "under the portal's domain")]),
    SiteSpec("jyj", "jyj.jss.gov.cn.test", "积石山县教育局", "县教育局", newest_age=13,
             footer_code="6229270003", meta_code="6229270009", charset="gbk", cms="hanweb",
             truth=[("SID001", "/")],
             near=[("UPD001", "/", "newest item 13 days old"),
                   ("UPD002", "/col/col1234/index.html", "newest item 13 days old"),
                   ("ENC001", "/", "GBK with an honest charset"), ("SID002", "/", "under the portal's domain")]),
    SiteSpec("school", "www.jssyz.edu.test", "积石山县第一中学", "县教育局", newest_age=2,
             footer_code="6229270004", meta_code="6229270004",
             truth=[("SID002", "/")],
             near=[("SID001", "/", "complete identity"), ("UPD001", "/", "fresh")]),
]


class SiteApp:
    def __init__(self, spec: SiteSpec, component: "Component") -> None:
        self.spec = spec
        self.c = component
        as_of = component.testbed.as_of
        rng_topics = TOPICS[len(spec.id):] + TOPICS[:len(spec.id)]
        self.news = [(as_of - timedelta(days=spec.newest_age + 4 * i), f"{spec.name}{rng_topics[i]}工作简报")
                     for i in range(6)]

    def page(self, title: str, body: str, meta: Mapping[str, str] | None = None) -> str:
        s = self.spec
        metas = "".join(f'<meta name="{k}" content="{escape(v)}"/>' for k, v in (meta or {}).items())
        icp = "陇ICP备05000123号-2 " if s.icp else ""
        return (f'<!DOCTYPE html><html><head><meta charset="{s.charset}"/>'
                f'<meta name="SiteName" content="{escape(s.name)}"/><meta name="SiteIDCode" content="{s.meta_code}"/>'
                f'{metas}<title>{escape(title)}_{escape(s.name)}</title></head><body>'
                f'<div class="nav"><a href="/">首页</a> <a href="{self.column_path}">工作动态</a></div>{body}'
                f'<div class="footer"><p>主办：{escape(s.name)}</p>{CONAC if s.badge else ""}'
                f'<p>网站标识码：{s.footer_code} {icp}甘公网安备 6229270200000{s.footer_code[-1]}号</p></div>'
                f'</body></html>')

    @property
    def column_path(self) -> str:
        return "/col/col1234/index.html" if self.spec.cms == "hanweb" else "/xwdt/"

    def detail_path(self, i: int) -> str:
        d = self.news[i][0]
        if self.spec.cms == "hanweb":
            return f"/art/{d.year}/{d.month}/{d.day}/art_1234_{100 + i}.html"
        return f"/xwdt/{d:%Y%m}/t{d:%Y%m%d}_{100 + i}.html"

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        path = unquote(urlsplit(path).path)
        s = self.spec
        ctype = f"text/html; charset={s.charset}"
        items = "".join(f'<li><a href="{self.detail_path(i)}">{escape(t)}</a><span>{d:%Y-%m-%d}</span></li>'
                        for i, (d, t) in enumerate(self.news))
        if s.lying_page:
            items += '<li><a href="/xwdt/notice-gbk.html">关于调整办公时间的通知</a></li>'
        if path == "/robots.txt":
            return Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        if path in ("/", "/index.html"):
            html = self.page("首页", f'<div class="news"><h2>工作动态</h2><ul>{items}</ul></div>')
        elif path in (self.column_path, self.column_path + "index.html"):
            html = self.page("工作动态", f'<h1>工作动态</h1><div class="list"><ul>{items}</ul></div>',
                             {"ColumnName": "工作动态"})
        elif s.lying_page and path == "/xwdt/notice-gbk.html":
            html = self.page("关于调整办公时间的通知", "<h1>关于调整办公时间的通知</h1><p>冬季办公时间调整为上午九时至下午五时。</p>")
            # The server's header says utf-8 while the bytes are GBK: the ENC001 defect.
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, html.encode("gbk"))
        else:
            for i, (d, title) in enumerate(self.news):
                if path == self.detail_path(i):
                    html = self.page(title, f"<h1>{escape(title)}</h1><p>{d:%Y年%m月%d日}，{escape(title)}。</p>",
                                     {"ArticleTitle": title, "PubDate": f"{d:%Y-%m-%d} 10:00"})
                    break
            else:
                return Reply(404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>")
        return Reply(200, {"Content-Type": ctype}, html.encode(s.charset))


class Component:
    def __init__(self, testbed: Any) -> None:
        self.testbed = testbed

    def install(self) -> None:
        for spec in SPECS:
            self.testbed.add_host(spec.host, SiteApp(spec, self), aaaa=["::1"] if self.testbed.has_ipv6 else [])

    def stop(self) -> None:
        pass

    def _entry(self, rule: str, spec_id: str, unit: str, url: str, why: str | None = None) -> dict[str, Any]:
        entry = {"rule": rule, "site": spec_id, "unit": unit, "url": url, "column": None}
        if why:
            entry["why"] = why
        return entry

    def ground_truth(self) -> dict[str, Any]:
        findings, near = [], []
        for s in SPECS:
            findings += [self._entry(r, s.id, s.unit, self.testbed.url(s.host, p)) for r, p in s.truth]
            near += [self._entry(r, s.id, s.unit, self.testbed.url(s.host, p), w) for r, p, w in s.near]
        portal = self.testbed.base_url + "/"
        near += [self._entry("SID001", SITE_ID, "县政府办公室", portal, "complete identity"),
                 self._entry("SID002", SITE_ID, "县政府办公室", portal, "a .gov.cn portal")]
        return {"findings": findings, "near_misses": near}

    def config_toml(self) -> str:
        lines = []
        for s in SPECS:
            url = self.testbed.url(s.host, "/")
            lines += ["[[sites]]", f'id = "{s.id}"', f'name = "{s.name}（模拟）"', f'url = "{url}"',
                      f'unit = "{s.unit}"', ""]
        lines += ["# The testbed's government hosts end in .gov.cn.test (.test keeps them off the Internet).",
                  "[rules.SID002]", 'gov_suffix = ".gov.cn.test"', ""]
        return "\n".join(lines)
