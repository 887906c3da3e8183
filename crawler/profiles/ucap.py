"""开普云 Ucap: www.gov.cn 政策文件库 and provincial platforms built on it.

Documents ``/content/2018-12/27/content_5352666.htm`` (www.gov.cn: ``/zhengce/content/…``); bodies
in ``#UCAP-CONTENT`` (article template ``.pages_content``); the metadata table as a ``<table>`` of
``<b>`` labels (索 引 号 / 主题分类 / 发文机关 / 成文日期 / 标 题 / 发文字号 / 发布日期).
"""
from __future__ import annotations

import re

from crawler.profiles.base import Detection, Pager, Profile

PROFILE = Profile(
    name="ucap",
    title="开普云 Ucap",
    detail_url=re.compile(r"/\d{4}-\d{2}/\d{2}/content_\d+\.s?html?$"),
    url_date=re.compile(r"/(?P<y>\d{4})-(?P<m>\d{2})/(?P<d>\d{2})/content_\d+\.s?html?", re.I),
    body_markers=("#UCAP-CONTENT",),
    body_containers=(".pages_content",),
    metadata_labels={
        "index_no": ("索引号",), "publisher": ("发文机关",), "doc_date": ("成文日期",),
        "doc_no": ("发文字号",), "pub_date": ("发布日期",), "topic": ("主题分类",), "title": ("标题",),
    },
    info_line_doc_labels=("成文日期",),
    pager=Pager(
        static_page=re.compile(r"(?P<name>[^/]+?)_(?P<n>\d+)\.(?P<ext>s?html?)", re.I),
        query_keys=frozenset({"page", "p"}),
    ),
    column_index_names=("index.htm", "index.html", "home.htm"),
    detection=Detection(
        generator=re.compile(r"ucap|开普", re.I),
        paths=(re.compile(r"/\d{4}-\d{2}/\d{2}/content_\d+\.s?html?"),),
        scripts=("UCAP-CONTENT", "ucap", "ucapcms"),
    ),
)
