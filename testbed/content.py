"""Testbed component: the content veto items on a 县卫健局 site (``wjj.jss.gov.cn.test``).

Seeded defects and their near-misses:
- PRV001: a 低保 公示 page whose table shows valid 身份证号 and mobiles next to names; an .xlsx
  名单, a .docx 名单 and a PDF (text layer) with valid ID numbers.  Near-misses: the same table
  masked (``622927********0411``, ``139****6789``) and a masked .xlsx; 18 digits with a wrong
  check digit, a 索引号 and 文号 digit run and an all-digit 统一社会信用代码; the office's own
  numbers (the duty mobile in the footer, quoted as 监督电话; a configured contact mobile in
  a 联系人 table; a staff table with a 职务 column).
- LNK005: an off-screen anchor to a gambling site (veto).  Near-misses: a hidden drop-down
  menu inside the site and a hidden 友情链接 menu to another .gov.cn site.
- CNT001: 社会主意核心价值观 and 中华人名共和国 on a news page.  Near-miss: the correct
  formulations on another.
- LNK006: the link to the gambling host (its page shows 真人娱乐 百家乐).  Near-miss: a visible
  link to a clean news site.
- SEC001: only a near-miss (a clean homepage): a tampered homepage needs a clean baseline from
  an earlier crawl, and `zwgk testbed check` crawls once.

``SEEDED_NUMBERS`` are the full numbers seeded: no output of an inspection may contain one.
"""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from html import escape
from typing import Any, Mapping
from urllib.parse import quote, unquote, urlsplit

from testbed.server import Reply

HOST = "wjj.jss.gov.cn.test"
SITE = "wjj"
UNIT = "县卫健局"
NAME = "积石山县卫生健康局"
GAMBLING_HOST = "www.amjc888.test"
OTHER_GOV_HOST = "www.lxz.gov.cn.test"
NEWS_HOST = "www.lxnews.test"          # a clean external site (LNK006 near-miss)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id(body17: str) -> str:
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS)) % 11]


# Valid ID numbers (GB 11643 check digit, real birth dates) and person mobiles: seeded leaks.
IDS = [_id("62292719850312041"), _id("62292719920708152"), _id("62292720010101003"),
       _id("62292719670920112"), _id("62292719780415226"), _id("62292719991231004")]
MOBILES = ["13993056789", "15193012468", "18793047712"]
CARD = "6217000010012345677"      # Luhn-valid, 19 digits
OWN_DUTY_MOBILE = "13993012345"   # in the footer: the office's own
OWN_CONTACT_MOBILE = "13993088888"   # configured [rules.PRV001] own_numbers
STAFF_MOBILE = "13993099999"      # in a staff table (职务 column)
WRONG_CHECK = IDS[0][:-1] + ("1" if IDS[0][-1] != "1" else "2")
# A 索引号 that is also a valid ID by form: an organisation's digit run, not a person's number.
INDEX_RUN = _id("62292720200101012")
SEEDED_NUMBERS = tuple(IDS + MOBILES + [CARD])

CONAC = ('<a href="http://bszs.conac.cn/sitename?method=show&amp;id=0005">'
         '<img src="http://dcs.conac.cn/image/red.png" alt="党政机关"/></a>')
XLSX = "/uploads/2026/资助名单.xlsx"
XLSX_MASKED = "/uploads/2026/资助名单（已脱敏）.xlsx"
DOCX = "/uploads/2026/救助名单.docx"
PDF = "/uploads/2026/公示名单.pdf"


def mask_id(n: str) -> str:
    return n[:6] + "*" * 8 + n[-4:]


def mask_mobile(n: str) -> str:
    return n[:3] + "****" + n[-4:]


def xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "名单"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx(paragraphs: list[str], table: list[list[str]]) -> bytes:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    para = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    rows = "".join("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>" for c in r)
                   + "</w:tr>" for r in table)
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{para}<w:tbl>{rows}</w:tbl></w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", document)
    return out.getvalue()


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (ASCII, Helvetica)."""
    text = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({l}) Tj T*" for l in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


class ContentSite:
    def __init__(self, testbed: Any) -> None:
        self.tb = testbed
        as_of = testbed.as_of
        self.news = [(as_of - timedelta(days=2 + 3 * i), title) for i, title in enumerate(
            ["县卫健局开展冬春季传染病防控培训", "县卫健局召开社会主义核心价值观宣讲会", "县卫健局推进家庭医生签约服务"])]
        people = ["马某某", "韩某某", "妥某某"]
        header = ["序号", "姓名", "身份证号码", "手机号码", "补助金额（元）"]
        self.files = {
            XLSX: xlsx([header] + [[str(i + 1), people[i], IDS[i], MOBILES[i], "3000"] for i in range(3)]),
            XLSX_MASKED: xlsx([header] + [[str(i + 1), people[i], mask_id(IDS[i]), mask_mobile(MOBILES[i]), "3000"]
                                          for i in range(3)]),
            DOCX: docx(["2026年临时救助对象名单", "附表："],
                       [["姓名", "身份证号", "救助金额"], ["马某某", IDS[3], "2000"], ["韩某某", IDS[4], "1500"]]),
            PDF: pdf(["Lin shi jiu zhu gong shi", f"1  Ma  {IDS[5]}  2000"]),
        }

    def page(self, title: str, body: str, style: str = "") -> str:
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"/><meta name="SiteName" content="{NAME}"/>'
                f'<meta name="SiteIDCode" content="6229270005"/><title>{escape(title)}_{NAME}</title>{style}</head>'
                f'<body><div class="nav"><a href="/">首页</a> <a href="/gsgg/dbgs.html">公示公告</a></div>{body}'
                f'<div class="footer"><p>主办：{NAME} 地址：积石山县吹麻滩镇 联系电话：0930-7721234 '
                f'值班手机：{OWN_DUTY_MOBILE}</p>{CONAC}'
                f'<p>网站标识码：6229270005 陇ICP备05000123号-5 甘公网安备 62292702000005号</p></div></body></html>')

    # Set between two crawls by tests/test_homepage_tampering.py: the homepage replaced by spam.
    tampered = False

    def html(self, path: str) -> str | None:
        port = self.tb.port
        if path in ("/", "/index.html") and self.tampered:
            spam = "".join(f'<li><a href="http://{GAMBLING_HOST}:{port}/?p={i}">澳门葡京百家乐真人娱乐在线开户第{i}站</a></li>'
                           for i in range(12))
            return self.page("首页", f"<h1>澳门葡京 百家乐 真人视讯</h1><ul>{spam}</ul>")
        if path in ("/", "/index.html"):
            items = "".join(f'<li><a href="/xwdt/n{i + 1}.html">{escape(t)}</a><span>{d:%Y-%m-%d}</span></li>'
                            for i, (d, t) in enumerate(self.news))
            menu = ('<ul class="submenu" style="display:none"><li><a href="/gsgg/dbgs.html">低保公示</a></li>'
                    '<li><a href="/gsgg/zzmd.html">资助名单</a></li><li><a href="/gsgg/lxfs.html">联系方式</a></li>'
                    '<li><a href="/gsgg/tmgs.html">公示（脱敏）</a></li><li><a href="/gsgg/xmgs.html">项目公示</a></li>'
                    '<li><a href="/about.html">机构概况</a></li></ul>')
            friends = (f'<div class="yqlj"><span>友情链接</span><ul class="yqlj-list">'
                       f'<li><a href="http://{OTHER_GOV_HOST}:{port}/">临夏州人民政府</a></li></ul></div>'
                       f'<p>媒体链接：<a href="http://{NEWS_HOST}:{port}/">临夏新闻网</a></p>')
            return self.page("首页", f'<div class="news"><h2>工作动态</h2><ul>{items}</ul></div>{menu}{friends}',
                             style="<style>.yqlj-list{display:none}</style>")
        for i, (d, title) in enumerate(self.news):
            if path == f"/xwdt/n{i + 1}.html":
                if i == 1:   # CNT001: two listed serious errors
                    text = ("<p>会议强调，要大力培育和践行社会主意核心价值观，"
                            "深入宣传中华人名共和国基本医疗卫生与健康促进法。</p>")
                else:        # near-miss: the correct formulations
                    text = ("<p>深入学习贯彻习近平新时代中国特色社会主义思想，践行社会主义核心价值观，"
                            "落实《中华人民共和国传染病防治法》。</p>")
                return self.page(title, f"<h1>{escape(title)}</h1><p>{d:%Y年%m月%d日}</p>{text}")
        if path == "/gsgg/dbgs.html":
            rows = "".join(f"<tr><td>{i + 1}</td><td>{n}</td><td>{IDS[i]}</td><td>{MOBILES[i]}</td>"
                           f"<td>{'大河家镇' if i % 2 else '吹麻滩镇'}</td></tr>" for i, n in enumerate(["马某某", "韩某某", "妥某某"]))
            card = f"<p>补助资金发放至本人一卡通，卡号：{CARD}。</p>"
            return self.page("2026年第四季度城乡低保对象公示", (
                "<h1>2026年第四季度城乡低保对象公示</h1><table class='gs'><tr><th>序号</th><th>姓名</th>"
                f"<th>身份证号</th><th>联系电话</th><th>住址</th></tr>{rows}</table>{card}"
                f"<p>公示期7天。监督电话：{OWN_DUTY_MOBILE}</p>"))
        if path == "/gsgg/tmgs.html":
            rows = "".join(f"<tr><td>{i + 1}</td><td>{n}</td><td>{mask_id(IDS[i])}</td><td>{mask_mobile(MOBILES[i])}</td></tr>"
                           for i, n in enumerate(["马某某", "韩某某", "妥某某"]))
            return self.page("2026年临时救助对象公示（已脱敏）", (
                "<h1>2026年临时救助对象公示</h1><table><tr><th>序号</th><th>姓名</th><th>身份证号</th>"
                f"<th>联系电话</th></tr>{rows}</table>"))
        if path == "/gsgg/xmgs.html":
            return self.page("关于公共卫生项目的公示", (
                "<h1>关于公共卫生项目的公示</h1>"
                f"<p>索引号：{INDEX_RUN}/2026-00123 文号：积卫发〔2026〕12号 统一社会信用代码：116229270139080001</p>"
                "<table><tr><th>姓名</th><th>身份证号</th></tr>"
                f"<tr><td>马某某</td><td>{WRONG_CHECK}</td></tr></table>"
                "<p>项目编号：202611260001234567，合同金额 1234567890123456 元。</p>"))
        if path == "/gsgg/lxfs.html":
            return self.page("联系方式", (
                "<h1>科室联系方式</h1><table><tr><th>科室</th><th>负责人</th><th>职务</th><th>联系电话</th></tr>"
                f"<tr><td>医政股</td><td>马某</td><td>股长</td><td>{STAFF_MOBILE}</td></tr></table>"
                "<table><tr><th>姓名</th><th>手机</th></tr>"
                f"<tr><td>县卫健局值班室联系人</td><td>{OWN_CONTACT_MOBILE}</td></tr></table>"))
        if path == "/gsgg/zzmd.html":
            links = "".join(f'<p><a href="{quote(p)}">附件{i + 1}</a></p>' for i, p in enumerate(self.files))
            return self.page("2026年学生资助名单", f"<h1>2026年学生资助名单</h1><p>名单见附件。</p>{links}")
        if path == "/about.html":
            hidden = (f'<div style="position:absolute;left:-9999px;top:-9999px">'
                      f'<a href="http://{GAMBLING_HOST}:{port}/">澳门葡京赌场</a></div>')
            return self.page("机构概况", f"<h1>机构概况</h1><p>县卫健局是县政府工作部门。</p>{hidden}")
        return None

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        path = unquote(urlsplit(path).path)
        if path == "/robots.txt":
            return Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        if path in self.files:
            ctype = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "pdf": "application/pdf"}[path.rsplit(".", 1)[1]]
            return Reply(200, {"Content-Type": ctype}, self.files[path])
        html = self.html(path)
        if html is None:
            return Reply(404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>")
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, html.encode())


class External:
    """Hosts beyond the county: a gambling site and another government's portal."""

    def __init__(self, body: str) -> None:
        self.body = body

    def respond(self, method: str, path: str, headers: Mapping[str, str], family: str) -> Reply:
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, self.body.encode())


