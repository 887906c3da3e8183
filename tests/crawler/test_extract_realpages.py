"""crawler.extract against the hand-checked real pages, plus focused cases for each rule.

The real pages live outside the repository (shared/realpages, see its README for how output is
compared with gold.json), found at ../shared/realpages beside the repository (a worktree under
/work) or wherever ZWGK_REALPAGES points.  Without them these tests skip, and the run's summary
says so in red; with ZWGK_REQUIRE_REALPAGES=1 (CI sets it) their absence fails the run instead.
The comparison itself is tools/eval_extract.py's, so this suite and the printed report cannot disagree.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from crawler.extract import decode_html, extract_detail, extract_list
from tools.eval_extract import GOLD_SETS, Case, accuracy, cases, evaluate, invented_dates, load_gold, matches


def _realpages() -> Path:
    env = os.environ.get("ZWGK_REALPAGES")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "realpages"


REALPAGES = _realpages()
HAVE_REALPAGES = (REALPAGES / "pingtan" / "gold.json").is_file() and (REALPAGES / "misc" / "gold.json").is_file()
needs_realpages = pytest.mark.skipif(
    not HAVE_REALPAGES, reason=f"real pages not found at {REALPAGES} (set ZWGK_REALPAGES)"
)


def _gold_cases() -> list[Case]:
    if not HAVE_REALPAGES:
        return []
    return [case for gold_set in _sets() for case in cases(REALPAGES, gold_set)]


def _sets() -> list[str]:
    """Every gold set of tools/eval_extract.py that is present (all of them in CI)."""
    return [s for s in GOLD_SETS if (REALPAGES / s / "gold.json").is_file()]


def _page(gold_set: str, name: str) -> str:
    return (REALPAGES / gold_set / name).read_text(encoding="utf-8")


def _detail_pages(gold_set: str) -> list[str]:
    if not HAVE_REALPAGES:
        return []
    return [name for name, gold in load_gold(REALPAGES, gold_set).items() if gold["type"] == "detail"]


def test_real_pages_are_there_when_required() -> None:
    if HAVE_REALPAGES:
        assert GOLD_CASES, f"no gold cases under {REALPAGES}"
    elif os.environ.get("ZWGK_REQUIRE_REALPAGES"):
        pytest.fail(f"real pages not found at {REALPAGES}, and ZWGK_REQUIRE_REALPAGES is set: "
                    "set ZWGK_REALPAGES to the shared/realpages folder")
    else:
        pytest.skip(f"real pages not found at {REALPAGES} (set ZWGK_REALPAGES)")


# ---------------------------------------------------------------------------------------------
# Gold: one case per page and field
# ---------------------------------------------------------------------------------------------

GOLD_CASES = _gold_cases()


@needs_realpages
@pytest.mark.parametrize("case", GOLD_CASES or [None], ids=[c.id for c in GOLD_CASES] or ["no-realpages"])
def test_gold_field(case: Case | None) -> None:
    assert case is not None
    ok, got = matches(REALPAGES, case)
    assert ok, f"{case.id}: gold {case.expected!r}, got {got!r}"


@needs_realpages
def test_pingtan_overall_accuracy_at_least_98_percent() -> None:
    per_field, mismatches = evaluate(REALPAGES, "pingtan")
    assert accuracy(per_field) >= 0.98, [(c.id, c.expected, got) for c, got in mismatches]


@needs_realpages
@pytest.mark.parametrize("gold_set", GOLD_SETS)
def test_no_date_is_invented(gold_set: str) -> None:
    assert (REALPAGES / gold_set / "gold.json").is_file(), f"gold set {gold_set} missing from {REALPAGES}"
    assert invented_dates(REALPAGES, gold_set) == []


@needs_realpages
@pytest.mark.parametrize("gold_set", GOLD_SETS)
def test_every_set_has_scored_fields(gold_set: str) -> None:
    """A set with nothing scored (hanweb-jiangsu's index page once gave 0/0) proves nothing."""
    per_field, _ = evaluate(REALPAGES, gold_set)
    assert sum(len(oks) for oks in per_field.values()) > 0


@needs_realpages
@pytest.mark.parametrize("gold_set", GOLD_SETS)
def test_every_field_at_least_99_percent_per_set(gold_set: str) -> None:
    assert (REALPAGES / gold_set / "gold.json").is_file(), f"gold set {gold_set} missing from {REALPAGES}"
    per_field, mismatches = evaluate(REALPAGES, gold_set)
    low = {f: round(sum(oks) / len(oks), 3) for f, oks in per_field.items() if sum(oks) / len(oks) < 0.99}
    assert low == {}, [(c.id, c.expected, got) for c, got in mismatches]


# ---------------------------------------------------------------------------------------------
# Lower tiers of the cascade, exercised on the real pages by removing the upper tiers
# ---------------------------------------------------------------------------------------------


@needs_realpages
@pytest.mark.parametrize("gold_set", ["pingtan", "misc"])
def test_signature_date_when_table_has_no_document_date(gold_set: str) -> None:
    """Without 成文日期 in the table, doc_date is the signature date, or None: never another date."""
    wrong = []
    for name in _detail_pages(gold_set):
        gold = load_gold(REALPAGES, gold_set)[name]
        html = _page(gold_set, name).replace("成文日期", "备注")
        got = extract_detail(html, gold["url"])
        if gold["signature_date"] is None:
            expected = gold["doc_date"] if got.doc_date_source == "body:题注" else None
        else:
            expected = gold["signature_date"]
        if (got.doc_date.isoformat() if got.doc_date else None) != expected:
            wrong.append((name, expected, got.doc_date, got.doc_date_source))
    assert wrong == []


@needs_realpages
def test_hanweb_pages_without_table_date_give_the_signature_date_or_none() -> None:
    """Without 成文日期 in the table, a Hanweb page's doc_date is its signature date (read before the
    相关解读 block that follows it) or None: never another date."""
    wrong, signed = [], 0
    for name in _detail_pages("hanweb-jiangxi"):
        gold = load_gold(REALPAGES, "hanweb-jiangxi")[name]
        got = extract_detail(_page("hanweb-jiangxi", name).replace("成文日期", "备注"), gold["url"])
        value = got.doc_date.isoformat() if got.doc_date else None
        if value is not None and value != gold["signature_date"]:
            wrong.append((name, gold["signature_date"], value, got.doc_date_source))
        signed += value is not None
    assert wrong == []
    # 15 of the 23 pages are signed; 4 of those sign before long attachments, a 令 before a second
    # text, or close with contact lines: missed (None), not misread.
    with_signature = [n for n in _detail_pages("hanweb-jiangxi") if load_gold(REALPAGES, "hanweb-jiangxi")[n]["signature_date"]]
    assert signed >= 11 and len(with_signature) == 15


@needs_realpages
@pytest.mark.parametrize("gold_set", ["pingtan", "misc"])
def test_pub_date_without_meta_comes_from_table_or_info_line(gold_set: str) -> None:
    wrong = []
    for name in _detail_pages(gold_set):
        gold = load_gold(REALPAGES, gold_set)[name]
        html = re.sub(r"<meta[^>]+name=[\"'](?:PubDate|firstpublishedtime)[\"'][^>]*>", "", _page(gold_set, name), flags=re.I)
        got = extract_detail(html, gold["url"])
        # misc 001 shows its publication date only in the meta tag and gives no URL.
        expected = None if name.startswith("001_") else gold["pub_date"]
        if (got.pub_date.isoformat() if got.pub_date else None) != expected:
            wrong.append((name, expected, got.pub_date, got.pub_date_source))
        elif got.pub_date is not None:
            assert got.pub_date_source.split(":")[0] in ("table", "page"), (name, got.pub_date_source)
    assert wrong == []


@needs_realpages
def test_provenance_of_a_table_page() -> None:
    got = extract_detail(_page("pingtan", "pt-a-01-60970.html"))
    assert got.has_metadata_table
    assert (got.pub_date, got.pub_date_source, got.pub_date_raw) == (date(2016, 7, 19), "meta:PubDate", "2016-07-19 11:30")
    assert (got.doc_date, got.doc_date_source, got.doc_date_raw) == (date(2016, 7, 18), "table:成文日期", "2016-07-18")
    assert got.validity == "有效"
    assert (got.column_name, got.column_type, got.site_id_code) == ("城乡建设和管理的重大事项",) * 2 + ("3590000001",)


@needs_realpages
def test_signature_in_chinese_numerals_on_a_page_without_table() -> None:
    got = extract_detail(_page("pingtan", "pt-a-21-789.html"))
    assert not got.has_metadata_table
    assert (got.doc_date, got.doc_date_source, got.doc_date_raw) == (date(2010, 4, 12), "signature", "二○一○年四月十二日")
    assert got.publisher == "平潭县人民政府办公室"


@needs_realpages
def test_url_date_is_not_used_when_the_page_shows_its_date() -> None:
    # misc 005: URL t20210106, displayed 发布日期 2021-01-05.
    gold = load_gold(REALPAGES, "misc")["005_gne_cmse_2021.html"]
    got = extract_detail(_page("misc", "005_gne_cmse_2021.html"), gold["url"], list_date=date(2021, 1, 6))
    assert (got.pub_date, got.pub_date_source) == (date(2021, 1, 5), "page:发布日期")


@needs_realpages
def test_attachments_are_absolute_and_complete() -> None:
    got = extract_detail(_page("pingtan", "pt-a-09-75083.html"))
    assert [a.rsplit(".", 1)[1] for a in got.attachments] == ["xlsx", "pdf", "zip"]
    gold = load_gold(REALPAGES, "pingtan")["pt-a-13-89651.html"]
    got = extract_detail(_page("pingtan", "pt-a-13-89651.html"), gold["url"])
    assert len(got.attachments) == 4
    assert got.attachments[0] == (
        "https://www.pingtan.gov.cn/zwgk/zfxxgk/gwhwj/gmjjhshfzg/202404/P020240430602295224544.pdf"
    )
    assert extract_detail(_page("pingtan", "pt-a-01-60970.html")).attachments == ()


# ---------------------------------------------------------------------------------------------
# List pages
# ---------------------------------------------------------------------------------------------


@needs_realpages
def test_list_page_pager_config_gives_page_count() -> None:
    page = extract_list(_page("pingtan", "pt-a-23-zfxxgknb-list.html"), "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/")
    assert page.total_pages == 2  # recordCount '20', prepage 10; page 2 is API-only
    assert page.column_name == "政府信息公开年报"
    assert all(item.date is not None for item in page.items)
    page = extract_list(_page("pingtan", "pt-a-25-zxgh-list.html"), "https://www.pingtan.gov.cn/zwgk/ghxx/zxgh/")
    assert page.total_pages == 3  # recordCount '32', prepage 15


@needs_realpages
def test_list_page_rendered_by_javascript_has_no_entries() -> None:
    page = extract_list(_page("pingtan", "pt-a-24-dfxfgzfgzh-list.html"), "https://www.pingtan.gov.cn/zwgk/zfxxgk/gwhwj/dfxfgzfgzh/")
    assert page.items == ()
    assert page.next_pages == ()


@needs_realpages
def test_list_page_document_write_pager_lists_every_page() -> None:
    url = "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/"
    page = extract_list(_page("misc", "017_renmin_hdzfxxgk_list_trimmed.html"), url)
    assert page.total_pages == 56
    assert page.next_pages[0] == url + "index_1.html"
    assert page.next_pages[-1] == url + "index_55.html"
    assert len(page.next_pages) == 55
    assert page.items[0].date == date(2020, 8, 5)


@needs_realpages
def test_index_page_lists_are_document_entries_only() -> None:
    page = extract_list(_page("misc", "016_pingtan_zwgk_index.html"), "https://www.pingtan.gov.cn/zwgk/")
    # 最新文件 7 + 公示公告 6 + 人事任免 6 + 中长期发展规划 6 + 统计信息 6; no navigation, no tiles.
    assert len(page.items) == 31
    assert page.items[0].title == "平潭综合实验区管委会办公室关于印发《平潭综合实验区公共租赁住房管理办法》的通知"
    assert page.items[0].date == date(2026, 6, 5)


def test_list_items_generic_shapes() -> None:
    html = """
    <html><body>
      <ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul>
      <ul class="list">
        <li><a href="./202406/t20240605_1.html" title="关于印发某某办法的通知的完整标题">关于印发某某办法...</a><span>[2024-06-05]</span></li>
        <li><a href="./202406/t20240601_2.html">关于2024年度工作的报告</a><span>2024年06月01日</span></li>
        <li><a href="./202405/t20240520_3.html">规划（2023-2035年）<em>2024-05-20</em></a></li>
      </ul>
      <table><tr><th>标题</th><th>成文日期</th><th>发布日期</th></tr>
        <tr><td><a href="/art/2024/5/2/art_1_9.html">某县人民政府关于某事的批复</a></td><td>2024-04-28</td><td>2024-05-02</td></tr>
      </table>
    </body></html>
    """
    page = extract_list(html, "http://www.example.gov.cn/zwgk/tzgg/index.html")
    assert [(i.title, i.date) for i in page.items] == [
        ("关于印发某某办法的通知的完整标题", date(2024, 6, 5)),
        ("关于2024年度工作的报告", date(2024, 6, 1)),
        ("规划（2023-2035年）", date(2024, 5, 20)),
        ("某县人民政府关于某事的批复", date(2024, 5, 2)),  # the 发布日期 column, not 成文日期
    ]
    assert page.items[0].url == "http://www.example.gov.cn/zwgk/tzgg/202406/t20240605_1.html"
    assert page.items[3].url == "http://www.example.gov.cn/art/2024/5/2/art_1_9.html"


def test_list_keeps_undated_entries_of_a_dated_list() -> None:
    # LAG004/UPD001 need to see an entry without a date, not lose it.
    html = """<html><body>
      <ul class="nav"><li><a href="/a/">机构职能介绍</a></li><li><a href="/b/">政策文件汇编</a></li></ul>
      <ul class="list">
        <li><a href="./content_9.html">县发改局关于价格监测工作的说明</a></li>
        <li><a href="./202610/t20261022_1.html">县发改局关于农村人居环境整治的通知</a><span>2026-10-22</span></li>
        <li><a href="./202609/t20260921_2.html">县发改局关于城乡居民医疗保险的通知</a><span>2026-09-21</span></li>
      </ul></body></html>"""
    page = extract_list(html, "http://www.example.gov.cn/zwgk/zcwj/")
    assert [(i.title, i.date) for i in page.items] == [
        ("县发改局关于价格监测工作的说明", None),
        ("县发改局关于农村人居环境整治的通知", date(2026, 10, 22)),
        ("县发改局关于城乡居民医疗保险的通知", date(2026, 9, 21)),
    ]


def test_list_trs_create_page_html() -> None:
    html = """<html><body><ul><li><a href="./t20240605_1.html">一份文件的标题</a> 2024-06-05</li></ul>
    <script>// createPageHTML(9, 0, "old", "html");
    createPageHTML(4, 0, "index", "html");</script></body></html>"""
    page = extract_list(html, "http://www.example.gov.cn/zwgk/tzgg/")
    assert page.total_pages == 4
    assert page.next_pages == tuple(f"http://www.example.gov.cn/zwgk/tzgg/index_{k}.html" for k in (1, 2, 3))


def test_list_query_pager_and_page_count_text() -> None:
    html = """<html><body><ul><li><a href="view?id=1">一份文件的标题</a> 2024-06-05</li></ul>
    <div class="page">共3页 <span>1</span> <a href="list?cid=7&amp;page=2">2</a> <a href="list?cid=7&amp;page=2">下一页</a></div>
    </body></html>"""
    page = extract_list(html, "http://www.example.gov.cn/col/list?cid=7")
    assert page.total_pages == 3
    assert set(page.next_pages) == {
        "http://www.example.gov.cn/col/list?cid=7&page=2",
        "http://www.example.gov.cn/col/list?cid=7&page=3",
    }


# ---------------------------------------------------------------------------------------------
# Detail pages: focused cases
# ---------------------------------------------------------------------------------------------


def _article(meta: str = "", table: str = "", body: str = "", info: str = "") -> str:
    return f"""<html><head><title>一份通知_某县人民政府</title>{meta}</head><body>
    <div class="nav"><a href="/">首页</a></div>{table}
    <div class="article"><h1 class="title">一份通知</h1>{info}
      <div class="TRS_Editor">{body}</div></div>
    <div class="footer">主办单位：某县人民政府办公室 2024年1月1日</div></body></html>"""


_PLAIN_BODY = "<p>各乡镇人民政府，县直各部门：</p><p>现将有关事项通知如下，请认真贯彻执行，确保各项工作落到实处。</p>"


def test_table_labels_split_by_spaces_and_values_in_next_cell() -> None:
    table = """<table>
      <tr><td>索&ensp;引&ensp;号：</td><td>001234-2024-00001</td><td>主题分类：</td><td>其他</td></tr>
      <tr><td>发文机关：</td><td>某县人民政府办公室</td><td>发文日期：</td><td>2024年05月30日</td></tr>
      <tr><td>生成日期：</td><td>2024-05-29</td><td>发文字号：</td><td>某政办［2024］3号</td></tr>
      <tr><td>有 效 性：</td><td>有效</td><td>公开日期：</td><td>2024-06-01</td></tr>
    </table>"""
    got = extract_detail(_article(table=table, body=_PLAIN_BODY), "http://www.example.gov.cn/a/t20240605_1.html")
    assert got.has_metadata_table
    assert got.index_no == "001234-2024-00001"
    assert got.publisher == "某县人民政府办公室"
    assert (got.doc_date, got.doc_date_source) == (date(2024, 5, 30), "table:发文日期")  # 发文日期 before 生成日期
    assert (got.pub_date, got.pub_date_source) == (date(2024, 6, 1), "table:公开日期")  # table before URL
    assert got.doc_no == "某政办［2024］3号"  # brackets as printed
    assert got.validity == "有效"
    assert got.title == "一份通知"


def test_table_says_no_document_number() -> None:
    table = "<ul><li>索引号：<font>1-2</font></li><li>文号：<font>无</font></li><li>发布机构：<font>某局</font></li></ul>"
    body = "<p>某县人民政府文件</p><p>某政〔2024〕1号</p>" + _PLAIN_BODY
    got = extract_detail(_article(table=table, body=body))
    assert got.has_metadata_table and got.doc_no is None


def test_cascade_list_then_url_then_body_label() -> None:
    body = _PLAIN_BODY + "<p>发布时间：2024-03-01</p>"
    url = "http://www.example.gov.cn/zwgk/202403/t20240305_9.html"
    got = extract_detail(_article(body=body), url, list_date=date(2024, 3, 4))
    assert (got.pub_date, got.pub_date_source) == (date(2024, 3, 4), "list")
    got = extract_detail(_article(body=body), url)
    assert (got.pub_date, got.pub_date_source, got.pub_date_raw) == (date(2024, 3, 5), "url", url)
    got = extract_detail(_article(body=body), "http://www.example.gov.cn/zwgk/view?id=9")
    assert (got.pub_date, got.pub_date_source) == (date(2024, 3, 1), "body:发布时间")
    got = extract_detail(_article(body=_PLAIN_BODY), "http://www.example.gov.cn/zwgk/view?id=9")
    assert got.pub_date is None and got.pub_date_source is None  # the footer's date is not it


def test_pubdate_meta_name_is_case_insensitive() -> None:
    got = extract_detail(_article(meta='<meta name="pubdate" content="2024-06-05 10:00">', body=_PLAIN_BODY))
    assert (got.pub_date, got.pub_date_source) == (date(2024, 6, 5), "meta:PubDate")


def test_info_line_under_heading() -> None:
    info = '<div class="info"><span>发布时间：2024-06-05 10:00</span><span>来源：某县融媒体中心</span><span>浏览次数：12</span></div>'
    got = extract_detail(_article(info=info, body=_PLAIN_BODY), "http://www.example.gov.cn/a/t20240606_1.html")
    assert (got.pub_date, got.pub_date_source) == (date(2024, 6, 5), "page:发布时间")
    assert got.publisher == "某县融媒体中心"
    assert not got.has_metadata_table


def test_signature_and_distractors() -> None:
    body = (
        "<p>某政〔2024〕12号</p>"
        "<p>根据《关于某事的通知》（某政办〔2023〕9号）和2023年8月21日会议精神，自2024年7月1日起施行。</p>"
        "<p>联系电话：0591-24336205</p>"
        '<p style="text-align:right">某县人民政府</p>'
        '<p style="text-align:right"><span>202</span><span>4</span>年<span>6</span>月<span>3</span>日</p>'
        "<p>（此件公开发布）</p>"
        "<p>附件：<a href='/files/a.pdf'>实施细则.pdf</a></p>"
    )
    got = extract_detail(_article(body=body), "http://www.example.gov.cn/zwgk/202406/t20240605_1.html")
    assert (got.doc_date, got.doc_date_source) == (date(2024, 6, 3), "signature")
    assert got.doc_no == "某政〔2024〕12号"  # the line of its own, not the cited one
    assert got.publisher == "某县人民政府"
    assert got.attachments == ("http://www.example.gov.cn/files/a.pdf",)


def test_no_signature_no_document_date() -> None:
    body = "<p>2024年6月5日</p><p>今天上午，全县召开会议，部署2024年7月1日起实施的各项工作。</p><p>（责任编辑：张三）</p>"
    got = extract_detail(_article(body=body))
    assert got.doc_date is None and got.doc_date_source is None
    assert got.doc_no is None


def test_a_column_of_dates_in_a_data_table_is_no_signature() -> None:
    body = "<p>名单如下：</p><table><tr><td>1</td><td>张三</td><td>2024年6月5日</td></tr></table>"
    assert extract_detail(_article(body=body)).doc_date is None


def test_empty_and_broken_html_never_raise() -> None:
    for html in ("", "<html>", "<p>2024-06-05</p>", "\x00\ufffd<div><table><tr><td>成文日期：</td></tr>"):
        got = extract_detail(html, "not a url")
        assert got.title is None or isinstance(got.title, str)


# ---------------------------------------------------------------------------------------------
# decode_html
# ---------------------------------------------------------------------------------------------

_PAGE = '<html><head><meta http-equiv="Content-Type" content="text/html; charset={cs}"><title>政务公开</title></head><body>平潭综合实验区管委会关于印发《办法》的通知 2024年6月5日</body></html>'


def test_decode_gbk_page_served_as_utf8() -> None:
    body = _PAGE.format(cs="gb2312").encode("gbk")
    text, used, contradicted = decode_html(body, "utf-8")
    assert used == "gb18030" and contradicted
    assert "平潭综合实验区管委会" in text and "\ufffd" not in text


def test_decode_utf8_page_served_as_gbk() -> None:
    body = _PAGE.format(cs="utf-8").encode("utf-8")
    text, used, contradicted = decode_html(body, "GBK")
    assert used == "utf-8" and contradicted
    assert "平潭综合实验区管委会" in text


def test_decode_utf8_page_whose_meta_says_gb2312_and_header_agrees_with_bytes() -> None:
    # Word output pasted into a UTF-8 page carries its own charset=gb2312 meta.
    body = _PAGE.format(cs="gb2312").encode("utf-8")
    text, used, contradicted = decode_html(body, "utf-8")
    assert (used, contradicted) == ("utf-8", False)
    assert "平潭综合实验区管委会" in text


def test_decode_gbk_without_header_uses_meta() -> None:
    body = _PAGE.format(cs="gbk").encode("gb18030")
    assert decode_html(body, None) == (_PAGE.format(cs="gbk"), "gb18030", False)


def test_decode_gb2312_header_is_read_as_gb18030() -> None:
    # 镕 and 珺 are outside GB2312; servers still label such pages gb2312.
    body = ("<html><body>朱镕基 王珺</body></html>").encode("gb18030")
    text, used, contradicted = decode_html(body, "gb2312")
    assert (text, used, contradicted) == ("<html><body>朱镕基 王珺</body></html>", "gb18030", False)


def test_decode_utf8_bom_wins() -> None:
    body = b"\xef\xbb\xbf" + _PAGE.format(cs="gbk").encode("utf-8")
    text, used, contradicted = decode_html(body, "gbk")
    assert used == "utf-8" and contradicted and text.startswith("<html>")


def test_decode_never_raises() -> None:
    for body, header in ((b"", None), (b"\xff\xfe\x00", "utf-8"), (bytes(range(256)), "no-such-charset"), (b"\x80abc", "utf-8")):
        text, used, _ = decode_html(body, header)
        assert isinstance(text, str) and used
