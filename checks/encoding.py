"""ENC001 编码错误: a page whose declared charset contradicts its content.

The crawler decodes every page by the charset that fits (the page's own meta charset
when the HTTP header lies, GB18030 for GBK/GB2312) and records when the header
contradicted the page, and how many U+FFFD replacement characters remained.  One
finding per site listing its affected pages (a notice: visitors' browsers may show
乱码 even though zwgk read the page).

Options: ``min_replacement_chars`` (5) — U+FFFD left after decoding that count as 乱码.
Source: practice.

Passing: a GBK page served with ``charset=gbk`` and ``<meta charset="gbk">``.
Failing: a GBK page served with ``Content-Type: text/html; charset=utf-8``.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import Finding, PageObs, Severity

ID = "ENC001"
NAME = "encoding"
TITLE = "编码错误"
SEVERITY = Severity.NOTICE
SOURCE = "检查实践"
READS = PageObs
DEFAULTS: dict[str, Any] = {"min_replacement_chars": 5}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    by_site: dict[str, list[PageObs]] = {}
    for page in obs.pages:
        if page.charset_mismatch or page.replacement_chars >= conf["min_replacement_chars"]:
            by_site.setdefault(page.site_id, []).append(page)
    for site_id, pages in sorted(by_site.items()):
        site = obs.site(site_id)
        first = pages[0]
        yield Finding(
            rule=ID, severity=SEVERITY, site=site_id, unit=obs.owner(first.url, site_id), column=None,
            url=first.url,
            message=(f"{site.name if site else site_id}有{len(pages)}个页面声明的字符编码与实际内容不符，"
                     f"访问者可能看到乱码，例如 {first.url}。"),
            evidence={"pages": [p.url for p in pages[:20]], "count": len(pages),
                      "encodings": sorted({p.encoding or "?" for p in pages})},
            as_of=ctx.as_of)
