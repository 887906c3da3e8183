"""LNK006 外链内容异常: an external link whose target page now carries gambling, pornography
or advertising.

The crawler fetches the target of every external link (``a``, ``area``) at most once a week
and records the keyword classes (zwgk/data/keyword_classes.toml) its title and visible text
carry.  One finding per target, listing the site's pages that link to it.  Targets under
``gov_suffixes`` are not judged (another government's page is its own office's business), nor
targets that did not answer (no verdict on a page we could not read).

Options: ``classes`` (gambling, pornography, advertising); ``gov_suffixes`` ([".gov.cn"]).
Source: 国办秘函〔2019〕19号 (外链管理, 非法外链), practice.

Passing: a 友情链接 to 临夏新闻网 whose page shows news.
Failing: a link to a former 旅游 site whose expired domain now shows 真人娱乐 百家乐.
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlsplit

from checks.base import CheckContext, Observations
from zwgk.records import Finding, Severity
from zwgk.records.content import ExternalPageObs

ID = "LNK006"
NAME = "external-content"
TITLE = "外链内容异常"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号（外链管理）；检查实践"
READS = ExternalPageObs
DEFAULTS: dict[str, Any] = {"classes": ["gambling", "pornography", "advertising"], "gov_suffixes": [".gov.cn"]}
CLASS_NAMES = {"gambling": "赌博", "pornography": "色情", "advertising": "违法广告"}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    if obs.degraded:
        ctx.could_not_verify(ID, "监测端网络异常（降级运行），本次不判定外链内容")
        return
    wanted = set(conf["classes"])
    sources: dict[str, list[str]] = {}
    for link in obs.links:
        if not link.internal:
            sources.setdefault(link.target_url, []).append(link.source_url)
    done: set[str] = set()
    for page in obs.external_pages:
        host = (urlsplit(page.url).hostname or "").lower()
        classes = [c for c in page.classes if c in wanted]
        if (page.url in done or page.status is None or not classes
                or any(host.endswith(s) for s in conf["gov_suffixes"])):
            continue
        done.add(page.url)
        linking = sorted(set(sources.get(page.url, [])))
        first = linking[0] if linking else None
        what = "、".join(CLASS_NAMES.get(c, c) for c in classes)
        yield Finding(
            rule=ID, severity=SEVERITY, site=page.site_id, unit=obs.owner(first, page.site_id), column=None,
            url=page.url,
            message=(f"外部链接 {page.url} 指向的页面现含{what}内容（如“{page.words[0] if page.words else ''}”），"
                     f"链接所在页面：{first or '未知'}{'等' if len(linking) > 1 else ''}。请删除该链接。"),
            evidence={"classes": classes, "words": list(page.words), "title": page.title, "linked_from": linking[:20],
                      "observed_at": page.observed_at.isoformat()},
            as_of=ctx.as_of)
