"""CNT001 严重表述错误: a page carries a listed serious error in the name or a formulation of
the Party, the state or a leader.

An exact match (whitespace removed) of an entry of zwgk/data/serious_errors.toml — each
entry gives the wrong text, the correct formulation and its source — or of the county's
own ``extra`` entries, in a page's visible text.  The crawler records where it stands; one
finding per page, a veto.  Only unambiguous strings belong on the list (a string that can be
right in some context would make a false veto); ``ignore`` switches an entry off.

Options: ``extra`` ([] — more wrong strings, matched by the crawler too), ``ignore`` ([]).
Source: 国办秘函〔2019〕19号 单项否决 1 (严重错别字、严重表述错误); the source of each correct form
is in the data file.

Passing: “深入学习贯彻习近平新时代中国特色社会主义思想”, “中华人民共和国”.
Failing: “深入学习贯彻习近平新时代中国特色社会主意思想”, “中华人名共和国”.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import Finding, Severity
from zwgk.records.content import PhraseObs
from zwgk.watchlists import serious_errors

ID = "CNT001"
NAME = "serious-errors"
TITLE = "严重表述错误"
SEVERITY = Severity.VETO
SOURCE = "国办秘函〔2019〕19号 单项否决1（严重错别字、严重表述错误）"
READS = PhraseObs
DEFAULTS: dict[str, Any] = {"extra": [], "ignore": []}


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    listed = {e.wrong: e for e in serious_errors()}
    wanted = (set(listed) | set(conf["extra"])) - set(conf["ignore"])
    by_page: dict[str, list[PhraseObs]] = {}
    for o in obs.phrases:
        if o.list_name == "serious_errors" and o.phrase in wanted:
            by_page.setdefault(o.url, []).append(o)
    for url, found in sorted(by_page.items()):
        first = found[0]
        items = []
        for o in found:
            entry = listed.get(o.phrase)
            items.append({"wrong": o.phrase, "correct": entry.correct if entry else None,
                          "source": entry.source if entry else "本县配置 [rules.CNT001] extra",
                          "position": o.position, "excerpt": o.excerpt})
        shown = "；".join(f"“{i['wrong']}”" + (f"应为“{i['correct']}”" if i["correct"] else "") for i in items[:5])
        yield Finding(
            rule=ID, severity=SEVERITY, site=first.site_id, unit=obs.owner(url, first.site_id), column=None,
            url=url, message=f"页面存在严重表述错误：{shown}。请立即更正。", evidence={"errors": items},
            as_of=ctx.as_of)
