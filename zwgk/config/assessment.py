"""The [assessment] section of config.toml: the 19号 scoring that reports.assessment applies.

The defaults below are today's scoring.  The points per finding and the caps are
**unconfirmed** (19号's tables were not found in an original text), so a county can set its
own without touching code::

    [assessment]
    pass_score = 60                  # below this score a site is 不合格
    veto_news_notice_columns = 5     # 栏目不更新: UPD002 + UPD003 columns that make a veto
    veto_stale_columns = 10          # UPD004 columns (长期未更新) that make a veto
    veto_blank_columns = 5           # UPD005 columns (空白栏目) that make a veto

    [assessment.caps]                # indicator -> most points it can take
    "可用性" = 20

    [assessment.points]              # rule ID -> points taken per finding
    LNK001 = 1.0

Only the keys given change; a rule keeps the indicator it belongs to.
"""
from __future__ import annotations

import math
from typing import Any, Iterator

from zwgk.config import Field

# indicator -> (cap, {rule: points per finding}); notices deduct nothing.
INDICATORS: dict[str, tuple[float, dict[str, float]]] = {
    "可用性": (20.0, {"LNK001": 1.0, "LNK002": 0.1, "LNK003": 0.1, "LNK004": 0.1}),
    "信息更新": (20.0, {"UPD002": 2.0, "UPD003": 2.0, "UPD004": 1.0, "UPD005": 2.0}),
    "信息公开平台": (20.0, {"COL001": 5.0, "COL002": 2.0, "COL003": 5.0}),
    "公开时效": (15.0, {"LAG001": 1.0, "LAG004": 0.5}),
    "IPv6支持": (10.0, {"NET001": 5.0, "NET002": 5.0, "NET003": 3.0, "NET004": 2.0, "NET005": 2.0}),
    "网站标识": (5.0, {"SID001": 2.0, "SID002": 2.0}),
}
SCORED_RULES = {rule for _cap, points in INDICATORS.values() for rule in points}

CONFIG_SECTIONS = {
    "assessment": {
        "pass_score": Field((int, float), 60, max=100, doc="below this score a site is 不合格"),
        "veto_news_notice_columns": Field(int, 5, min=1, max=10_000,
                                          doc="UPD002 + UPD003 columns not updated in time → 单项否决"),
        "veto_stale_columns": Field(int, 10, min=1, max=10_000, doc="UPD004 columns 长期未更新 → 单项否决"),
        "veto_blank_columns": Field(int, 5, min=1, max=10_000, doc="UPD005 空白栏目 → 单项否决"),
        "caps": Field(dict, {}, doc="indicator → the most points it can take: " + ", ".join(INDICATORS)),
        "points": Field(dict, {}, doc="rule ID → points per finding: " + ", ".join(sorted(SCORED_RULES))),
    },
}


def validate(config: Any, rule_ids: tuple[str, ...] | None) -> Iterator[tuple[Any, ...]]:
    """Caps name an indicator, points a scored rule; every value a finite number from 0 to 100."""
    sec = config.section("assessment")
    for table, known in (("caps", tuple(INDICATORS)), ("points", tuple(sorted(SCORED_RULES)))):
        for key, value in sec[table].items():
            where = ("assessment", table, key)
            if key not in known:
                yield (where, f"unknown {'indicator' if table == 'caps' else 'scored rule'} {key!r}",
                       f"use one of {', '.join(known)}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not 0 <= value <= 100:
                yield (where, f"expected a number from 0 to 100, got {value!r}",
                       f"write e.g. {key} = {_default(table, key):g}")


def _default(table: str, key: str) -> float:
    if table == "caps":
        return INDICATORS[key][0]
    return next(points[key] for _cap, points in INDICATORS.values() if key in points)
