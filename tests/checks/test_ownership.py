"""Column ownership by reachability: a column belongs to the unit whose platform entry the
crawl reached it from (Hanweb /col/colN/ columns live beside the entry, not under it);
column_prefixes stay an override."""
from __future__ import annotations

from dataclasses import replace

from checks import annual_report, platform_columns, subcolumns
from checks.base import Observations, page_key
from tests.checks.factory import BASE, SITE, T0, column, ctx
from zwgk.records import PageObs, Unit

ENTRY = BASE + "/col/col100/index.html"     # 大河家镇's platform entry on a Hanweb portal
OTHER = BASE + "/col/col200/index.html"     # 吹麻滩镇's
FOUR = ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报"]


def visited(path_or_url: str, referrer: str | None, depth: int = 1) -> PageObs:
    url = path_or_url if path_or_url.startswith("http") else BASE + path_or_url
    return PageObs(1, "portal", url, "page", None, 200, "utf-8", False, None, None, None, 0, False,
                   referrer, depth, T0)


def hanweb(units: tuple[Unit, ...], names: list[str] = FOUR) -> Observations:
    pages = [visited(BASE + "/", None, 0), visited("/zwgk/", BASE + "/", 1),
             visited(ENTRY, BASE + "/zwgk/", 2), visited(OTHER, BASE + "/zwgk/", 2)]
    cols = []
    for i, name in enumerate(names):
        pages.append(visited(f"/col/col10{i + 1}/index.html", ENTRY, 3))
        cols.append(column(f"/col/col10{i + 1}/index.html", name))
    pages.append(visited("/art/2026/11/2/art_101_5.html", BASE + "/col/col101/index.html", 4))
    pages.append(visited("/col/col201/index.html", OTHER, 3))
    cols.append(column("/col/col201/index.html", "政府信息公开指南"))
    pages.append(visited("/col/col9/index.html", BASE + "/", 1))   # the portal's own 工作动态
    cols.append(column("/col/col9/index.html", "工作动态"))
    return Observations(run_id=1, sites=(SITE,), units=units, pages=tuple(pages), columns=tuple(cols))


UNITS = (Unit("县政府办公室", "部门"), Unit("大河家镇", "乡镇", platform=ENTRY),
         Unit("吹麻滩镇", "乡镇", platform=BASE + "/col/col200/"))


def test_columns_and_documents_belong_to_the_unit_whose_platform_reaches_them():
    obs = hanweb(UNITS)
    assert obs.owner(BASE + "/col/col101/index.html", "portal") == "大河家镇"
    assert obs.owner(BASE + "/art/2026/11/2/art_101_5.html", "portal") == "大河家镇"
    assert obs.owner(ENTRY, "portal") == "大河家镇"
    # "/col/col200/" and ".../col/col200/index.html" are the same page
    assert obs.owner(BASE + "/col/col201/index.html", "portal") == "吹麻滩镇"


def test_what_no_platform_reaches_stays_with_the_site_unit():
    obs = hanweb(UNITS)
    assert obs.owner(BASE + "/col/col9/index.html", "portal") == "县政府办公室"
    assert obs.owner(BASE + "/never/seen.html", "portal") == "县政府办公室"


def test_a_column_prefix_overrides_reachability():
    units = (*UNITS[:2], replace(UNITS[2], column_prefixes=(BASE + "/col/col101/",)))
    assert hanweb(units).owner(BASE + "/col/col101/index.html", "portal") == "吹麻滩镇"


def test_referrer_cycles_end():
    pages = (visited("/a.html", BASE + "/b.html"), visited("/b.html", BASE + "/a.html"))
    obs = Observations(run_id=1, sites=(SITE,), units=UNITS, pages=pages)
    assert obs.owner(BASE + "/a.html", "portal") == "县政府办公室"


def test_hanweb_platform_gives_no_false_col001():
    found = platform_columns.check(hanweb(UNITS), dict(platform_columns.DEFAULTS), ctx())
    assert [f for f in found if f.unit == "大河家镇"] == []


def test_hanweb_platform_missing_column_is_found_at_the_entry():
    [f] = [f for f in platform_columns.check(hanweb(UNITS, FOUR[:3]), dict(platform_columns.DEFAULTS), ctx())
           if f.unit == "大河家镇"]
    assert f.column == "政府信息公开年报" and f.url == ENTRY


def test_the_entry_folder_as_prefix_is_the_trap():
    """With the obvious prefix (the entry's folder) every Hanweb column is missed.  That once
    gave four false COL001; no column at all under a prefix is now 无法核验 (a configuration
    or crawl problem), and the platform key avoids the trap altogether."""
    units = (UNITS[0], Unit("大河家镇", "乡镇", column_prefixes=(BASE + "/col/col100/",)), UNITS[2])
    context = ctx()
    found = [f for f in platform_columns.check(hanweb(units), dict(platform_columns.DEFAULTS), context)
             if f.unit == "大河家镇"]
    assert found == []
    assert any(u.unit == "大河家镇" and "未发现任何栏目" in u.detail for u in context.unverified)


def test_other_catalogue_rules_use_the_platform_too():
    obs = hanweb(UNITS, FOUR[:2] + ["法定主动公开内容"])
    assert list(subcolumns.check(obs, dict(subcolumns.DEFAULTS), ctx())) != []   # sub-columns missing
    assert list(annual_report.check(obs, dict(annual_report.DEFAULTS), ctx())) == []   # no 年报 column: COL001's


def test_page_key():
    assert page_key("http://a/x/index.html#top") == "http://a/x/"
    assert page_key("http://a/x/t1.html") == "http://a/x/t1.html"


def test_a_document_without_a_page_of_its_own_goes_by_its_column():
    from tests.checks.factory import doc
    d = replace(doc(), url=BASE + "/art/2026/11/3/art_101_9.html", column_url=BASE + "/col/col101/index.html")
    obs = replace(hanweb(UNITS), documents=(d,))
    assert obs.owner(d.url, "portal") == "大河家镇"
