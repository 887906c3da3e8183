"""The simulated county: a deterministic model of a county portal and its
政府信息公开 platform, with seeded defects and near-misses, and its ground truth.

Everything follows from ``seed`` and ``as_of``.  Pages are rendered on demand
from the model, modelled on the real TRS pages in ../shared/realpages/pingtan
(meta tags, breadcrumb, the 信息公开 metadata table, createPageHTML pagination).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from urllib.parse import unquote
from collections.abc import Sequence
from typing import Any

from zwgk.workdays import WorkdayCalendar

# A name the testbed's DNS server never answers (a resolver timeout: 无法核验, never a finding).
SILENT_HOST = "data.jss.gov.cn.test"
PORTAL_HOST = "www.jss.gov.cn.test"   # ".gov.cn" as on the real portal; ".test" keeps it off the Internet
COUNTY = "积石山保安族东乡族撒拉族自治县"
SITE_ID = "portal"
SITE_UNIT = "县政府办公室"
PER_PAGE = 10

# (name, type, path) — a sample of the real county's units.
UNITS = [
    ("积石山县人民政府", "县政府", "/zwgk/xzf/"),
    ("大河家镇", "乡镇", "/zwgk/xz/dhjz/"),
    ("吹麻滩镇", "乡镇", "/zwgk/xz/cmtz/"),
    ("居集镇", "乡镇", "/zwgk/xz/jjz/"),
    ("刘集乡", "乡镇", "/zwgk/xz/ljx/"),
    # The county's other 乡镇: unremarkable platforms.
    ("癿藏镇", "乡镇", "/zwgk/xz/bcz/"), ("胡林家乡", "乡镇", "/zwgk/xz/hljx/"), ("寨子沟乡", "乡镇", "/zwgk/xz/zzgx/"),
    ("徐扈家乡", "乡镇", "/zwgk/xz/xhjx/"), ("中咀岭乡", "乡镇", "/zwgk/xz/zzlx/"), ("关家川乡", "乡镇", "/zwgk/xz/gjcx/"),
    ("石塬乡", "乡镇", "/zwgk/xz/syx/"), ("柳沟乡", "乡镇", "/zwgk/xz/lgx/"), ("郭干乡", "乡镇", "/zwgk/xz/ggx/"),
    ("小关乡", "乡镇", "/zwgk/xz/xgx/"), ("安集乡", "乡镇", "/zwgk/xz/ajx/"), ("铺川乡", "乡镇", "/zwgk/xz/pcx/"),
    ("银川乡", "乡镇", "/zwgk/xz/ycx/"),
    ("县发改局", "部门", "/zwgk/bm/fgj/"),
    ("县教育局", "部门", "/zwgk/bm/jyj/"),
    ("县卫健局", "部门", "/zwgk/bm/wjj/"),
]
FIRST_LEVEL = [("gkzn", "政府信息公开指南"), ("gkzd", "政府信息公开制度"),
               ("fdzdgknr", "法定主动公开内容"), ("gknb", "政府信息公开年报")]
FDZD_SUB = [("zcwj", "政策文件"), ("tzgg", "通知公告"), ("jgzn", "机构职能"), ("ghjh", "规划计划")]
# The 方案's 重点领域 columns, on the county government's platform.
KEY_AREAS = [("xczx", "乡村振兴"), ("zdxm", "重点项目"), ("sthj", "生态环境"), ("msbz", "民生保障")]
TOPICS = ["农村人居环境整治", "高标准农田建设", "乡村振兴衔接资金", "义务教育学生资助", "城乡居民医疗保险",
          "安全生产大检查", "森林草原防火", "防汛抗旱", "就业创业补贴", "困难群众救助", "河湖长制",
          "营商环境优化", "重点项目建设", "生态环境保护", "地质灾害防治", "疫苗接种"]
KINDS = ["通知", "实施方案", "工作方案", "意见", "办法", "公告", "报告"]
CN_DIGITS = "〇一二三四五六七八九"


@dataclass
class Doc:
    path: str
    title: str
    doc_no: str | None
    index_no: str
    publisher: str
    doc_date: date | None
    pub_date: date
    signature: str | None = None          # how the signature date is printed, or None
    doc_date_text: str | None = None      # how the table prints 成文日期 (None = empty cell)
    extra_links: list[tuple[str, str]] = field(default_factory=list)
    column_path: str = ""
    undated: bool = False                 # no date on the page nor in the URL
    date_in_list: bool = True             # the list entry shows the publication date


@dataclass
class Column:
    path: str
    name: str
    unit: str
    docs: list[Doc] = field(default_factory=list)
    children: list["Column"] = field(default_factory=list)
    is_empty: bool = False


@dataclass
class UnitModel:
    name: str
    type: str
    path: str
    columns: list[Column] = field(default_factory=list)


def chinese_date(d: date) -> str:
    """二〇二六年九月二十八日 — the way a 公文 is signed."""
    def number(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
    return "".join(CN_DIGITS[int(c)] for c in str(d.year)) + f"年{number(d.month)}月{number(d.day)}日"


def sub_workdays(cal: WorkdayCalendar, d: date, n: int) -> date:
    while n > 0:
        d -= timedelta(days=1)
        if cal.is_workday(d):
            n -= 1
    return d


class County:
    def __init__(self, seed: int, as_of: date, base_url: str, calendar: WorkdayCalendar | None = None,
                 pages: int | None = None) -> None:
        self.seed = seed
        self.target_pages = pages
        self.as_of = as_of
        self.base = base_url.rstrip("/")
        self.cal = calendar or WorkdayCalendar()
        self.rng = random.Random(seed)
        self.units: list[UnitModel] = []
        self.pages: dict[str, Any] = {}          # path -> Column | Doc | UnitModel | special
        self.truth: list[dict[str, Any]] = []
        self.near_misses: list[dict[str, Any]] = []
        self.news: list[Doc] = []
        self.hits: dict[str, int] = {}
        self._next_id = 1000
        # Set by testbed components (what `zwgk discover` reads from the portal):
        self.site_links: list[tuple[str, str]] = []          # 部门网站 block: (link text, URL)
        self.external_platforms: list[tuple[str, str]] = []  # units whose platform is on their own site
        self.media_table: str | None = None                  # the 政务新媒体 column's account table
        self.platform_layout = "list"                        # the platform index: "list" or "table"
        self.build()

    # -- model -----------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base + path

    def new_doc(self, column: Column, pub: date, doc_date: date | None, title: str | None = None) -> Doc:
        self._next_id += 1
        doc_id = self._next_id
        path = f"{column.path}{pub:%Y%m}/t{pub:%Y%m%d}_{doc_id}.html"
        kind = self.rng.choice(KINDS)
        title = title or f"{column.unit}关于{self.rng.choice(TOPICS)}的{kind}"
        abbrev = {"乡镇": "政发", "部门": "发", "县政府": "积政发"}[self.unit_type(column.unit)]
        year = (doc_date or pub).year
        doc_no = f"{column.unit[:3]}{abbrev}〔{year}〕{doc_id % 97 + 1}号" if kind != "公告" else None
        doc = Doc(path, title, doc_no, f"JSS-{doc_id:06d}/{year}-{doc_id % 1000:05d}", column.unit,
                  doc_date, pub)
        if doc_date is not None:
            doc.doc_date_text = (f"{doc_date:%Y年%m月%d日}" if self.rng.random() < 0.3
                                 else doc_date.isoformat())
            doc.signature = chinese_date(doc_date) if self.rng.random() < 0.4 else f"{doc_date.year}年{doc_date.month}月{doc_date.day}日"
        doc.column_path = column.path
        column.docs.append(doc)
        self.pages[path] = doc
        return doc

    def unit_type(self, unit: str) -> str:
        return next((t for n, t, _ in UNITS if n == unit), "部门")

    def normal_doc(self, column: Column, min_age: int = 1, max_age: int = 300) -> Doc:
        """An unremarkable document published between min_age and max_age days before as_of."""
        pub = self.as_of - timedelta(days=self.rng.randint(min_age, max_age))
        while not self.cal.is_workday(pub):
            pub -= timedelta(days=1)
        doc_date = sub_workdays(self.cal, pub, self.rng.randint(0, 15))
        return self.new_doc(column, pub, doc_date)

    def fill(self, column: Column, count: int, newest_age: int | None = None) -> None:
        """``count`` documents; the newest exactly ``newest_age`` days old (default: within a month)."""
        if newest_age is None:
            self.normal_doc(column, 1, 30)
        else:
            pub = self.as_of - timedelta(days=newest_age)
            self.new_doc(column, pub, sub_workdays(self.cal, pub, 2))
        for _ in range(count - 1):
            lo = max(newest_age or 1, 1) + 1
            self.normal_doc(column, lo, max(lo + 1, 300 if newest_age is None else newest_age + 200))

    def build(self) -> None:
        for name, utype, path in UNITS:
            unit = UnitModel(name, utype, path)
            self.units.append(unit)
            self.pages[path] = unit
            first_level = list(FIRST_LEVEL)
            if utype == "乡镇":
                first_level.append(("xzdt", "乡镇动态"))
            for code, cname in first_level:
                if name == "刘集乡" and code == "gknb":
                    continue   # seeded: COL001, the 年报 column is missing
                if name == "县卫健局" and code == "gknb":
                    cname = "政府信息公开工作年度报告"   # near-miss: an alias of 年报
                col = Column(f"{path}{code}/", cname, name)
                unit.columns.append(col)
                self.pages[col.path] = col
                if code == "fdzdgknr":
                    for sub, sname in FDZD_SUB + (KEY_AREAS if utype == "县政府" else []):
                        if name == "吹麻滩镇" and sub == "jgzn":
                            continue   # seeded: COL002, no 机构职能
                        if name == "县发改局" and sub == "jgzn":
                            sname = "机构信息"   # near-miss: an alias of 机构职能
                        child = Column(f"{col.path}{sub}/", sname, name)
                        col.children.append(child)
                        self.pages[child.path] = child
                        if name == "居集镇" and sub == "tzgg":
                            child.is_empty = True
                            continue
                        count = 27 if (name == "积石山县人民政府" and sub == "zcwj") else self.rng.randint(2, 8)
                        self.fill(child, count, self.STALE.get((name, sub)))
                elif code == "gknb":
                    for year in range(self.as_of.year - 3, self.as_of.year):
                        if name == "县教育局" and year == self.as_of.year - 1:
                            continue   # seeded: COL003, last year's report is missing
                        pub = date(year + 1, 1, 20)
                        self.new_doc(col, pub, date(year + 1, 1, 15),
                                     title=f"{name}{year}年政府信息公开工作年度报告")
                elif code == "xzdt":
                    self.fill(col, 5, self.STALE.get((name, code), 3))
                else:
                    self.normal_doc(col)
        self.seed_defects()
        news_col = Column("/xwdt/", "工作动态", SITE_UNIT)
        self.pages[news_col.path] = news_col
        for i in range(12):
            pub = self.as_of - timedelta(days=i * 3 + 1)
            self.news.append(self.new_doc(news_col, pub, pub, title=f"我县召开{self.rng.choice(TOPICS)}推进会"))
        self.news_column = news_col
        self.grow()
        self.seed_404_titles()
        for col in self.all_columns():
            col.docs.sort(key=lambda d: d.pub_date, reverse=True)

    def page_count(self) -> int:
        """Pages the site serves: documents, list pages, unit and platform pages, the homepage."""
        lists = sum(max(1, -(-len(c.docs) // PER_PAGE)) for c in [*self.all_columns(), self.news_column])
        docs = sum(len(c.docs) for c in [*self.all_columns(), self.news_column])
        return docs + lists + len(self.units) + 2

    def grow(self) -> None:
        """Add unremarkable documents until the site has ``target_pages`` pages (for benchmarks).

        Only columns without a seeded freshness defect or near-miss grow, so the
        ground truth stays the same at every size.
        """
        if not self.target_pages:
            return
        seeded = {f"{u.path}{code}/" if code == "xzdt" else f"{u.path}fdzdgknr/{code}/"
                  for u in self.units for (name, code) in self.STALE if name == u.name}
        growable = [c for c in self.all_columns()
                    if not c.children and not c.is_empty and c.path not in seeded and not c.path.endswith("gknb/")]
        missing = self.target_pages - self.page_count()
        per_doc = 1 + 1 / PER_PAGE
        for i in range(max(0, int(missing / per_doc))):
            self.normal_doc(growable[i % len(growable)], 31, 360)

    # Newest item's age in days for columns seeded stale, and their near-misses.
    STALE = {
        ("大河家镇", "xzdt"): 15,     # UPD002: 15 days > 14
        ("吹麻滩镇", "xzdt"): 13,     # near-miss
        ("刘集乡", "tzgg"): 213,      # UPD003: 7 months > 6
        ("居集镇", "zcwj"): 150,      # near-miss: 5 months
        ("县卫健局", "ghjh"): 420,    # UPD004: past a year
        ("大河家镇", "ghjh"): 300,    # near-miss
    }

    def column(self, unit: str, sub: str) -> Column:
        u = next(u for u in self.units if u.name == unit)
        return self.pages[f"{u.path}fdzdgknr/{sub}/"]

    def seed_defects(self) -> None:
        # 国庆 with its 调休 Saturday: the latest one whose 21st working day is before as_of.
        year = self.as_of.year if self.as_of >= date(self.as_of.year, 11, 10) else self.as_of.year - 1
        start = date(year, 9, 28)
        on_time = self.cal.add_workdays(start, 20)
        late = self.cal.add_workdays(start, 21)
        col = self.column("大河家镇", "zcwj")
        d = self.new_doc(col, on_time, start, title="大河家镇关于做好秋冬季农村人居环境整治工作的通知")
        self.near_misses.append(self.gt("LAG001", col.unit, d.path,
                                        why=f"published on the 20th working day after {start} (国庆, 调休)"))
        d = self.new_doc(col, late, start, title="大河家镇关于开展秋季森林草原防火工作的通知")
        self.truth.append(self.gt("LAG001", col.unit, d.path, lag=21))

        col = self.column("县发改局", "tzgg")
        start = self.as_of - timedelta(days=100)
        while not self.cal.is_workday(start):
            start -= timedelta(days=1)
        d = self.new_doc(col, self.cal.add_workdays(start, 35), start,
                         title="县发改局关于下达重点项目前期工作经费的通知")
        d.signature = chinese_date(start)
        d.doc_date_text = f"{start:%Y年%m月%d日}"
        self.truth.append(self.gt("LAG001", col.unit, d.path, lag=35))

        col = self.column("县卫健局", "zcwj")
        pub = self.as_of - timedelta(days=40)
        d = self.new_doc(col, pub, None, title="县卫健局关于印发基本公共卫生服务项目实施方案的通知")
        self.truth.append(self.gt("LAG002", col.unit, d.path))
        d = self.new_doc(col, pub - timedelta(days=7), sub_workdays(self.cal, pub - timedelta(days=7), 3),
                         title="县卫健局关于做好冬春季传染病防控工作的通知")
        d.doc_date_text = None   # the table's cell is empty, but the document is signed with its date
        assert d.doc_date is not None
        d.signature = chinese_date(d.doc_date)
        self.near_misses.append(self.gt("LAG002", col.unit, d.path, why="成文日期 from the signature"))

        col = self.column("吹麻滩镇", "tzgg")
        pub = self.as_of - timedelta(days=60)
        d = self.new_doc(col, pub, pub + timedelta(days=3), title="吹麻滩镇关于开展冬季供暖安全检查的公告")
        self.truth.append(self.gt("LAG003", col.unit, d.path))
        d = self.new_doc(col, pub - timedelta(days=1), pub - timedelta(days=1),
                         title="吹麻滩镇关于冬季道路交通安全的通告")
        self.near_misses.append(self.gt("LAG003", col.unit, d.path, why="published the day it was signed"))

        self.truth.append(self.gt("COL001", "刘集乡", "/zwgk/xz/ljx/", column="政府信息公开年报"))
        self.near_misses.append(self.gt("COL001", "县卫健局", "/zwgk/bm/wjj/", column="政府信息公开年报",
                                        why="the column is named 政府信息公开工作年度报告, an accepted alias"))
        col = self.column("县发改局", "zcwj")
        d = self.new_doc(col, self.as_of - timedelta(days=20), None, title="县发改局关于价格监测工作的说明")
        d.undated, d.date_in_list, d.doc_no = True, False, None
        del self.pages[d.path]
        d.path = f"{col.path}content_{self._next_id}.html"
        self.pages[d.path] = d
        self.truth.append(self.gt("LAG004", col.unit, d.path))
        # In a 政策文件 column with no date anywhere: 形成日期 missing as well, whatever the template.
        self.truth.append(self.gt("LAG002", col.unit, d.path))
        d = self.new_doc(col, self.as_of - timedelta(days=22), None, title="县发改局关于粮食价格监测的说明")
        d.undated, d.doc_no = True, None
        del self.pages[d.path]
        d.path = f"{col.path}content_{self._next_id}.html"
        self.pages[d.path] = d
        self.near_misses.append(self.gt("LAG004", col.unit, d.path, why="the list entry shows the date"))
        self.truth.append(self.gt("LAG002", col.unit, d.path))

        for (unit, code), age in self.STALE.items():
            u = next(x for x in self.units if x.name == unit)
            path = f"{u.path}{code}/" if code == "xzdt" else f"{u.path}fdzdgknr/{code}/"
            rule = {"xzdt": "UPD002", "tzgg": "UPD003", "zcwj": "UPD003", "ghjh": "UPD004"}[code]
            stale = {"UPD002": 14, "UPD003": 183, "UPD004": 365}[rule]
            entry = self.gt(rule, unit, path, why=f"newest item {age} days old")
            (self.truth if age > stale else self.near_misses).append(entry)

        self.truth.append(self.gt("COL002", "吹麻滩镇", "/zwgk/xz/cmtz/", column="机构职能"))
        self.near_misses.append(self.gt("COL002", "县发改局", "/zwgk/bm/fgj/", column="机构职能",
                                        why="named 机构信息, an accepted alias"))
        self.truth.append(self.gt("COL003", "县教育局", "/zwgk/bm/jyj/gknb/"))
        self.near_misses.append(self.gt("COL003", "积石山县人民政府", "/zwgk/xzf/gknb/",
                                        why="last year's report is online"))

        self.truth.append(self.gt("UPD005", "居集镇", "/zwgk/xz/jjz/fdzdgknr/tzgg/"))
        self.near_misses.append(self.gt("ENC001", "刘集乡", "/zwgk/xz/ljx/", why="GBK, declared honestly"))
        self.near_misses.append(self.gt("UPD005", "居集镇", "/zwgk/xz/jjz/fdzdgknr/",
                                        why="holds only sub-columns"))

        col = self.column("县教育局", "zcwj")
        d = col.docs[0]
        broken = "/zwgk/bm/jyj/fdzdgknr/zcwj/202301/t20230105_999.html"
        d.extra_links += [(broken, "相关文件：2023年学生资助工作要点"),
                          ("/waf/check.html", "相关解读"), ("/flaky/once.html", "政策图解"),
                          ("/zwgk/old/page.html", "原文链接"), ("/zwgk/xz/dhjz/gone/", "旧版栏目"),
                          ("/zwgk/notice/g404.html", "G404线路说明"),
                          ("/uploads/2026/通知附件.pdf", "附件：通知附件.pdf"),
                          ("/uploads/2026/实施方案.docx", "附件：实施方案.docx"),
                          ("/uploads/2026/统计表.xls", "附件：统计表.xls")]
        self.truth.append(self.gt("LNK003", col.unit, "/zwgk/old/page.html"))
        self.truth.append(self.gt("LNK003", col.unit, "/zwgk/xz/dhjz/gone/"))
        self.near_misses.append(self.gt("LNK003", col.unit, "/zwgk/notice/g404.html",
                                        why="a real page that mentions 404 in its text"))
        self.truth.append(self.gt("LNK004", col.unit, "/uploads/2026/通知附件.pdf"))
        self.near_misses.append(self.gt("LNK004", col.unit, "/uploads/2026/实施方案.docx",
                                        why="the attachment downloads"))
        self.near_misses.append(self.gt("LNK004", col.unit, "/uploads/2026/统计表.xls",
                                        why="the attachment downloads"))
        self.truth.append(self.gt("LNK001", SITE_UNIT, "/ztzl/2019/"))
        self.near_misses.append(self.gt("LNK001", SITE_UNIT, "/flaky/home.html", why="fails once, then loads"))
        self.truth.append(self.gt("LNK002", col.unit, broken, source=d.path))
        self.near_misses.append(self.gt("LNK002", col.unit, "/waf/check.html",
                                        why="403 from a WAF: blocked, not broken"))
        self.near_misses.append(self.gt("LNK002", col.unit, "/flaky/once.html",
                                        why="fails once, then loads"))
        # Every way a link can fail: the site's failures are findings, the rest "could not verify".
        # An NXDOMAIN answer and a refused connection are the site's, once confirmed by two
        # checks while our resolver and network answered (the crawl's recheck, as above); a
        # name our resolver gets no answer for is ours to fix (无法核验).
        port = self.base.rsplit(":", 1)[1]
        refused = f"http://{PORTAL_HOST}:1/zwgk/bm/jyj/old.html"          # nothing listens on port 1
        nxdomain = f"http://nosuch.jss.gov.cn.test:{port}/index.html"      # not in the testbed's DNS
        dns_timeout = f"http://{SILENT_HOST}:{port}/index.html"            # never answered by its DNS
        d.extra_links += [("/zwgk/bm/jyj/old/gone410.html", "已撤销文件"), ("/zwgk/bm/jyj/old/error500.html", "办事指南"),
                          ("/loop/a.html", "在线办理"), ("/busy.html", "互动交流"),
                          (refused, "旧版网站"), (nxdomain, "相关链接"), (dns_timeout, "数据开放平台")]
        for path in ("/zwgk/bm/jyj/old/gone410.html", "/zwgk/bm/jyj/old/error500.html", "/loop/a.html"):
            self.truth.append(self.gt("LNK002", col.unit, path))
        self.near_misses.append(self.gt("LNK002", col.unit, "/busy.html",
                                        why="429 with Retry-After: 300 — blocked, not broken"))
        for url, why in ((refused, "connection refused, twice, while other hosts answered"),
                         (nxdomain, "NXDOMAIN, twice, while our resolver answered other names")):
            entry = self.gt("LNK002", col.unit, "/", why=why)
            entry["url"] = url
            self.truth.append(entry)
        entry = self.gt("LNK002", col.unit, "/", why="our resolver timed out: could not verify")
        entry["url"] = dns_timeout
        self.near_misses.append(entry)

    def seed_404_titles(self) -> None:
        """Near-misses of LNK003: documents whose title or 文号 carries "404" (after every other
        random draw, so the rest of the county stays as it was)."""
        col = self.column("积石山县人民政府", "zcwj")
        for days, title, doc_no in (
            (4, "积石山县人民政府关于印发冬春季森林草原防火工作方案的通知（积政发〔2026〕404号）", "积政发〔2026〕404号"),
            (5, "积石山县人民政府令第404号", None),
            (6, "我县404户脱贫户喜领产业分红", None),
        ):
            pub = self.as_of - timedelta(days=days)
            while not self.cal.is_workday(pub):
                pub -= timedelta(days=1)
            d = self.new_doc(col, pub, sub_workdays(self.cal, pub, 2), title=title)
            d.doc_no = doc_no
            self.near_misses.append(self.gt("LNK003", col.unit, d.path, why="a real document with 404 in its title"))

    def gt(self, rule: str, unit: str, path: str, column: str | None = None, **extra: Any) -> dict[str, Any]:
        return {"rule": rule, "site": SITE_ID, "unit": unit, "url": self.url(path), "column": column,
                **{k: (self.url(v) if k == "source" else v) for k, v in extra.items()}}

    def all_columns(self) -> list[Column]:
        out = []
        for unit in self.units:
            for col in unit.columns:
                out.append(col)
                out.extend(col.children)
        return out

    def ground_truth(self) -> dict[str, Any]:
        docs = [{"url": self.url(d.path), "unit": d.publisher, "title": d.title,
                 "doc_date": d.doc_date.isoformat() if d.doc_date else None,
                 "pub_date": None if (d.undated and not d.date_in_list) else d.pub_date.isoformat()}
                for c in self.all_columns() for d in c.docs]
        cols = [{"url": self.url(c.path), "name": c.name, "unit": c.unit, "items": len(c.docs)}
                for c in self.all_columns()]
        return {"seed": self.seed, "as_of": self.as_of.isoformat(), "base_url": self.base,
                "findings": self.truth, "near_misses": self.near_misses,
                "documents": docs, "columns": cols}

    # -- HTTP ---------------------------------------------------------------------------
    def respond(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Answer one request for ``path`` (query and fragment stripped)."""
        path = unquote(path)
        self.hits[path] = self.hits.get(path, 0) + 1
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/zwgk/bm/jyj/old/gone410.html":
            return 410, _html_type(), "<html><body><h1>410 Gone</h1></body></html>".encode()
        if path == "/zwgk/bm/jyj/old/error500.html":
            return 500, _html_type(), b"<html><body><h1>500 Internal Server Error</h1></body></html>"
        if path in ("/loop/a.html", "/loop/b.html"):
            other = "/loop/b.html" if path == "/loop/a.html" else "/loop/a.html"
            return 302, {"Location": self.base + other, **_html_type()}, b""
        if path == "/busy.html":
            return 429, {"Retry-After": "300", **_html_type()}, "<html><body>请求过于频繁，请稍后再试</body></html>".encode()
        if path == "/waf/check.html":
            return 403, _html_type(), "<html><body><h1>访问被拦截</h1><p>您的访问疑似攻击行为，已被网站防火墙拦截。</p></body></html>".encode()
        if path.startswith("/flaky/"):   # fails once, then loads
            if self.hits[path] == 1:
                return 503, _html_type(), b"<html><body>Service Unavailable</body></html>"
            return 200, _html_type(), "<html><head><title>政策图解</title></head><body>政策图解</body></html>".encode()
        if path == "/zwgk/old/page.html":   # a soft 404: 200 with a "not found" page
            return 200, _html_type(), ("<html><head><title>提示信息</title></head><body><div class='error'>"
                                       "<h2>抱歉，您访问的页面不存在或已被删除！</h2><a href='/'>返回首页</a>"
                                       "</div></body></html>").encode()
        if path == "/zwgk/xz/dhjz/gone/":   # a deep link sent to the homepage
            return 302, {"Location": self.base + "/", **_html_type()}, b""
        if path == "/zwgk/notice/g404.html":
            return 200, _html_type(), self.frame("关于G404线路调整的说明", (
                "<h1>关于G404线路调整的说明</h1><p>因道路施工，途经G404国道的班线临时调整，"
                "请广大群众合理安排出行。</p>")).encode()
        if path == "/uploads/2026/统计表.xls":
            return 200, {"Content-Type": "application/vnd.ms-excel"}, b"\xd0\xcf\x11\xe0 testbed attachment"
        if path in ("/zwgk/zwxmt/", "/zwgk/zwxmt/index.html"):
            return 200, _html_type(), self.render_media_column().encode()
        if path == "/uploads/2026/实施方案.docx":
            return 200, {"Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}, \
                b"PK\x03\x04 testbed attachment"
        key = path
        if key.endswith("index.html"):
            key = key[: -len("index.html")]
        page_no = 0
        if key not in self.pages and "/index_" in key:
            folder, _, rest = key.rpartition("/index_")
            if rest.endswith(".html") and rest[:-5].isdigit():
                key, page_no = folder + "/", int(rest[:-5])
        if path == "/" or path == "/index.html":
            return 200, _html_type(), self.render_home().encode()
        if key == "/zwgk/":
            return 200, _html_type(), self.render_platform().encode()
        obj = self.pages.get(key)
        if isinstance(obj, UnitModel):
            return self.encoded(obj.path, self.render_unit(obj))
        if isinstance(obj, Column):
            pages = max(1, -(-len(obj.docs) // PER_PAGE))
            if page_no >= pages:
                return 404, _html_type(), NOT_FOUND
            return self.encoded(obj.path, self.render_column(obj, page_no, pages))
        if isinstance(obj, Doc) and page_no == 0:
            return self.encoded(obj.column_path, self.render_doc(obj))
        return 404, _html_type(), NOT_FOUND

    # -- rendering ------------------------------------------------------------------------
    GBK_PREFIX = "/zwgk/xz/ljx/"   # 刘集乡's pages are GBK, declared honestly (near-miss of ENC001)

    def encoded(self, path: str, html: str) -> tuple[int, dict[str, str], bytes]:
        if path.startswith(self.GBK_PREFIX):
            html = html.replace('<meta charset="utf-8"/>', '<meta charset="gbk"/>', 1)
            return 200, {"Content-Type": "text/html; charset=GBK"}, html.encode("gbk", "xmlcharrefreplace")
        return 200, _html_type(), html.encode()

    # List dates in the forms county sites use, one form per column.
    LIST_DATE_FORMS = ("{d:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{d:%Y.%m.%d}", "{d.year}年{d.month}月{d.day}日",
                       "[{d:%Y-%m-%d}]", "{d:%Y年%m月%d日}")

    def list_date(self, col: "Column", d: date) -> str:
        form = self.LIST_DATE_FORMS[sum(col.path.encode()) % len(self.LIST_DATE_FORMS)]
        return form.format(d=d)

    def frame(self, title: str, body: str, meta: dict[str, str] | None = None, crumbs: Sequence[tuple[str, str]] = ()) -> str:
        metas = "\n".join(f'<meta name="{k}" content="{escape(v)}"/>' for k, v in (meta or {}).items())
        crumb = " &gt; ".join(f'<a href="{p}">{escape(n)}</a>' for p, n in [("/", "首页"), *crumbs])
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"/>
<meta name="SiteName" content="{COUNTY}人民政府"/>
<meta name="SiteDomain" content="{PORTAL_HOST}"/>
<meta name="SiteIDCode" content="6229270001"/>
{metas}
<title>{escape(title)}_{COUNTY}人民政府</title></head>
<body><div class="header"><a href="/">首页</a> <a href="/xwdt/">工作动态</a> <a href="/zwgk/">政府信息公开</a></div>
<div class="breadcrumb">当前位置：{crumb}</div>
<div class="main">{body}</div>
<div class="footer"><p>主办：{COUNTY}人民政府办公室</p><a href="http://bszs.conac.cn/sitename?method=show&amp;id=0001"><img src="http://dcs.conac.cn/image/red.png" alt="党政机关"/></a><p>网站标识码：6229270001 陇ICP备05000123号-1 甘公网安备 62292702000001号</p></div>
</body></html>"""

    def render_home(self) -> str:
        items = "".join(f'<li><a href="{d.path}">{escape(d.title)}</a><span>{d.pub_date:%Y-%m-%d}</span></li>'
                        for d in self.news[:8])
        return self.frame("首页", f'<div class="news"><h2><a href="/xwdt/">工作动态</a></h2><ul>{items}</ul></div>'
                          '<div class="gk"><a href="/zwgk/">政府信息公开</a> <a href="/ztzl/2019/">专题专栏</a> <a href="/flaky/home.html">政策图解</a> '
                          '<a href="/zwgk/zwxmt/">政务新媒体</a></div>' + self.render_site_links())

    def render_site_links(self) -> str:
        """The homepage's 部门网站 block (department sites on their own hosts)."""
        if not self.site_links:
            return ""
        links = "".join(f'<li><a href="{escape(u)}" target="_blank">{escape(t)}</a></li>' for t, u in self.site_links)
        return f'<div class="links"><h3>部门网站</h3><ul>{links}</ul></div>'

    MEDIA_ACCOUNTS = (("积石山发布", "微信公众号"), ("积石山发布", "新浪微博"), ("大河家镇发布", "微信公众号"),
                      ("积石山教育", "微信公众号"), ("积石山县卫健", "微信视频号"))

    def render_media_column(self) -> str:
        """The portal's 政务新媒体 column: the accounts, as counties list them (no dates)."""
        rows = "".join(f"<tr><td>{escape(n)}</td><td>{escape(p)}</td></tr>" for n, p in self.MEDIA_ACCOUNTS)
        table = self.media_table or (f'<table class="xmt"><tr><th>账号名称</th><th>平台</th></tr>{rows}</table>')
        return self.frame("政务新媒体", f'<h1>政务新媒体</h1>{table}', meta={"ColumnName": "政务新媒体"},
                          crumbs=[("/zwgk/zwxmt/", "政务新媒体")])

    def render_platform(self) -> str:
        entries = [(u.name, u.type, u.path) for u in self.units] + [(n, "部门", url) for n, url in self.external_platforms]
        if self.platform_layout == "table":
            # The other common layout: one row per group, headed by the group's name.
            groups = [("县政府", "县政府信息公开"), ("乡镇", "乡镇信息公开"), ("部门", "部门信息公开")]
            rows = "".join(
                f'<tr><th>{label}</th><td>' + " ".join(f'<a href="{escape(p)}">{escape(n)}</a>'
                                                        for n, t, p in entries if t == utype) + "</td></tr>"
                for utype, label in groups)
            return self.frame("政府信息公开", f'<h1>政府信息公开</h1><table class="gk-units">{rows}</table>',
                              crumbs=[("/zwgk/", "政府信息公开")])
        links = "".join(f'<li><a href="{escape(p)}">{escape(n)}</a></li>' for n, _, p in entries)
        return self.frame("政府信息公开", f'<h1>政府信息公开</h1><ul class="units">{links}</ul>',
                          crumbs=[("/zwgk/", "政府信息公开")])

    def render_unit(self, unit: UnitModel) -> str:
        nav = "".join(f'<li><a href="{c.path}">{escape(c.name)}</a></li>' for c in unit.columns)
        return self.frame(f"{unit.name}信息公开", f'<h1>{escape(unit.name)}</h1><ul class="nav">{nav}</ul>',
                          crumbs=[("/zwgk/", "政府信息公开"), (unit.path, unit.name)])

    def render_column(self, col: Column, page_no: int, pages: int) -> str:
        crumbs = [("/zwgk/", "政府信息公开")]
        unit = next((u for u in self.units if u.name == col.unit), None)
        if unit:
            crumbs.append((unit.path, unit.name))
        crumbs.append((col.path, col.name))
        sub = "".join(f'<li><a href="{c.path}">{escape(c.name)}</a></li>' for c in col.children)
        docs = col.docs[page_no * PER_PAGE:(page_no + 1) * PER_PAGE]
        items = "".join(
            f'<li><a href="{d.path}" title="{escape(d.title)}">{escape(d.title)}</a>'
            + (f'<span class="date">{self.list_date(col, d.pub_date)}</span>' if d.date_in_list else "") + "</li>"
            for d in docs)
        if col.children:
            listing = f'<ul class="sub-columns">{sub}</ul>'
        elif not docs:
            listing = '<div class="list"><p class="empty">暂无信息</p></div>'
        else:
            listing = f'<div class="list"><ul>{items}</ul></div>'
        pager = ""
        if pages > 1:
            nxt = f'<a href="index_{page_no + 1}.html">下一页</a>' if page_no + 1 < pages else ""
            # 首页 links the first page as index.html, while the navigation links the folder.
            pager = (f'<div class="page"><a href="index.html">首页</a>'
                     f'<script>createPageHTML({pages}, {page_no}, "index", "html");</script>'
                     f'{nxt} 共{pages}页</div>')
        return self.frame(col.name, f"<h1>{escape(col.name)}</h1>{listing}{pager}",
                          meta={"ColumnName": col.name, "ColumnType": col.name}, crumbs=crumbs)

    def render_doc(self, d: Doc) -> str:
        col = self.pages.get(d.column_path)
        crumbs = [(col.path, col.name)] if isinstance(col, Column) else []
        if not d.undated and (d.doc_no is not None or d.doc_date is not None or d.publisher != SITE_UNIT):
            table = f"""<div class="index_box"><ul class="trt-row">
<li>索&ensp;引&ensp;号：<font>{d.index_no}</font></li>
<li>主题分类：<font>综合政务</font></li>
<li>发布机构：<font>{escape(d.publisher)}</font></li>
<li>成文日期：<font>{d.doc_date_text or ""}</font></li>
<li>标&ensp;&ensp;&ensp;&ensp;题：<font>{escape(d.title)}</font></li>
<li>文&emsp;&emsp;号：<font>{escape(d.doc_no or "")}</font></li>
<li>发布日期：<font>{d.pub_date.isoformat()}</font></li>
<li>有&ensp;效&ensp;性：<em>有效</em></li></ul></div>"""
        else:
            table = ""
        links = "".join(f'<p><a href="{p}">{escape(t)}</a></p>' for p, t in d.extra_links)
        signature = (f'<p style="text-align:right">{escape(d.publisher)}</p>'
                     f'<p style="text-align:right">{d.signature}</p>') if d.signature else ""
        body = (f'{table}<div class="article"><h1>{escape(d.title)}</h1>'
                f'<div class="content"><p>各有关单位：</p><p>为进一步做好相关工作，现将有关事项通知如下。</p>'
                f'{links}{signature}</div></div>')
        meta = {"ColumnName": col.name if isinstance(col, Column) else "", "ArticleTitle": d.title,
                "PubDate": f"{d.pub_date:%Y-%m-%d} 09:30", "ContentSource": d.publisher}
        if d.undated:
            del meta["PubDate"]
        return self.frame(d.title, body, crumbs=crumbs, meta=meta)


NOT_FOUND = "<html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>".encode()


def _html_type() -> dict[str, str]:
    return {"Content-Type": "text/html; charset=utf-8"}
