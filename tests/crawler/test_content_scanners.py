"""The crawler's content scanners: personal numbers (masked), hidden links, attachments."""
from __future__ import annotations

from datetime import date

import pytest
from lxml import html as lxml_html

from crawler import attachments
from crawler.content import ContentObserver
from crawler.page_content import blocks, hidden_links
from crawler.personal_data import luhn, mask_text, scan, valid_id
from testbed.content import CARD, IDS, INDEX_RUN, MOBILES, WRONG_CHECK, docx, pdf, xlsx
from zwgk.records.content import AttachmentOutcome, AttachmentScan, PersonalDataObs, PersonalKind

TODAY = date(2026, 11, 26)


def test_gb11643_check_digit_birth_date_and_province():
    assert all(valid_id(n, TODAY) for n in IDS + [INDEX_RUN])
    assert not valid_id(WRONG_CHECK, TODAY)
    assert not valid_id("622927202702300011", TODAY)          # 2027-02-30
    assert not valid_id("992927198503120411", TODAY)          # no province 99
    assert luhn(CARD) and not luhn(CARD[:-1] + "0")


def page(body: str, head: str = "") -> object:
    return lxml_html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def found(body: str):
    b = blocks(page(body))
    return scan(b.tables, [b.text], TODAY)


def test_table_of_persons_yields_masked_ids_mobiles_and_cards():
    rows = "".join(f"<tr><td>马某</td><td>{IDS[i]}</td><td>{MOBILES[i]}</td><td>{CARD}</td></tr>" for i in range(1))
    got = found(f"<table><tr><th>姓名</th><th>身份证号</th><th>手机号码</th><th>银行卡号</th></tr>{rows}</table>")
    assert [(c.kind, c.masked, c.position) for c in got] == [
        (PersonalKind.ID_CARD, IDS[0][:6] + "********" + IDS[0][-4:], "表格1 第2行 第2列"),
        (PersonalKind.MOBILE, MOBILES[0][:3] + "****" + MOBILES[0][-4:], "表格1 第2行 第3列"),
        (PersonalKind.BANK_CARD, CARD[:4] + "*" * 11 + CARD[-4:], "表格1 第2行 第4列")]
    assert not any(n in repr(got) for n in [IDS[0], MOBILES[0], CARD])


@pytest.mark.parametrize("body", [
    "<table><tr><th>姓名</th><th>身份证号</th><th>电话</th></tr><tr><td>马某</td><td>622927********0411</td>"
    "<td>139****6789</td></tr></table>",                                          # masked
    f"<p>索引号：{INDEX_RUN}/2026-00123 文号：积卫发〔2026〕12号</p>",                  # 索引号 digit run
    f"<p>统一社会信用代码：{IDS[1]}</p>",                                          # labelled as a code
    f"<table><tr><th>姓名</th><th>身份证号</th></tr><tr><td>马某</td><td>{WRONG_CHECK}</td></tr></table>",
    f"<p>联系人：马某，联系电话：{MOBILES[0]}。</p>",                                # an office contact in text
    f"<table><tr><th>科室</th><th>负责人</th><th>职务</th><th>电话</th></tr><tr><td>医政股</td><td>马某</td>"
    f"<td>股长</td><td>{MOBILES[0]}</td></tr></table>",                           # staff table
    f"<table><tr><th>姓名</th><th>监督电话</th></tr><tr><td>马某</td><td>{MOBILES[0]}</td></tr></table>",
    f"<table><tr><th>单位</th><th>姓名</th><th>联系方式</th></tr><tr><td>省发展改革委财政金融处</td><td>高某</td>"
    f"<td>0791-88915168、{MOBILES[0]}</td></tr></table>",                        # a directory of officials
    f"<table><tr><th>姓名</th><th>联系方式</th></tr><tr><td>高某</td><td>0930-7721234、{MOBILES[0]}</td></tr></table>",
    f"<p>户名：积石山县财政局 开户行：农行 账号：{CARD}</p>",                        # an organisation's account
])
def test_near_misses_yield_nothing(body):
    assert found(body) == []


def test_mobile_in_a_sentence_with_a_name_label_and_footer_contacts():
    assert [c.kind for c in found(f"<p>申请人姓名：马某，手机：{MOBILES[1]}</p>")] == [PersonalKind.MOBILE]
    b = blocks(page(f"<p>正文</p><div class='footer'>值班手机：{MOBILES[2]}</div>"))
    assert MOBILES[2] in b.footer_text and MOBILES[2] not in b.text.text


