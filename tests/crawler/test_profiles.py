"""crawler.profiles: each CMS family as data, detection on real pages, one URL per column."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from crawler import profiles
from crawler.extract import date_from_url, extract_detail
from crawler.profiles import canonical_column_url, column_root, detect, page_key


def _realpages() -> Path:
    env = os.environ.get("ZWGK_REALPAGES")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "realpages"


REALPAGES = _realpages()
needs_realpages = pytest.mark.skipif(not (REALPAGES / "hanweb-jiangxi").is_dir(), reason="no realpages")


def test_every_family_is_one_frozen_profile_with_a_unique_name() -> None:
    assert profiles.names() == ("trs", "ucap", "hanweb", "generic")
    for profile in profiles.FAMILIES:
        assert dataclasses.is_dataclass(profile)
        with pytest.raises(dataclasses.FrozenInstanceError):
            profile.name = "x"  # type: ignore[misc]
    assert profiles.get("hanweb").title == "大汉 Hanweb JCMS"
    assert profiles.get(None) is None
    with pytest.raises(KeyError):
        profiles.get("wordpress")


@pytest.mark.parametrize("url, expected", [
    ("http://a.test/zwgk/202410/t20241030_1001.html", "2024-10-30"),      # TRS
    ("http://a.test/art/2024/6/5/art_1234_100.html", "2024-06-05"),        # Hanweb
    ("http://a.test/zhengce/content/2018-12/27/content_5352666.htm", "2018-12-27"),   # Ucap
    ("http://a.test/zwgk/content_1001.html", None),
    ("http://a.test/art/1980/6/5/art_1_2.html", None),                     # out of the URL year range
])
def test_url_dates_come_from_the_families(url: str, expected: str | None) -> None:
    got = date_from_url(url)
    assert (got.isoformat() if got else None) == expected


@pytest.mark.parametrize("path, detail", [
    ("/zwgk/202410/t20241030_1001.html", True), ("/art/2024/6/5/art_1234_100.html", True),
    ("/content/2018-12/27/content_5352666.htm", True), ("/col/col1234/index.html", False),
    ("/zwgk/zcwj/index_2.html", False),
])
def test_detail_url_shapes(path: str, detail: bool) -> None:
    assert profiles.is_detail_url(path) is detail


@pytest.mark.parametrize("url, root", [
    ("http://a.test/zwgk/zcwj/", "http://a.test/zwgk/zcwj/"),
    ("http://a.test/zwgk/zcwj/index.html", "http://a.test/zwgk/zcwj/"),
    ("http://a.test/zwgk/zcwj/index.htm", "http://a.test/zwgk/zcwj/"),
    ("http://a.test/zwgk/zcwj/index.shtml", "http://a.test/zwgk/zcwj/"),
    ("http://a.test/zwgk/zcwj/default.html", "http://a.test/zwgk/zcwj/"),
    ("http://A.TEST/zwgk/zcwj/index.html#top", "http://a.test/zwgk/zcwj/"),
    ("http://a.test/zwgk/zcwj/index_3.html", "http://a.test/zwgk/zcwj/"),          # a pager page
    ("http://a.test/col/col12/index.html?uid=9&pageNum=2", "http://a.test/col/col12/"),   # Hanweb pager
    ("http://a.test/list.jsp?catid=5&page=2", "http://a.test/list.jsp?catid=5"),
    # Not column aliases: a document, a page named like a pager but not an index, another column.
    ("http://a.test/zwgk/t20240101_1.html", "http://a.test/zwgk/t20240101_1.html"),
    ("http://a.test/zwgk/report_2.html", "http://a.test/zwgk/report_2.html"),
    ("http://a.test/list.jsp?catid=6", "http://a.test/list.jsp?catid=6"),
])
def test_one_url_per_column(url: str, root: str) -> None:
    assert column_root(url) == root


def test_page_key_merges_index_aliases_only() -> None:
    assert page_key("http://a.test/x/index.html") == page_key("http://a.test/x/") == "http://a.test/x/"
    assert page_key("http://a.test/x/index_2.html") != page_key("http://a.test/x/")   # page 2 is a page
    # main.htm is no folder index (review 17 #7): /x/main.htm is a page of its own.
    assert canonical_column_url("http://a.test/x/main.htm") == "http://a.test/x/main.htm"


def test_detection_by_generator_paths_and_scripts() -> None:
    hanweb = '<html><head><meta name="generator" content="大汉版通发布系统"/></head><body><a href="/col/col12/index.html">x</a></body></html>'
    found = detect("http://a.test/", hanweb)
    assert found.profile.name == "hanweb" and any(e.startswith("generator") for e in found.evidence)
    trs = '<script>createPageHTML(3, 0, "index", "html");</script><a href="./202401/t20240105_1.html">x</a>'
    assert detect("http://a.test/zwgk/", trs).profile.name == "trs"
    # One sign is not enough: a page citing a Hanweb link is not a Hanweb page.
    assert detect("http://a.test/", '<a href="http://b.test/col/col1/">x</a>').profile is profiles.GENERIC
    assert detect("http://a.test/", "").profile is profiles.GENERIC


@needs_realpages
@pytest.mark.parametrize("gold_set, family", [("hanweb-jiangxi", "hanweb"), ("hanweb-jiangsu", "hanweb")])
def test_real_hanweb_pages_are_detected_as_hanweb(gold_set: str, family: str) -> None:
    pages = sorted((REALPAGES / gold_set).glob("*.html"))
    assert pages
    assert {detect("", p.read_text(encoding="utf-8")).profile.name for p in pages} == {family}


@needs_realpages
def test_real_ucap_and_trs_pages_are_detected() -> None:
    misc = REALPAGES / "misc"
    assert detect("", (misc / "006_platform1_govcn_zhengce_5352666.html").read_text(encoding="utf-8")).profile.name == "ucap"
    assert detect("", (misc / "003_gne_shanxi_trs.html").read_text(encoding="utf-8")).profile.name == "trs"
    pingtan = sorted((REALPAGES / "pingtan").glob("pt-a-*.html"))
    assert {detect("", p.read_text(encoding="utf-8")).profile.name for p in pingtan} == {"trs"}


INFO_LINE = """<html><head><title>{title}_某县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<div class="article"><h1>{title}</h1>
<div class="info"><span>{label}：{date}</span><span>发布时间：2026-11-13 10:00</span><span>来源：某县人民政府办公室</span></div>
<div id="zoom"><p>各乡镇人民政府，县直各部门：</p><p>为进一步做好今冬明春的有关工作，现将有关事项通知如下，请认真贯彻落实。</p></div>
</div></body></html>"""


@pytest.mark.parametrize("profile", [None, "hanweb"])
@pytest.mark.parametrize("label", ["发文日期", "生成日期", "成文日期"])
def test_doc_date_from_the_info_line(profile: str | None, label: str) -> None:
    html = INFO_LINE.format(title="关于做好冬季供暖工作的通知", label=label, date="2026-11-10")
    got = extract_detail(html, "http://a.test/art/2026/11/13/art_1_2.html", profile=profiles.get(profile))
    assert (got.doc_date.isoformat(), got.doc_date_source, got.doc_date_raw) == ("2026-11-10", f"page:{label}", "2026-11-10")
    assert got.pub_date.isoformat() == "2026-11-13" and got.pub_date_source == "page:发布时间"


def test_info_line_label_outside_the_family_does_not_count() -> None:
    """A Ucap template never prints 生成日期 on its info line: from a Ucap site it is not read."""
    html = INFO_LINE.format(title="关于做好冬季供暖工作的通知", label="生成日期", date="2026-11-10")
    got = extract_detail(html, "http://a.test/a.html", profile=profiles.get("ucap"))
    assert got.doc_date is None


def test_info_line_without_a_date_gives_none_not_another_date() -> None:
    html = INFO_LINE.format(title="关于做好冬季供暖工作的通知", label="发文日期", date="")
    got = extract_detail(html, "http://a.test/art/2026/11/13/art_1_2.html", profile=profiles.get("hanweb"))
    assert got.doc_date is None   # not the 发布时间 beside it, not the URL date


def test_profile_labels_are_in_the_shared_vocabulary() -> None:
    """A family's table and info-line labels are read by the shared label parser: each must be
    one of its labels for the same field, or the profile would promise what is never read."""
    from crawler.extract.labels import _LABELS

    for profile in profiles.FAMILIES:
        for key, labels in profile.metadata_labels.items():
            assert set(labels) <= set(_LABELS[key]), (profile.name, key)
        assert set(profile.info_line_doc_labels) <= set(_LABELS["doc_date"]), profile.name
        assert profile.info_line_doc_labels, profile.name
