"""crawler.dates: every date form of RULES.md, invalid dates, URL dates."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.dates import date_from_url, find_dates, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-05", date(2024, 6, 5)),
        ("2024/6/5", date(2024, 6, 5)),
        ("2024.06.05", date(2024, 6, 5)),
        ("2024年06月05日", date(2024, 6, 5)),
        ("2024年6月5日 10:00", date(2024, 6, 5)),
        ("2016-07-19 11:30", date(2016, 7, 19)),
        ("  2024-6-5  ", date(2024, 6, 5)),
        ("2020 年 2 月 3 日", date(2020, 2, 3)),  # spaced out by Word spans (pingtan pt-a-12)
        ("２０２４年６月５日", date(2024, 6, 5)),  # full-width digits
        ("2024年6月5号", date(2024, 6, 5)),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),  # www.gov.cn firstpublishedtime meta
        ("20240605", date(2024, 6, 5)),  # compact, as a whole value only
        ("时间：2015-09-17 09:00", date(2015, 9, 17)),
    ],
)
def test_parse_date_arabic_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二〇二〇年十二月八日", date(2020, 12, 8)),  # 〇 U+3007
        ("二○一一年十月八日", date(2011, 10, 8)),  # ○ U+25CB (pingtan pt-a-03)
        ("二○一○年四月十二日", date(2010, 4, 12)),  # pingtan pt-a-21
        ("二零二四年三月三十一日", date(2024, 3, 31)),
        ("二ＯＯ九年一月二十日", date(2009, 1, 20)),  # full-width letter O
        ("一九八一年五月二十三日", date(1981, 5, 23)),  # misc 026
        ("一九九六年六月二十九日", date(1996, 6, 29)),
        ("二〇〇四年六月二十六日", date(2004, 6, 26)),
        ("二〇二三年十一月十日", date(2023, 11, 10)),
        ("二〇二三年十二月二十日", date(2023, 12, 20)),
        ("二〇二三年元月三日", date(2023, 1, 3)),
    ],
)
def test_parse_date_chinese_numerals(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024年13月1日",
        "二〇二〇年十三月八日",
        "二〇二〇年二月三十日",
        "2013年9月",  # no day
        "2013年9月15个工作日",  # 日/号 is required after 年月
        "1.1:50.3",
        "岚综管综〔2016〕178号",
        "",
        "无",
        "2024-06",
        "99999999",
    ],
)
def test_parse_date_rejects_non_dates(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_none_and_garbage_never_raise() -> None:
    assert parse_date(None) is None
    assert parse_date("\x00\ufffd年月日") is None


def test_text_years_before_1949_are_rejected_but_1980s_documents_are_kept() -> None:
    # The national policy library republishes 1980s documents; their dates are genuine.
    assert parse_date("1981年05月23日") == date(1981, 5, 23)
    assert parse_date("1921年7月1日") is None
    assert parse_date("2101-01-01") is None


def test_find_dates_in_order_with_raw_strings() -> None:
    text = "根据2013年8月21日的通知，自2015年9月10日起执行。二○一一年十月八日"
    assert find_dates(text) == [
        (date(2013, 8, 21), "2013年8月21日"),
        (date(2015, 9, 10), "2015年9月10日"),
        (date(2011, 10, 8), "二○一一年十月八日"),
    ]


def test_find_dates_skips_invalid_and_keeps_raw_text_of_full_width_digits() -> None:
    assert find_dates("2024-02-30 与 ２０２４年６月５日") == [(date(2024, 6, 5), "２０２４年６月５日")]


def test_find_dates_ignores_numbers_that_only_look_like_dates() -> None:
    assert find_dates("索引号 000014348/2020-35428，电话 0591-24336205，规划（2023-2035年）") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.pingtan.gov.cn/zwgk/zfxxgk/gwhwj/cxjshgldzd/201607/t20160719_60970.htm", date(2016, 7, 19)),
        ("https://www.pingtan.gov.cn/zwgk/ghxx/gzjzqk/202403/t20240329_88515.html", date(2024, 3, 29)),
        ("http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml", date(2019, 9, 18)),
        ("http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", date(2016, 11, 22)),
        ("http://www.example.gov.cn/art/2024/6/5/art_123_456.html", date(2024, 6, 5)),
        ("http://www.gov.cn/zhengce/content/2018-12/27/content_5352666.htm", date(2018, 12, 27)),
        ("https://www.pingtan.gov.cn/zwgk/t20210624_185368.htm?from=list", date(2021, 6, 24)),
    ],
)
def test_date_from_url(url: str, expected: date) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/",
        "https://www.pingtan.gov.cn/zwgk/t20210230_1.htm",  # no 30 February
        "https://www.pingtan.gov.cn/zwgk/t19891231_1.htm",  # before 1990: not a CMS date
        "https://www.pingtan.gov.cn/zwgk/t21010101_1.htm",
        "https://www.pingtan.gov.cn/attachFiles/myfile/DATE_20211216/4028.pdf",
        "https://www.pingtan.gov.cn/zwgk/202403/P020240430602295224544.pdf",
    ],
)
def test_date_from_url_none(url: str | None) -> None:
    assert date_from_url(url) is None