def test_mask_text_masks_every_kind():
    text = mask_text(f"{IDS[0]} {MOBILES[0]} {CARD} 网站标识码6229270001 公网安备62292702000001号")
    assert not any(n in text for n in (IDS[0], MOBILES[0], CARD))
    assert "6229270001" in text and "62292702000001" in text


@pytest.mark.parametrize("body,how", [
    ('<div style="display:none"><a href="http://x.com/">a</a></div>', "display:none"),
    ('<span style="visibility:hidden"><a href="http://x.com/">a</a></span>', "visibility:hidden"),
    ('<div style="position:absolute;left:-9999px"><a href="http://x.com/">a</a></div>', "off-screen"),
    ('<div style="width:0;height:0;overflow:hidden"><a href="http://x.com/">a</a></div>', "zero size"),
    ('<p style="font-size:0px"><a href="http://x.com/">a</a></p>', "font-size:0"),
    ('<p style="background:#fff"><a style="color:#FFFFFF" href="http://x.com/">a</a></p>', "文字颜色与背景相同"),
    ('<div class="hid"><a href="http://x.com/">a</a></div>', "display:none"),
    ('<div hidden><a href="http://x.com/">a</a></div>', "hidden attribute"),
])
def test_hidden_links_by_each_way_of_hiding(body, how):
    root = page(body, "<style>.hid { display: none }</style>")
    [(target, _text, got)] = hidden_links(root, "http://www.county.test/", lambda u: "county" not in u)
    assert target == "http://x.com/" and got.startswith(how)


def test_visible_or_in_site_or_hover_menus_are_not_hidden_links():
    root = page('<a href="http://x.com/">visible</a><ul style="display:none"><li><a href="/a/">in site</a></li></ul>'
                '<div class="menu"><a href="http://x.com/b">hover menu</a></div>',
                "<style>.menu:hover{display:block}</style>")
    assert hidden_links(root, "http://www.county.test/", lambda u: "county" not in u) == []


def test_attachments_xlsx_docx_pdf_are_read_with_positions():
    book = xlsx([["姓名", "身份证号码", "手机号码"], ["马某", IDS[0], MOBILES[0]]])
    got = attachments.read(book, "xlsx", 10_000_000, 10)
    assert got.outcome is AttachmentOutcome.READ
    assert [c.position for c in scan(got.tables, got.texts, TODAY)] == ["名单!B2", "名单!C2"]
    got = attachments.read(docx(["名单"], [["姓名", "身份证号"], ["马某", IDS[1]]]), "docx", 10_000_000, 10)
    assert [c.position for c in scan(got.tables, got.texts, TODAY)] == ["表格1 第2行 第2列"]
    got = attachments.read(pdf([f"1 Ma {IDS[2]}"]), "pdf", 10_000_000, 10)
    [c] = scan(got.tables, got.texts, TODAY)
    assert c.position.startswith("第1页")


def test_attachment_limits_and_unsupported_formats():
    assert attachments.read(b"x" * 100, "xlsx", 50, 10).outcome is AttachmentOutcome.TOO_LARGE
    assert attachments.read(b"PK\x03\x04 junk", "docx", 1000, 10).outcome is AttachmentOutcome.UNREADABLE
    assert attachments.read(b"\xd0\xcf\x11\xe0", "doc", 1000, 10).outcome is AttachmentOutcome.NOT_SUPPORTED
    many = xlsx([["姓名", "身份证号码"]] + [["马某", IDS[0]]] * 500)
    assert attachments.read(many, "xlsx", 10_000_000, 0).outcome is AttachmentOutcome.TIME_LIMIT
    assert attachments.file_type("http://h/u/%E5%90%8D%E5%8D%95.XLSX") == "xlsx"


def test_same_bytes_are_read_once_per_content_hash():
    observer = ContentObserver(run_id=2, today=TODAY)
    body = xlsx([["姓名", "身份证号码"], ["马某", IDS[0]]])
    first = observer.observe_attachment("s", "http://h/a.xlsx", "http://h/p.html", body)
    again = observer.observe_attachment("s", "http://h/b.xlsx", "http://h/q.html", body)
    assert observer.stats["attachments_read"] == 1 and observer.stats["hash_reuses"] == 1
    [pd] = [o for o in again if isinstance(o, PersonalDataObs)]
    assert pd.url == "http://h/b.xlsx" and pd.source_url == "http://h/q.html"
    scans = [o for o in first + again if isinstance(o, AttachmentScan)]
    assert scans[0].content_hash == scans[1].content_hash
