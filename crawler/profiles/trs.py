"""TRS WCM (拓尔思): county portals such as pingtan, and the testbed's portal.

Documents ``/202410/t20241030_1001.html``; lists ``index.html``, ``index_1.html`` … written by
``createPageHTML(count, current, "index", "html")``; bodies in ``.TRS_Editor`` (trt-ui templates:
``.article_content``); the metadata table as ``<li>`` rows of label and ``<font>`` value.
"""
from __future__ import annotations

import re

from crawler.profiles.base import Detection, Pager, Profile

PROFILE = Profile(
    name="trs",
    title="TRS WCM",
    detail_url=re.compile(r"/t\d{8}_\d+\.s?html?$"),
    url_date=re.compile(r"/t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+\.s?html?(?:[?#]|$)", re.I),
    body_markers=(".TRS_Editor", ".TRS_UEDITOR"),
    body_containers=(".article_content",),
    metadata_labels={
        "index_no": ("索引号",), "publisher": ("发布机构", "发文机关"), "doc_date": ("成文日期",),
        "doc_no": ("文号", "发文字号"), "pub_date": ("发布日期",), "topic": ("主题分类",),
        "validity": ("有效性",),
    },
    info_line_doc_labels=("成文日期", "发文日期"),
    pager=Pager(
        static_page=re.compile(r"(?P<name>[^/]+?)_(?P<n>\d+)\.(?P<ext>s?html?)", re.I),
        script_call=re.compile(
            r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]"
        ),
    ),
    column_index_names=("index.html", "index.htm", "index.shtml"),
    detection=Detection(
        generator=re.compile(r"\bTRS\b|拓尔思", re.I),
        paths=(re.compile(r"/t\d{8}_\d+\.s?html?\b"),),
        scripts=("createPageHTML", "TRS_Editor", "TRS_UEDITOR", "trs_", "trt-ui", "trt-col-", "trsapi"),
    ),
)
