"""LNK005 暗链: an anchor hidden by style that points outside the government's domains.

The crawler (crawler.page_content) records anchors hidden by ``display:none``,
``visibility:hidden``, off-screen positioning (left/top/margin/text-indent ≤ −500 px),
zero size, ``font-size:0``, text in the background colour, or the ``hidden`` attribute —
on the anchor or an ancestor, inline or by a ``<style>`` rule on a class or id — when the
target is none of the crawled sites.  This check drops targets under ``gov_suffixes`` and
``allowed_hosts`` (a hidden drop-down menu of 友情链接 to other government sites or central
media is a menu, not a 暗链; CMS vendors' credits, share buttons and 纠错 services are
template parts), and targets whose query carries a government page's address (share and
纠错 links pass the page they sit on), and reports one finding per page.  A hidden link whose text or
address carries gambling or pornography words (zwgk/data/keyword_classes.toml) is a veto;
any other is a deduction (a person must look).  Hiding by script (document.write) is not seen.

Options: ``gov_suffixes`` ([".gov.cn"]), ``allowed_hosts`` (central media hosts, matched with
their sub-domains).
Source: 国办秘函〔2019〕19号 单项否决 1 (暗链、黑链、非法外链).

Passing: ``<ul style="display:none"><li><a href="/gsgg/">公示公告</a></li></ul>`` (in-site), or a
hidden 友情链接 menu to www.gansu.gov.cn.
Failing: ``<div style="position:absolute;left:-9999px"><a href="http://bet.example.com/">澳门葡京赌场</a></div>``.
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

from checks.base import CheckContext, Observations
from zwgk.records import Finding, Severity
from zwgk.records.content import HiddenLinkObs
from zwgk.watchlists import classes_of

ID = "LNK005"
NAME = "hidden-links"
TITLE = "暗链"
SEVERITY = Severity.DEDUCTION
SOURCE = "国办秘函〔2019〕19号 单项否决1（暗链、黑链、非法外链）"
READS = HiddenLinkObs
DEFAULTS: dict[str, Any] = {
    "gov_suffixes": [".gov.cn"],
    "allowed_hosts": ["xinhuanet.com", "news.cn", "people.com.cn", "cctv.com", "cctv.cn", "gmw.cn",
                      "qstheory.cn", "12371.cn", "chinadaily.com.cn", "cnr.cn", "china.com.cn", "ce.cn",
                      "youth.cn", "chinanews.com.cn", "gov.cn",
                      # CMS vendors' credits, share buttons, 纠错 and 备案 services that templates hide
                      "hanweb.com", "trs.com.cn", "bshare.cn", "qzone.qq.com", "connect.qq.com",
                      "service.weibo.com", "kaipuyun.cn", "conac.cn", "beian.gov.cn", "12377.cn"],
}
VETO_CLASSES = ("gambling", "pornography")


def _allowed(host: str, conf: dict[str, Any], site_hosts: set[str]) -> bool:
    if host in site_hosts:
        return True
    if any(host.endswith(s) or host == s.lstrip(".") for s in conf["gov_suffixes"]):
        return True
    return any(host == h or host.endswith("." + h) for h in conf["allowed_hosts"])


def _passes_page_address(target: str, conf: dict[str, Any], site_hosts: set[str]) -> bool:
    """A share button or a 纠错 form: the target's query carries a government page's address."""
    query = unquote(unquote(urlsplit(target).query)).lower()
    return bool(query) and (any(h and h in query for h in site_hosts)
                            or any(s in query for s in conf["gov_suffixes"]))


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    if obs.degraded:
        ctx.could_not_verify(ID, "监测端网络异常（降级运行），本次不判定链接")
        return
    site_hosts = {(urlsplit(u).hostname or "").lower() for s in obs.sites for u in (s.url, *s.start_urls)}
    site_hosts |= {h.lower() for s in obs.sites for h in s.hosts}
    by_page: dict[str, list[HiddenLinkObs]] = {}
    for o in obs.hidden_links:
        if not _allowed((urlsplit(o.target_url).hostname or "").lower(), conf, site_hosts) \
                and not _passes_page_address(o.target_url, conf, site_hosts):
            by_page.setdefault(o.url, []).append(o)
    for url, links in sorted(by_page.items()):
        classes = sorted({c for o in links for c in classes_of(f"{o.text or ''} {o.target_url}")})
        veto = any(c in VETO_CLASSES for c in classes)
        first = links[0]
        kinds = {"gambling": "赌博", "pornography": "色情", "advertising": "广告"}
        what = f"，内容涉及{'、'.join(kinds[c] for c in classes)}" if classes else ""
        yield Finding(
            rule=ID, severity=Severity.VETO if veto else SEVERITY, site=first.site_id,
            unit=obs.owner(url, first.site_id), column=None, url=url,
            message=(f"页面含有{len(links)}个隐藏的外部链接（暗链{what}），例如指向 {first.target_url} 的链接"
                     f"（{first.how}）。请检查网站是否被篡改，删除暗链并排查安全漏洞。"),
            evidence={"links": [{"target": o.target_url, "text": o.text, "how": o.how} for o in links[:20]],
                      "classes": classes},
            as_of=ctx.as_of)