class Component:
    def __init__(self, testbed: Any) -> None:
        self.testbed = testbed
        self.site: ContentSite | None = None

    def install(self) -> None:
        self.site = ContentSite(self.testbed)
        aaaa = ["::1"] if self.testbed.has_ipv6 else []
        self.testbed.add_host(HOST, self.site, aaaa=aaaa)
        self.testbed.add_host(GAMBLING_HOST, External("<html><head><title>澳门葡京</title></head><body>真人娱乐 百家乐</body></html>"),
                              aaaa=aaaa)
        self.testbed.add_host(NEWS_HOST, External("<html><head><title>临夏新闻网</title></head><body>临夏州新闻</body></html>"),
                              aaaa=aaaa)
        self.testbed.add_host(OTHER_GOV_HOST, External("<html><head><title>临夏州人民政府</title></head><body>临夏州</body></html>"),
                              aaaa=aaaa)

    def stop(self) -> None:
        pass

    def url(self, path: str) -> str:
        return self.testbed.url(HOST, quote(path) if any(ord(c) > 127 for c in path) else path)

    def _entry(self, rule: str, path: str, why: str | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {"rule": rule, "site": SITE, "unit": UNIT, "url": self.url(path), "column": None}
        if why:
            entry["why"] = why
        return entry

    def ground_truth(self) -> dict[str, Any]:
        e = self._entry
        findings = [e("PRV001", "/gsgg/dbgs.html"), e("PRV001", XLSX), e("PRV001", DOCX), e("PRV001", PDF),
                    e("LNK005", "/about.html"), e("CNT001", "/xwdt/n2.html"),
                    {**e("LNK006", "/about.html"), "url": self.testbed.url(GAMBLING_HOST, "/")}]
        near = [e("PRV001", "/gsgg/tmgs.html", "masked ID and mobile numbers"),
                e("PRV001", XLSX_MASKED, "a masked .xlsx"),
                e("PRV001", "/gsgg/xmgs.html", "wrong check digit; 索引号, 文号, 信用代码, 项目编号 digit runs"),
                e("PRV001", "/gsgg/lxfs.html", "staff table (职务) and a configured own contact mobile"),
                e("PRV001", "/", "the office's own duty mobile in the footer"),
                e("PRV001", "/gsgg/zzmd.html", "a page linking attachments, no numbers itself"),
                e("LNK005", "/", "a hidden menu inside the site and a hidden menu to another .gov.cn site"),
                e("CNT001", "/xwdt/n1.html", "the correct formulations"),
                {**e("LNK006", "/", "a clean news site"), "url": self.testbed.url(NEWS_HOST, "/")},
                e("SEC001", "/", "a clean homepage (a tampered one needs a baseline from an earlier crawl)")]
        return {"findings": findings, "near_misses": near}

    def config_toml(self) -> str:
        return "\n".join([
            "[[sites]]", f'id = "{SITE}"', f'name = "{NAME}（模拟）"', f'url = "{self.testbed.url(HOST, "/")}"',
            f'unit = "{UNIT}"', "",
            "# The office's published contact mobile (its footer's duty mobile passes anyway).",
            "[rules.PRV001]", f'own_numbers = ["{OWN_CONTACT_MOBILE}"]', "",
            "# The testbed's government hosts end in .gov.cn.test.",
            "[rules.LNK005]", 'gov_suffixes = [".gov.cn", ".gov.cn.test"]', ""])
