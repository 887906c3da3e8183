"""Testbed component: a unit whose 政府信息公开 platform is on its own Hanweb-built site.

``zrzyj.jss.gov.cn.test`` (县自然资源局) is a Hanweb site: its 信息公开 entry is
``/col/col3000/index.html`` and its columns are ``/col/col3001/`` … ``/col/col3008/`` — beside the
entry, not under its folder, so the obvious column prefix (the entry's folder) would miss every
column.  The portal's platform index links the entry; config.toml names it as the unit's
``platform`` and ownership follows what the crawl reaches from it.

Seeded: COL002 — 法定主动公开内容 has no 规划计划 sub-column.  Near-misses: COL001 for each of the
four first-level columns (found though outside the entry's folder), COL003 (2025 年报 online).
"""
from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from testbed.server import Reply
from testbed.sites import SiteApp, SiteSpec

HOST = "zrzyj.jss.gov.cn.test"
UNIT = "县自然资源局"
SITE_ID = "zrzyj"
ENTRY = "/col/col3000/index.html"
# (column id, name, parent id or None)
COLUMNS = [(3001, "政府信息公开指南", None), (3002, "政府信息公开制度", None), (3003, "法定主动公开内容", None),
           (3004, "政策文件", 3003), (3005, "通知公告", 3003), (3006, "机构职能", 3003),
           (3008, "政府信息公开年报", None)]
SPEC = SiteSpec(SITE_ID, HOST, "积石山县自然资源局", UNIT, newest_age=3, footer_code="6229270005",
                meta_code="6229270005", cms="hanweb")


class PlatformSiteApp(SiteApp):
    """The department site (from testbed.sites) plus its Hanweb 信息公开 platform."""

    def __init__(self, component: Any) -> None:
        super().__init__(SPEC, component)
        as_of = component.testbed.as_of
        self.docs: dict[int, list[tuple[date, str]]] = {}
        for cid, name, _ in COLUMNS:
            if cid == 3003:
                continue
            if cid == 3008:
                self.docs[cid] = [(date(y + 1, 1, 20), f"{UNIT}{y}年政府信息公开工作年度报告")
                                  for y in (as_of.year - 1, as_of.year - 2)]
            else:
                self.docs[cid] = [(as_of - timedelta(days=5 + 7 * i + cid % 7), f"{UNIT}{name}第{i + 1}号")
                                  for i in range(2 if cid in (3001, 3002, 3006) else 4)]

    def art(self, cid: int, i: int) -> str:
        d = self.docs[cid][i][0]
        return f"/art/{d.year}/{d.month}/{d.day}/art_{cid}_{i + 1}.html"

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        path = unquote(urlsplit(path).path)
        ctype = {"Content-Type": "text/html; charset=utf-8"}
        if path in ("/", "/index.html"):
            items = "".join(f'<li><a href="{self.detail_path(i)}">{escape(t)}</a><span>{d:%Y-%m-%d}</span></li>'
                            for i, (d, t) in enumerate(self.news))
            html = self.page("首页", f'<div class="news"><h2>工作动态</h2><ul>{items}</ul></div>'
                                     f'<div class="gk"><a href="{ENTRY}">政府信息公开</a></div>')
            return Reply(200, ctype, html.encode())
        if path in (ENTRY, "/col/col3000/"):
            nav = "".join(f'<li><a href="/col/col{cid}/index.html">{escape(n)}</a></li>'
                          for cid, n, parent in COLUMNS if parent is None)
            html = self.page("政府信息公开", f'<h1>{UNIT}政府信息公开</h1><ul class="nav">{nav}</ul>',
                             {"ColumnName": "政府信息公开"})
            return Reply(200, ctype, html.encode())
        for cid, name, parent in COLUMNS:
            if path in (f"/col/col{cid}/index.html", f"/col/col{cid}/"):
                if cid == 3003:
                    subs = "".join(f'<li><a href="/col/col{c}/index.html">{escape(n)}</a></li>'
                                   for c, n, p in COLUMNS if p == 3003)
                    listing = f'<ul class="sub-columns">{subs}</ul>'
                else:
                    items = "".join(f'<li><a href="{self.art(cid, i)}">{escape(t)}</a><span>{d:%Y-%m-%d}</span></li>'
                                    for i, (d, t) in enumerate(self.docs[cid]))
                    listing = f'<div class="list"><ul>{items}</ul></div>'
                html = self.page(name, f'<h1>{escape(name)}</h1>{listing}',
                                 {"ColumnName": name, "ColumnType": name})
                return Reply(200, ctype, html.encode())
            for i, (d, title) in enumerate(self.docs.get(cid, [])):
                if path == self.art(cid, i):
                    # A 政策文件 is signed with its 形成日期 (the same day it is published): the
                    # platform seeds no LAG002, only its column findings.
                    text = f"<p>{d:%Y年%m月%d日}，{escape(title)}。</p>"
                    if name == "政策文件":
                        text = f'<div id="zoom">{text}<p>{escape(UNIT)}</p><p>{d:%Y年%m月%d日}</p></div>'
                    html = self.page(title, f"<h1>{escape(title)}</h1>{text}",
                                     {"ArticleTitle": title, "PubDate": f"{d:%Y-%m-%d} 10:00", "ColumnName": name})
                    return Reply(200, ctype, html.encode())
        return super().respond(method, path, headers, family)


class Component:
    def __init__(self, testbed: Any) -> None:
        self.testbed = testbed

    def install(self) -> None:
        self.testbed.add_host(HOST, PlatformSiteApp(self), aaaa=["::1"] if self.testbed.has_ipv6 else [])
        self.testbed.county.external_platforms.append((UNIT, self.entry_url))

    def stop(self) -> None:
        pass

    @property
    def entry_url(self) -> str:
        return self.testbed.url(HOST, ENTRY)

    def ground_truth(self) -> dict[str, Any]:
        def entry(rule: str, column: str | None, why: str | None = None) -> dict[str, Any]:
            out = {"rule": rule, "site": SITE_ID, "unit": UNIT, "url": self.entry_url, "column": column}
            if why:
                out["why"] = why
            return out
        near = [entry("COL001", name, "a Hanweb column beside the entry, reached from it")
                for _, name, parent in COLUMNS if parent is None]
        return {"findings": [entry("COL002", "规划计划")], "near_misses": near}

    def config_toml(self) -> str:
        return "\n".join([
            "# 县自然资源局: its platform is on its own Hanweb site; the columns the crawl reaches from",
            "# the entry are the unit's (they sit under /col/, beside the entry, not under it).",
            "[[sites]]", f'id = "{SITE_ID}"', f'name = "{SPEC.name}（模拟）"', f'url = "{self.testbed.url(HOST, "/")}"',
            f'unit = "{UNIT}"', f'start_urls = ["{self.entry_url}"]', "",
            "[[units]]", f'name = "{UNIT}"', 'type = "部门"', 'email = "zrzyj@jss.gov.cn.test"',
            f'platform = "{self.entry_url}"', ""])
