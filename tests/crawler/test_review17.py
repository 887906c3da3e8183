"""Regression tests from the issue 17 review (pages under fixtures/review17/).

Each page once gave a wrong date or a false finding; a false finding is worse than a missed one,
so these assert that no wrong date is read, and where a right one is on the page, that it is.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler import profiles
from crawler.extract import extract_detail

FIXTURES = Path(__file__).parent / "fixtures" / "review17"
URL = "http://example.gov.cn/art/2024/3/5/art_1_2.html"


def detail(name: str, profile: str | None = None, url: str = URL):
    html = (FIXTURES / name).read_text(encoding="utf-8")
    return extract_detail(html, url, profile=profiles.get(profile) if profile else None)


# 1. An empty date label on the info line must not read the body after it.

@pytest.mark.parametrize("profile", [None, "hanweb"])
def test_empty_info_line_doc_date_label_reads_no_body(profile):
    assert detail("f1.html", profile).doc_date is None


def test_empty_info_line_doc_date_label_keeps_meta_pub_date():
    assert detail("f1.html").pub_date == date(2024, 3, 5)


def test_empty_info_line_pub_date_label_reads_no_body():
    # f3: 发布时间： empty, the body cites 2023年12月20日; the URL date is all there is.
    assert detail("f3.html", url="http://example.gov.cn/zwgk/1.html").pub_date is None


def test_empty_label_then_share_bar_date_is_no_doc_date():
    assert detail("f2.html").doc_date is None


@pytest.mark.parametrize("label", ["成文日期", "发文日期", "生成日期"])
def test_empty_label_inline_html(label):
    html = (
        "<html><head><title>关于做好工作的通知</title></head><body><div class='main'>"
        "<h1>关于做好工作的通知</h1>"
        f"<div class='info'><span>发布时间：2024-03-05</span> <span>{label}：</span></div>"
        "<div id='zoom'><p>各乡镇：</p><p>根据2023年12月20日会议精神，现通知如下。</p></div>"
        "</div></body></html>"
    )
    assert extract_detail(html, "http://example.gov.cn/zwgk/1.html").doc_date is None


def test_filled_info_line_label_still_read():
    html = (
        "<html><head><title>关于做好工作的通知</title></head><body><div class='main'>"
        "<h1>关于做好工作的通知</h1>"
        "<div class='info'><span>发布时间：</span><span>2024-03-05</span></div>"
        "<div id='zoom'><p>各乡镇：</p><p>根据2023年12月20日会议精神，现通知如下。</p></div>"
        "</div></body></html>"
    )
    assert extract_detail(html, "http://example.gov.cn/zwgk/1.html").pub_date == date(2024, 3, 5)


# 2. A neighbour's 发文日期/成文日期 below the body never beats the page's own signature.

@pytest.mark.parametrize("name", ["b1m.html", "b2m.html"])
def test_neighbour_dated_line_below_body_is_not_doc_date(name):
    assert detail(name).doc_date == date(2024, 2, 28)


@pytest.mark.parametrize("name", ["b1m.html", "b2m.html"])
def test_neighbour_dated_line_below_body_source_is_signature(name):
    assert detail(name).doc_date_source == "signature"


def test_own_info_line_doc_date_still_read():
    # b4: 发文日期 on the info line under the heading; a 上一篇 成文日期 below the body.
    assert detail("b4.html").doc_date == date(2024, 2, 28)


def test_own_info_line_doc_date_source():
    assert detail("b4.html").doc_date_source == "page:发文日期"


def test_neighbour_line_without_signature_gives_no_doc_date():
    html = (
        "<html><head><title>关于表彰的决定</title></head><body><div class='main'>"
        "<h1>关于表彰的决定</h1><div class='info'>发布时间：2024-03-05 来源：县政府办</div>"
        "<div id='zoom'><p>各单位：</p><p>经研究，决定予以表彰。</p></div>"
        "<div class='related'><ul><li><a href='/a.html'>关于表彰2022年度先进集体的决定</a>"
        " <span>发文日期：2023-05-06</span></li></ul></div></div></body></html>"
    )
    assert extract_detail(html, "http://example.gov.cn/zwgk/1.html").doc_date is None


# 3. 生成日期 with a time of day, or later than the publication, is a build stamp.

@pytest.mark.parametrize("profile", [None, "hanweb"])
def test_generation_stamp_with_time_is_no_doc_date(profile):
    assert detail("b5.html", profile).doc_date is None


def test_generation_stamp_equal_to_pub_with_time_is_no_doc_date():
    assert detail("b3.html").doc_date is None


def _info_line_page(label: str, value: str) -> str:
    return (
        "<html><head><meta name='PubDate' content='2024-04-08 10:21'><title>关于印发计划的通知</title></head>"
        "<body><div class='main'><h1>关于印发计划的通知</h1>"
        f"<div class='info'>发布时间：2024-04-08 来源：县发改局 {label}：{value}</div>"
        "<div id='zoom'><p>各乡镇：</p><p>现将计划印发给你们，请认真贯彻执行。</p></div></div></body></html>"
    )


def test_generation_date_later_than_pub_is_no_doc_date():
    assert extract_detail(_info_line_page("生成日期", "2024-06-01"), URL).doc_date is None


def test_generation_date_before_pub_is_still_read():
    assert extract_detail(_info_line_page("生成日期", "2024-04-01"), URL).doc_date == date(2024, 4, 1)


def test_info_line_doc_date_with_time_is_no_doc_date():
    assert extract_detail(_info_line_page("发文日期", "2024-04-01 09:00:00"), URL).doc_date is None


def test_lag003_skips_a_generation_date():
    from dataclasses import replace

    from checks import pub_before_doc
    from tests.checks.factory import ctx, doc, obs

    page = replace(doc(doc_date=date(2026, 11, 2), pub_date=date(2026, 10, 30)), doc_date_source="page:生成日期")
    assert list(pub_before_doc.check(obs(documents=(page,)), {}, ctx())) == []


def test_lag003_still_fires_on_a_table_date():
    from checks import pub_before_doc
    from tests.checks.factory import ctx, doc, obs

    page = doc(doc_date=date(2026, 11, 2), pub_date=date(2026, 10, 30))
    assert len(list(pub_before_doc.check(obs(documents=(page,)), {}, ctx()))) == 1


# 4. A cited 文号 is not the page's own.

def test_interpretation_quoting_notice_and_number_has_no_doc_no():
    assert detail("d1.html").doc_no is None


def test_interpretation_title_with_number_has_no_doc_no():
    assert detail("d2.html").doc_no is None


def test_news_citing_a_number_has_no_doc_no():
    assert detail("d3.html").doc_no is None


def test_own_number_opening_the_body_is_still_read():
    html = (
        "<html><head><title>关于做好防汛工作的通知</title></head><body><div class='main'>"
        "<h1>关于做好防汛工作的通知</h1><div class='info'>发布时间：2024-03-05</div>"
        "<div id='zoom'><p>某政办〔2024〕3号</p><p>各乡镇人民政府：</p><p>现就有关事项通知如下。</p></div>"
        "</div></body></html>"
    )
    assert extract_detail(html, "http://example.gov.cn/zwgk/1.html").doc_no == "某政办〔2024〕3号"


def test_own_number_after_repeated_title_is_still_read():
    html = (
        "<html><head><title>关于做好防汛工作的通知</title></head><body><div class='main'>"
        "<h1>关于做好防汛工作的通知</h1><div class='info'>发布时间：2024-03-05</div>"
        "<div id='zoom'><p>关于做好防汛工作的通知</p><p>某政办〔2024〕3号</p><p>各乡镇人民政府：</p>"
        "<p>现就有关事项通知如下。</p></div></div></body></html>"
    )
    assert extract_detail(html, "http://example.gov.cn/zwgk/1.html").doc_no == "某政办〔2024〕3号"


# 5. 解读 columns are not 政策文件 columns; a PDF-only page and a bracket note after the signature
#    date give no LAG002.

@pytest.mark.parametrize("name", ["政策文件解读", "文件解读", "政策解读", "政策图解"])
def test_interpretation_columns_are_not_policy(name):
    from checks._columns import column_class

    assert column_class(name) == "interpretation"


@pytest.mark.parametrize("name", ["人大代表建议办理文件", "已撤销文件"])
def test_bare_wenjian_is_not_policy(name):
    from checks._columns import column_class

    assert column_class(name) != "policy"


@pytest.mark.parametrize("name", ["政策文件", "规范性文件", "县政府文件", "政府办文件"])
def test_policy_columns_still_policy(name):
    from checks._columns import column_class

    assert column_class(name) == "policy"


@pytest.mark.parametrize("name", ["政策文件解读", "文件解读", "人大代表建议办理文件"])
def test_undated_interpretation_in_such_columns_gets_no_lag002(name):
    from dataclasses import replace

    from checks import missing_doc_date
    from tests.checks.factory import BASE, column, ctx, doc, obs

    page = replace(doc(doc_date=None, table=False), doc_no=None, column_url=BASE + "/zwgk/zcjd/",
                   title="《某县乡村振兴促进办法》政策解读")
    found = missing_doc_date.check(obs(documents=(page,), columns=(column("/zwgk/zcjd/", name),)), {}, ctx())
    assert list(found) == []


def test_pdf_only_body_is_attachment():
    assert detail("e1.html").body_is_attachment is True


def test_pdf_only_body_has_no_doc_date():
    assert detail("e1.html").doc_date is None


def test_written_body_is_not_attachment():
    assert detail("e2.html").body_is_attachment is False


def test_lag002_skips_an_attachment_only_document():
    from dataclasses import replace

    from checks import missing_doc_date
    from tests.checks.factory import column, ctx, doc, obs

    page = replace(doc(doc_date=None, table=False), doc_no=None, doc_date_source="attachment")
    cols = (column("/zwgk/dhjz/zcwj/", "政策文件"),)
    assert list(missing_doc_date.check(obs(documents=(page,), columns=cols), {}, ctx())) == []


def test_signature_date_with_bracket_note():
    assert detail("e2.html").doc_date == date(2024, 2, 28)


def test_signature_date_with_bracket_note_source():
    assert detail("e2.html").doc_date_source == "signature"


def test_signature_date_followed_by_other_text_is_not_read():
    html = (
        "<html><head><title>关于表彰的决定</title></head><body><div class='main'><h1>关于表彰的决定</h1>"
        "<div id='zoom'><p>各单位：</p><p>经研究，决定予以表彰。</p><p>某县人民政府</p>"
        "<p>2024年2月28日起施行</p></div></div></body></html>"
    )
    assert extract_detail(html, "http://example.gov.cn/zwgk/1.html").doc_date is None


# 6. Soft 404 judged by the page as a whole: a not-found phrase in a sentence is a real page.

def _soft(html: str) -> str | None:
    from crawler.spiders.disclosure import soft_404_reason

    return soft_404_reason("http://a/p.html", "http://a/p.html", None, html)


@pytest.mark.parametrize("name", ["s1.html", "s2.html"])
def test_short_page_mentioning_not_found_in_a_sentence_is_no_soft_404(name):
    assert _soft((FIXTURES / name).read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("html", [
    "<title>某县人民政府</title><div class='nav'><a>首页</a></div><div class='err'>抱歉，您访问的页面不存在！</div>"
    "<p><a href='/'>返回首页</a></p>",
    "<title>提示</title><div><p>信息不存在或已被删除</p></div>",
    "<title>某县人民政府</title><h2>404</h2><p>页面未找到</p>",
])
def test_short_page_whose_message_is_a_line_is_soft_404(html):
    assert _soft(html) is not None


# 7. Column canonicalization keeps different columns apart.

@pytest.mark.parametrize("a, b", [
    ("http://x.gov.cn/news.php?p=notice", "http://x.gov.cn/news.php?p=policy"),
    ("http://x.gov.cn/zwgk/index_2023.html", "http://x.gov.cn/zwgk/"),
    ("http://x.gov.cn/zwgk/main.html", "http://x.gov.cn/zwgk/"),
    ("http://x.gov.cn/index.php?p=12", "http://x.gov.cn/"),
])
def test_different_columns_stay_apart(a, b):
    from crawler.profiles import column_root

    assert column_root(a) != column_root(b)


@pytest.mark.parametrize("url, root", [
    ("http://x.gov.cn/col/col123/index.html?uid=4567&pageNum=2", "http://x.gov.cn/col/col123/"),
    ("http://x.gov.cn/zwgk/tzgg/index_1.html", "http://x.gov.cn/zwgk/tzgg/"),
    ("http://x.gov.cn/zwgk/tzgg/index_12.html", "http://x.gov.cn/zwgk/tzgg/"),
    ("http://x.gov.cn/list.jsp?catid=5&page=2", "http://x.gov.cn/list.jsp?catid=5"),
])
def test_pager_pages_still_join_their_column(url, root):
    from crawler.profiles import column_root

    assert column_root(url) == root


def test_column_with_query_keeps_the_fetched_url():
    from crawler.profiles import column_root

    assert column_root("http://x.gov.cn/zwgk/index.jsp?channelId=5") == "http://x.gov.cn/zwgk/index.jsp?channelId=5"


# 8. Hanweb portal lists: MM-DD dates take the year only from a matching /art/YYYY/M/D/ link, and
#    an entry's 解读 pop-up links are neither entries nor a reason to drop the entry.

_PORTAL_LIST = """<html><body><div class="box"><div class="bt">最新公开</div><ul class="RcontUl">
<li class="clearfix"><a href="http://www.js.gov.cn/art/2023/2/7/art_46143_1.html" title="省政府令第180号">《江苏省农村土地经营权流转管理办法》（省政府令第180号）</a>
<span class="time">02-07</span>
<span class="jds">解读<div class="RcontUlList"><div class="xgjd">文字解读</div>
<div><a href="/art/2023/2/8/art_32648_9.html">省司法厅：《江苏省农村土地经营权流转管理办法》政策解读</a></div></div></span></li>
<li class="clearfix"><a href="http://www.js.gov.cn/art/2022/12/30/art_46143_2.html">江苏省人民政府关于修改部分规范性文件的决定</a>
<span class="time">01-03</span><span class="jds">解读<div class="RcontUlList"></div></span></li>
<li class="clearfix"><a href="http://www.js.gov.cn/zwgk/3.html">江苏省人民政府关于聘任省政府参事的通知</a>
<span class="time">05-06</span></li>
</ul></div></body></html>"""


def _portal_items():
    from crawler.extract import extract_list

    return extract_list(_PORTAL_LIST, "http://www.js.gov.cn/col/col31255/index.html").items


def test_portal_list_reads_every_entry_but_no_popup_link():
    assert [i.url.rsplit("/", 1)[1] for i in _portal_items()] == ["art_46143_1.html", "art_46143_2.html", "3.html"]


def test_month_day_takes_the_year_of_a_matching_art_link():
    assert _portal_items()[0].date == date(2023, 2, 7)


def test_month_day_with_a_different_link_date_gets_no_year():
    assert _portal_items()[1].date is None


def test_month_day_without_a_link_date_gets_no_year():
    assert _portal_items()[2].date is None


def test_month_day_raw_is_kept():
    assert _portal_items()[2].date_raw == "05-06"


def test_pdf_only_body_source_says_attachment():
    assert detail("e1.html").doc_date_source == "attachment"


# Reviewer's pre-existing case a2: a 解读 citing its document's 文号 and 发文日期 in a header.

def _rules_on(name: str, column_name: str = "工作动态"):
    return _rules_on_html((FIXTURES / name).read_text(encoding="utf-8"), column_name)


def _rules_on_html(html: str, column_name: str):
    """LAG001–LAG003 on a page, its DocumentObs built as the spider builds it."""
    from checks import missing_doc_date, pub_before_doc, publication_lag
    from tests.checks.factory import BASE, T0, column, ctx, obs
    from zwgk.records import DocumentObs

    d = extract_detail(html, URL)
    o = DocumentObs(1, "portal", URL, BASE + "/zwgk/col/", d.title, d.doc_no, d.index_no, d.publisher, d.doc_date,
                    d.doc_date_source, d.doc_date_raw, d.pub_date, d.pub_date_source, d.pub_date_raw, None,
                    d.has_metadata_table, T0)
    ob = obs(documents=(o,), columns=(column("/zwgk/col/", column_name),))
    return [f.rule for rule in (publication_lag, missing_doc_date, pub_before_doc)
            for f in rule.check(ob, dict(rule.DEFAULTS), ctx(as_of=date(2024, 12, 1)))]


@pytest.mark.parametrize("name", ["a2.html", "d1.html", "d2.html", "d3.html", "f1.html", "b1m.html", "b2m.html",
                                  "b3.html", "b5.html"])
def test_reviewer_pages_give_no_finding(name):
    assert _rules_on(name) == []


@pytest.mark.parametrize("name", ["e1.html", "e2.html", "d1.html"])
def test_reviewer_pages_in_a_policy_column_give_no_finding(name):
    assert _rules_on(name, "政策文件") == []


def test_an_undated_policy_page_still_gets_lag002():
    html = (
        "<html><head><meta name='PubDate' content='2024-03-05 09:30'><title>关于表彰的决定</title></head><body>"
        "<div class='main'><h1>关于表彰的决定</h1><div id='zoom'><p>各单位：</p><p>经研究，决定予以表彰。</p>"
        "</div></div></body></html>"
    )
    assert _rules_on_html(html, "政策文件") == ["LAG002"]


# Reviewer's pre-existing case c1: a 转发 notice signed before the forwarded text.

def test_forwarding_notice_takes_its_own_signature():
    assert detail("c1.html").doc_date == date(2024, 3, 10)


def test_forwarding_notice_signature_source():
    assert detail("c1.html").doc_date_source == "signature"


def test_forwarding_notice_without_own_signature_keeps_the_last():
    html = (
        "<html><head><title>关于转发某市通知的通知</title></head><body><div class='main'><h1>关于转发某市通知的通知</h1>"
        "<div id='zoom'><p>各单位：</p><p>现将通知转发给你们，请认真贯彻落实。</p></div></div></body></html>"
    )
    assert extract_detail(html, "http://example.gov.cn/zwgk/1.html").doc_date is None
