"""大汉 Hanweb JCMS: www.jiangxi.gov.cn, www.jiangsu.gov.cn, many county departments.

Documents ``/art/2024/6/5/art_<col>_<id>.html``; columns ``/col/col<id>/index.html`` paged by
``?uid=…&pageNum=2``; bodies in ``#zoom``; the 信息公开 table labels in ``<b>`` padded with NBSP
(``<div class="xxgkTitle">``). Templates put 发文日期 or 生成日期 on the info line beside
发布时间 and 来源.
"""
from __future__ import annotations

import re

from crawler.profiles.base import Detection, Pager, Profile

PROFILE = Profile(
    name="hanweb",
    title="大汉 Hanweb JCMS",
    detail_url=re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"),
    url_date=re.compile(r"/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/art_\d+_\d+\.s?html?", re.I),
    body_markers=("#zoom",),
    metadata_labels={
        "index_no": ("索引号",), "publisher": ("发布机构", "发文机关"), "doc_date": ("成文日期", "生成日期"),
        "doc_no": ("文号", "发文字号"), "pub_date": ("发布日期", "公开日期"), "topic": ("主题分类", "组配分类"),
        "validity": ("有效性",),
    },
    info_line_doc_labels=("成文日期", "发文日期", "生成日期"),
    pager=Pager(query_keys=frozenset({"pagenum", "currpage"})),
    column_index_names=("index.html", "index.jsp"),
    detection=Detection(
        generator=re.compile(r"大汉|hanweb", re.I),
        paths=(re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"), re.compile(r"/col/col\d+/")),
        scripts=("/module/jslib/", "hanweb", "jpage"),
    ),
)
