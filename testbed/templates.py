"""Testbed component: 信息公开 sites on other CMS templates than the portal's TRS one.

- ``hanweb`` (县卫健局, 大汉 Hanweb JCMS style): ``/col/col<id>/index.html`` columns paged with
  ``?uid=…&pageNum=N``, ``/art/Y/M/D/art_<col>_<id>.html`` documents, bodies in ``#zoom``, no
  metadata table: the info line under the heading carries 发文日期 or 生成日期 beside 发布时间 and
  来源 — with and without a signed body, with and without a 文号. Seeds LAG002 twice (a 公文 with
  a 文号 and no date anywhere in a 通知公告 column; a 政策文件 page without one), with every
  info-line document as its near-miss.
- ``ucap`` (县发改局, 开普云 Ucap style): ``/xxgk/YYYY-MM/DD/content_<id>.htm`` documents, bodies
  in ``#UCAP-CONTENT``, the metadata table as ``<table>`` with ``<b>`` labels and empty cells
  (发文字号 of a 公告, 成文日期 of one document: LAG002), static pagers ``index.htm``,
  ``index_1.htm`` that link 首页 as ``index.htm``.

Every document's 成文日期 and 发布日期 are in the ground truth (``documents``), and so is every
column (``columns``): one per column, whichever alias the pager links.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from typing import Any, Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from testbed.county import chinese_date, sub_workdays
from testbed.server import Reply

CONAC = ('<a href="http://bszs.conac.cn/sitename?method=show&amp;id=0005">'
         '<img src="http://dcs.conac.cn/image/red.png" alt="党政机关"/></a>')
PER_PAGE = 3


@dataclass
class TDoc:
    path: str
    title: str
    pub: date
    doc_date: date | None            # the 形成日期 the page states somewhere, or None
    doc_no: str | None = None
    info_label: str | None = None    # hanweb: 发文日期 / 生成日期 on the info line
    signed: bool = False             # the body ends with the organ and the date in Chinese numerals
    table_date: bool = True          # ucap: the table's 成文日期 cell is filled


@dataclass
class TColumn:
    path: str                        # as the site links it
    name: str
    docs: list[TDoc] = field(default_factory=list)


@dataclass
class TSite:
    id: str
    host: str
    name: str
    unit: str
    cms: str                         # hanweb | ucap
    code: str                        # 网站标识码
    columns: list[TColumn] = field(default_factory=list)
    truth: list[tuple[str, str]] = field(default_factory=list)
    near: list[tuple[str, str, str]] = field(default_factory=list)


def build_sites(as_of: date, cal: Any) -> list[TSite]:
    """The two sites, their documents dated back from ``as_of`` (all published on time)."""
    def pub(days: int) -> date:
        d = as_of - timedelta(days=days)
        while not cal.is_workday(d):
            d -= timedelta(days=1)
        return d

    hanweb = TSite("hanweb", "wjw.jss.gov.cn.test", "积石山县卫生健康局", "县卫健局", "hanweb", "6229270005")
    policy = TColumn("/col/col2001/index.html", "政策文件")
    notice = TColumn("/col/col2002/index.html", "通知公告")
    hanweb.columns = [policy, notice]
    cases = [  # (title, 文号, info-line label, signed)
        ("关于印发全县基本公共卫生服务项目绩效考核方案的通知", "积卫发〔2026〕31号", "发文日期", False),
        ("关于做好冬春季流感防控工作的通知", None, "生成日期", True),
        ("关于开展家庭医生签约服务提质行动的通知", "积卫发〔2026〕29号", "发文日期", True),
        ("关于加强村卫生室药品管理的意见", None, "生成日期", False),
        ("关于规范医疗机构收费公示的通知", "积卫发〔2026〕27号", "生成日期", False),
        ("关于印发卫生应急队伍管理办法的通知", None, "发文日期", True),
    ]
    for i, (title, no, label, signed) in enumerate(cases):
        p = pub(3 + 9 * i)
        column = policy if i % 2 == 0 else notice
        d = TDoc(f"/art/{p.year}/{p.month}/{p.day}/art_{2001 + i % 2}_{300 + i}.html", title, p,
                 sub_workdays(cal, p, 2 + i % 3), no, label, signed)
        column.docs.append(d)
        hanweb.near.append(("LAG002", d.path, f"{label} on the info line" + (", signed body" if signed else "")))
    # LAG002 seeds: no 形成日期 anywhere (only 发布时间 on the info line).
    p = pub(20)
    d = TDoc(f"/art/{p.year}/{p.month}/{p.day}/art_2002_320.html", "关于调整部分医疗服务价格的通知", p, None,
             "积卫发〔2026〕25号")
    notice.docs.append(d)
    hanweb.truth.append(("LAG002", d.path))
    p = pub(24)
    d = TDoc(f"/art/{p.year}/{p.month}/{p.day}/art_2001_321.html", "积石山县突发公共卫生事件应急预案", p, None)
    policy.docs.append(d)
    hanweb.truth.append(("LAG002", d.path))

    ucap = TSite("ucap", "xxgk.fgj.jss.gov.cn.test", "积石山县发展和改革局信息公开", "县发改局", "ucap", "6229270006")
    plans = TColumn("/xxgk/zcwj/", "政策文件")
    ucap.columns = [plans]
    for i in range(9):
        p = pub(2 + 6 * i)
        kind = "公告" if i % 3 == 2 else "通知"
        d = TDoc(f"/xxgk/{p:%Y-%m}/{p:%d}/content_{500 + i}.htm", f"县发改局关于第{i + 1}批重点项目推进的{kind}", p,
                 sub_workdays(cal, p, 1 + i % 4), None if kind == "公告" else f"积发改发〔2026〕{40 + i}号")
        d.signed = i % 2 == 1
        plans.docs.append(d)
    # The table's 成文日期 cell is empty and the body is not signed: LAG002 (table path).
    d = plans.docs[4]
    d.table_date, d.signed, d.doc_date = False, False, None
    ucap.truth.append(("LAG002", d.path))
    ucap.near.append(("LAG002", plans.docs[2].path, "a 公告 with an empty 发文字号 cell and its 成文日期"))
    for column in (*hanweb.columns, *ucap.columns):
        column.docs.sort(key=lambda x: x.pub, reverse=True)
    return [hanweb, ucap]


class TemplateSite:
    def __init__(self, site: TSite) -> None:
        self.s = site

    # -- pages ---------------------------------------------------------------------------
    def frame(self, title: str, body: str, meta: Mapping[str, str] | None = None) -> str:
        s = self.s
        metas = "".join(f'<meta name="{k}" content="{escape(v)}"/>' for k, v in (meta or {}).items())
        generator = "大汉版通发布系统" if s.cms == "hanweb" else "UCAP 开普云内容管理系统"
        nav = " ".join(f'<a href="{c.path}">{escape(c.name)}</a>' for c in s.columns)
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"/><meta name="generator" content="{generator}"/>'
                f'<meta name="SiteName" content="{escape(s.name)}"/><meta name="SiteIDCode" content="{s.code}"/>'
                f'{metas}<title>{escape(title)}_{escape(s.name)}</title></head><body>'
                f'<div class="nav"><a href="/">首页</a> {nav}</div>{body}'
                f'<div class="footer"><p>主办：{escape(s.name)}</p>{CONAC}'
                f'<p>网站标识码：{s.code} 陇ICP备05000123号-{s.code[-1]} 甘公网安备 6229270200001{s.code[-1]}号</p></div>'
                f'</body></html>')

    def home(self) -> str:
        docs = sorted((d for c in self.s.columns for d in c.docs), key=lambda d: d.pub, reverse=True)[:6]
        items = "".join(f'<li><a href="{d.path}">{escape(d.title)}</a><span>{d.pub:%Y-%m-%d}</span></li>' for d in docs)
        return self.frame("首页", f'<div class="news"><h2>最新公开</h2><ul>{items}</ul></div>')

    def list_page(self, column: TColumn, k: int) -> str | None:
        pages = max(1, -(-len(column.docs) // PER_PAGE))
        if k >= pages:
            return None
        docs = column.docs[k * PER_PAGE:(k + 1) * PER_PAGE]
        items = "".join(f'<li><a href="{d.path}" title="{escape(d.title)}">{escape(d.title)}</a>'
                        f'<span class="date">{d.pub:%Y-%m-%d}</span></li>' for d in docs)
        if self.s.cms == "hanweb":
            link = lambda n: f"{column.path}?uid=8801&pageNum={n + 1}"  # noqa: E731
            first = column.path
        else:
            link = lambda n: "index.htm" if n == 0 else f"index_{n}.htm"  # noqa: E731
            first = "index.htm"
        pager = f'<a href="{first}">首页</a> '
        if k + 1 < pages:
            pager += f'<a href="{link(k + 1)}">下一页</a> '
        pager += f"共{pages}页"
        return self.frame(column.name, f'<h1>{escape(column.name)}</h1><div class="list"><ul>{items}</ul></div>'
                                       f'<div class="page">{pager}</div>', {"ColumnName": column.name})

    def document(self, d: TDoc) -> str:
        s = self.s
        paragraphs = ("<p>各乡镇卫生院、县直各医疗卫生单位：</p>"
                      "<p>为进一步做好相关工作，现将有关事项通知如下，请结合实际认真贯彻落实。</p>")
        signature = (f'<p style="text-align:right">{escape(s.unit.replace("县", "积石山县", 1))}</p>'
                     f'<p style="text-align:right">{chinese_date(d.doc_date)}</p>') if d.signed and d.doc_date else ""
        if s.cms == "hanweb":
            info = [f"{d.info_label}：{d.doc_date:%Y-%m-%d}"] if d.info_label and d.doc_date else []
            info += [f"发布时间：{d.pub:%Y-%m-%d} 09:00", f"来源：{escape(s.name)}"]
            spans = "".join(f"<span>{x}</span>&nbsp;&nbsp;" for x in info)
            number = f'<p style="text-align:center">{escape(d.doc_no)}</p>' if d.doc_no else ""
            body = (f'<div class="article"><h1 class="title">{escape(d.title)}</h1><div class="info">{spans}</div>'
                    f'<div id="zoom">{number}{paragraphs}{signature}</div></div>')
            return self.frame(d.title, body, {"ArticleTitle": d.title})
        cells = [("索 引 号", f"JSS-FGJ-{d.path[-8:-4]}"), ("主题分类", "综合政务"), ("发文机关", s.unit),
                 ("成文日期", f"{d.doc_date:%Y年%m月%d日}" if d.table_date and d.doc_date else ""),
                 ("标　　题", d.title), ("发文字号", d.doc_no or ""), ("发布日期", f"{d.pub:%Y年%m月%d日}")]
        rows = "".join(f"<tr><td><b>{k}：</b></td><td>{escape(v)}</td></tr>" for k, v in cells)
        body = (f'<div class="policyLibraryOverview_header"><table>{rows}</table></div>'
                f'<div class="article"><h1>{escape(d.title)}</h1><div id="UCAP-CONTENT">{paragraphs}{signature}</div></div>')
        return self.frame(d.title, body, {"ArticleTitle": d.title})

    # -- HTTP ----------------------------------------------------------------------------
    def respond(self, method: str, raw: str, headers: Mapping[str, str], family: str) -> Reply:
        parts = urlsplit(raw)
        path = unquote(parts.path)
        if path == "/robots.txt":
            return Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        html: str | None = None
        if path in ("/", "/index.html"):
            html = self.home()
        for column in self.s.columns:
            folder = column.path.rsplit("/", 1)[0] + "/"
            if self.s.cms == "hanweb" and path in (column.path, folder):
                query = dict(parse_qsl(parts.query))
                html = self.list_page(column, int(query.get("pageNum", "1")) - 1)
            elif self.s.cms == "ucap" and path.startswith(folder) and "/" not in path[len(folder):]:
                leaf = path[len(folder):]
                k = 0 if leaf in ("", "index.htm") else (
                    int(leaf[6:-4]) if leaf.startswith("index_") and leaf[6:-4].isdigit() else -1)
                html = self.list_page(column, k) if k >= 0 else None
            for d in column.docs:
                if path == d.path:
                    html = self.document(d)
        if html is None:
            return Reply(404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>")
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, html.encode())


class Component:
    def __init__(self, testbed: Any) -> None:
        self.testbed = testbed
        from zwgk.workdays import WorkdayCalendar

        self.sites = build_sites(testbed.as_of, WorkdayCalendar())

    def install(self) -> None:
        for site in self.sites:
            self.testbed.add_host(site.host, TemplateSite(site), aaaa=["::1"] if self.testbed.has_ipv6 else [])

    def stop(self) -> None:
        pass

    def _entry(self, rule: str, site: TSite, path: str, why: str | None = None) -> dict[str, Any]:
        entry = {"rule": rule, "site": site.id, "unit": site.unit, "url": self.testbed.url(site.host, path),
                 "column": None}
        if why:
            entry["why"] = why
        return entry

    def ground_truth(self) -> dict[str, Any]:
        findings, near, docs, cols = [], [], [], []
        for s in self.sites:
            findings += [self._entry(r, s, p) for r, p in s.truth]
            near += [self._entry(r, s, p, w) for r, p, w in s.near]
            for c in s.columns:
                # The column is stored under its canonical URL: dir/ for dir/index.htm(l).
                folder = c.path.rsplit("/", 1)[0] + "/"
                cols.append({"url": self.testbed.url(s.host, folder), "name": c.name, "unit": s.unit,
                             "items": len(c.docs)})
                docs += [{"url": self.testbed.url(s.host, d.path), "unit": s.unit, "title": d.title,
                          "doc_date": d.doc_date.isoformat() if d.doc_date else None, "pub_date": d.pub.isoformat()}
                         for d in c.docs]
        return {"findings": findings, "near_misses": near, "documents": docs, "columns": cols}

    def config_toml(self) -> str:
        lines = []
        for s in self.sites:
            # The Hanweb site names its family; the Ucap one is detected.
            lines += ["[[sites]]", f'id = "{s.id}"', f'name = "{s.name}（模拟）"', f'url = "{self.testbed.url(s.host, "/")}"',
                      f'unit = "{s.unit}"', *([f'cms = "{s.cms}"'] if s.cms == "hanweb" else []), ""]
        return "\n".join(lines)
