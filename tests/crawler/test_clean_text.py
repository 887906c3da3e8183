"""No NUL or other control character reaches a stored field (extractors and the store pipeline)."""
from __future__ import annotations

import re

from crawler.extract import extract_detail
from crawler.pipelines import clean_text
from zwgk.records import LinkObs

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A Hanweb-style metadata table whose 文号 cell is an empty block: the block sentinel of the text
# renderer once leaked from it as "\x00".
EMPTY_DOC_NO = """<html><head><title>关于做好冬季供暖工作的通知_某县人民政府</title></head><body>
<table class="xxgk"><tr><td><b>索引号：</b></td><td>001/2024-00012</td><td><b>文号：</b></td><td><p></p></td></tr>
<tr><td><b>发布机构：</b></td><td>某县人民政府</td><td><b>成文日期：</b></td><td>2024-06-05</td></tr></table>
<h1>关于做好冬季供暖工作的通知</h1>
<div id="zoom"><p>各乡镇人民政府，县直各部门：现将做好冬季供暖工作的有关事项通知如下，请认真贯彻落实。</p></div>
</body></html>"""


def _text_fields(obj: object) -> list[str]:
    return [v for v in vars(obj).values() if isinstance(v, str)]


def test_empty_document_number_cell_is_none_not_a_nul() -> None:
    got = extract_detail(EMPTY_DOC_NO, "http://x.test/art/2024/6/5/art_1_2.html")
    assert got.doc_no is None
    assert got.index_no == "001/2024-00012"
    assert not any(CONTROL.search(v) for v in _text_fields(got))


def test_control_characters_in_the_page_never_reach_a_field() -> None:
    html = EMPTY_DOC_NO.replace("某县人民政府</td>", "某县\x02人民\x01政府</td>").replace("通知</h1>", "通\x00知</h1>")
    got = extract_detail(html, "http://x.test/a.html")
    assert got.publisher == "某县人民政府"
    assert not any(CONTROL.search(v) for v in _text_fields(got))


def test_the_pipeline_strips_control_characters_from_every_text_field() -> None:
    link = LinkObs(1, "s", "http://x.test/", "http://x.test/a.html", "a", "相关\x00链接\x1f", True)
    assert clean_text(link).text == "相关链接"
    clean = LinkObs(1, "s", "http://x.test/", "http://x.test/a.html", "a", "相关\t链接", True)
    assert clean_text(clean) is clean   # tab is whitespace, not a control character to drop
