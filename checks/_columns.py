"""Column classes by name and ColumnType, shared by the freshness rules (UPD002–UPD004).

A column's class decides which freshness rule applies: 动态/要闻 columns must move
every 14 days, 通知公告/政策文件 every 6 months, 人事/规划 columns by their cadence.
Names vary by site; ColumnType (a TRS meta tag) is used when the name says nothing.
"""
from __future__ import annotations

import re

CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # 政策文件解读, 文件解读, 政策图解: pages that explain a 公文, not 公文 (LAG002 skips them).
    ("interpretation", ("解读", "图解", "问答")),
    # order matters: 人事任免 is personnel even though 任免 pages are also notices
    ("personnel", ("人事", "任免", "招录", "招考", "招聘")),
    ("plan", ("规划", "计划")),
    ("news", ("动态", "要闻", "新闻", "工作信息", "政务信息", "乡镇信息", "部门信息")),
    ("notice", ("通知", "公告", "公示")),
    # Not a bare 文件: 人大代表建议办理文件, 已撤销文件 are not 政策文件 columns.
    ("policy", ("政策文件", "规范性文件", "政府文件", "政府办文件", "部门文件", "红头文件")),
)


def column_class(name: str | None, column_type: str | None = None) -> str:
    for text in (name, column_type):
        if not text:
            continue
        flat = re.sub(r"\s+", "", text)
        for cls, words in CLASSES:
            if any(w in flat for w in words):
                return cls
    return "other"


# A 解读/图解/问答 explains a 公文: the 文号 and 发文日期 it shows are the interpreted document's.
_INTERPRETATION_TITLE_RE = re.compile(r"解读|图解|问答|答记者问")


def is_interpretation(title: str | None) -> bool:
    return bool(title and _INTERPRETATION_TITLE_RE.search(title))
