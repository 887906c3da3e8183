"""SEC001 首页篡改: the homepage's text differs from its clean baseline beyond a threshold and
now carries gambling, pornography or advertising words.

The crawler keeps each crawl's homepage text (personal numbers masked) with the keyword
classes of zwgk/data/keyword_classes.toml it carries.  The baseline is the site's latest
homepage of an earlier complete crawl that carried none (a tampered homepage never becomes
the baseline).  The change is 1 − the Jaccard similarity of the two texts' character
4-grams.  A notice: a person must look (a 公告 quoting a 反赌 campaign carries such words
too, but rarely changes the homepage this much).  Without a baseline (the first crawl) a
homepage with such words is listed as 无法核验.

Options: ``min_change`` (0.2), ``classes`` (gambling, pornography, advertising).
Source: the county's 方案第30项 (网站安全), practice.

Passing: a homepage whose news list changed (change 0.15) with no such words; or one whose
text changed completely without such words (a redesign).
Failing: a homepage replaced by a page of 百家乐 and 真人娱乐 links (change 0.9).
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import Finding, Severity
from zwgk.records.content import HomepageTextObs

ID = "SEC001"
NAME = "homepage-tampering"
TITLE = "首页篡改"
SEVERITY = Severity.NOTICE
SOURCE = "《积石山县政务公开工作实施方案》第30项（网站安全）；检查实践"
READS = HomepageTextObs
DEFAULTS: dict[str, Any] = {"min_change": 0.2, "classes": ["gambling", "pornography", "advertising"]}
CLASS_NAMES = {"gambling": "赌博", "pornography": "色情", "advertising": "违法广告"}


def change(before: str, after: str) -> float:
    """1 − Jaccard similarity of character 4-grams (0 = the same text, 1 = nothing shared)."""
    a = {before[i:i + 4] for i in range(max(1, len(before) - 3))}
    b = {after[i:i + 4] for i in range(max(1, len(after) - 3))}
    return 1 - len(a & b) / len(a | b) if a | b else 0.0


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    if obs.degraded:
        ctx.could_not_verify(ID, "监测端网络异常（降级运行），本次不判定首页是否篡改")
        return
    wanted = set(conf["classes"])
    baselines = {b.site_id: b for b in obs.homepage_baselines}
    for home in obs.homepage_texts:
        classes = [c for c in home.classes if c in wanted]
        if not classes:
            continue
        base = baselines.get(home.site_id)
        if base is None:
            ctx.could_not_verify(ID, f"{home.url}: 首页含{'、'.join(CLASS_NAMES.get(c, c) for c in classes)}类词语，"
                                     "但没有可比较的早期首页（需人工查看）")
            continue
        changed = change(base.text, home.text)
        if changed < conf["min_change"]:
            continue
        site = obs.site(home.site_id)
        yield Finding(
            rule=ID, severity=SEVERITY, site=home.site_id, unit=site.unit if site else None, column=None,
            url=home.url,
            message=(f"首页内容与{base.observed_at:%Y-%m-%d}的首页相比变化{changed:.0%}，并出现"
                     f"{'、'.join(CLASS_NAMES.get(c, c) for c in classes)}类内容（如“{home.words[0] if home.words else ''}”），"
                     f"疑似被篡改，请立即人工核查。"),
            evidence={"change": round(changed, 3), "classes": classes, "words": list(home.words),
                      "baseline_observed_at": base.observed_at.isoformat()},
            as_of=ctx.as_of)
