"""The fallback for templates of no known family: shared labels, densest-block bodies, any pager.

Everything a generic page may use: every 形成日期 label on the info line, the common page
query parameters, every usual index file name.
"""
from __future__ import annotations

import re

from crawler.profiles.base import Pager, Profile

PROFILE = Profile(
    name="generic",
    title="generic",
    detail_url=None,
    url_date=None,
    body_containers=("#wenzhang-content",),   # nfra's AngularJS front end
    info_line_doc_labels=("成文日期", "发文日期", "生成日期", "制发日期", "形成日期", "印发日期"),
    pager=Pager(
        static_page=re.compile(r"(?P<name>[^/]+?)_(?P<n>\d+)\.(?P<ext>s?html?)", re.I),
        query_keys=frozenset({"page", "pageno", "pageindex", "pagenum", "curpage", "currentpage", "pn", "p"}),
    ),
    column_index_names=("index.html", "index.htm", "index.shtml", "index.jhtml", "index.jsp", "index.php",
                        "index.asp", "index.aspx", "default.html", "default.htm", "default.shtml",
                        "default.aspx", "default.asp", "default.jsp"),
    # Not main.html/main.htm: no server serves those as a folder's index, and /zwgk/main.html is
    # often a page of its own beside /zwgk/ (a family that uses them as its index lists them).
)
