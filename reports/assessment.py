"""The 国办 scoring (19号): verdicts and scores per site and per account, findings per unit.

Counting rules and scores live here, not in the checks (STYLE.md):
- any 单项否决 finding of a site → 不合格, nothing else scored; the UPD veto is counted
  here: UPD002 + UPD003 ≥ 5 columns, or UPD004 ≥ 10, or UPD005 ≥ 5;
- otherwise 100 minus the deductions, each indicator capped at its own points, each
  finding deducted once (a column is reported under one UPD rule only, a link under
  one LNK rule only — the checks see to that);
- below 60 (the pass mark) → 不合格.
- 政务新媒体 accounts: MED001 is the account's veto.
- Per unit: the findings whose unit it is; findings of a 方案 task (config [[tasks]])
  also go to the task's 牵头单位.

The points per finding and the caps are **unconfirmed** (19号's tables were not found
in an original text): the defaults are declared in zwgk.config.assessment, and config.toml
[assessment] overrides them (points per rule, caps per indicator, the pass mark and the
veto counts); ``scoring(config)`` reads them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from zwgk.config.assessment import INDICATORS as DEFAULT_INDICATORS
from zwgk.config.media import load_accounts
from zwgk.records import Finding, Severity
from reports.routing import leads

# The defaults (today's scoring) are declared with the [assessment] keys in zwgk.config.assessment.
INDICATORS = DEFAULT_INDICATORS
UPD_VETO = {"UPD002+UPD003": 5, "UPD004": 10, "UPD005": 5}
PASS_SCORE = 60.0


@dataclass(frozen=True)
class Scoring:
    """What [assessment] sets: points per finding and caps per indicator, the pass mark and
    the 栏目不更新 veto counts."""
    indicators: Mapping[str, tuple[float, Mapping[str, float]]] = field(default_factory=lambda: INDICATORS)
    upd_veto: Mapping[str, int] = field(default_factory=lambda: UPD_VETO)
    pass_score: float = PASS_SCORE


DEFAULT_SCORING = Scoring()


def scoring(config: Any) -> Scoring:
    """The scoring of config.toml's [assessment]: the defaults with its keys applied."""
    sec = getattr(config, "extra_sections", {}).get("assessment")
    if not sec:
        return DEFAULT_SCORING
    caps, points = sec.get("caps") or {}, sec.get("points") or {}
    indicators = {name: (float(caps.get(name, cap)), {r: float(points.get(r, p)) for r, p in table.items()})
                  for name, (cap, table) in INDICATORS.items()}
    veto = {"UPD002+UPD003": sec["veto_news_notice_columns"], "UPD004": sec["veto_stale_columns"],
            "UPD005": sec["veto_blank_columns"]}
    return Scoring(indicators, veto, float(sec["pass_score"]))


MEDIA_RULES = ("MED001", "MED002", "MED003", "MED004")


@dataclass(frozen=True)
class Verdict:
    subject: str                      # site id, or account URL
    name: str
    kind: str                         # 网站 | 政务新媒体
    passed: bool
    score: float | None               # None when a veto decided
    vetoes: tuple[str, ...]           # why it failed by veto, in words
    deductions: dict[str, float]      # indicator -> points taken (capped)
    findings: int
    unverifiable: bool = False        # could not be verified this time: neither 合格 nor 不合格

    @property
    def label(self) -> str:
        if self.unverifiable and not self.vetoes:
            return "无法核验"
        return "合格" if self.passed else "不合格"


@dataclass(frozen=True)
class UnitFindings:
    unit: str
    own: tuple[Finding, ...]
    as_lead: tuple[tuple[str, Finding], ...] = field(default=())   # (task name, finding)


def assess_site(site_id: str, name: str, findings: Sequence[Finding],
                scoring: Scoring = DEFAULT_SCORING) -> Verdict:
    mine = [f for f in findings if f.site == site_id and f.rule not in MEDIA_RULES]
    vetoes = [f"{f.rule} {f.message}" for f in mine if f.severity is Severity.VETO]
    count = {r: sum(1 for f in mine if f.rule == r) for r in ("UPD002", "UPD003", "UPD004", "UPD005")}
    veto = scoring.upd_veto
    if count["UPD002"] + count["UPD003"] >= veto["UPD002+UPD003"]:
        vetoes.append(f"栏目不更新：动态要闻类与通知公告政策文件类栏目共{count['UPD002'] + count['UPD003']}个未按时更新"
                      f"（≥{veto['UPD002+UPD003']}个即单项否决）")
    if count["UPD004"] >= veto["UPD004"]:
        vetoes.append(f"栏目不更新：{count['UPD004']}个应更新栏目长期未更新（≥{veto['UPD004']}个即单项否决）")
    if count["UPD005"] >= veto["UPD005"]:
        vetoes.append(f"栏目不更新：{count['UPD005']}个空白栏目（≥{veto['UPD005']}个即单项否决）")
    deductions: dict[str, float] = {}
    for indicator, (cap, points) in scoring.indicators.items():
        taken = sum(points.get(f.rule, 0.0) for f in mine)
        if taken:
            deductions[indicator] = round(min(cap, taken), 2)
    if vetoes:
        return Verdict(site_id, name, "网站", False, None, tuple(vetoes), deductions, len(mine))
    score = round(100.0 - sum(deductions.values()), 2)
    return Verdict(site_id, name, "网站", score >= scoring.pass_score, score, (), deductions, len(mine))


def assess_accounts(findings: Sequence[Finding], names: Mapping[str, str] | None = None,
                    accounts: Sequence[str] = ()) -> list[Verdict]:
    """A verdict per account: every one of ``accounts`` (listed once each) and every account with a
    finding.  MED001 is the veto; an account whose source could not be read (MED002) and has no
    veto is 无法核验, never 合格."""
    by_account: dict[str, list[Finding]] = {key: [] for key in accounts}
    for f in findings:
        if f.rule in MEDIA_RULES and f.url:
            by_account.setdefault(f.url, []).append(f)
    out = []
    for url, fs in sorted(by_account.items(), key=lambda kv: ((names or {}).get(kv[0], kv[0]), kv[0])):
        vetoes = tuple(f"{f.rule} {f.message}" for f in fs if f.rule == "MED001")
        unverifiable = any(f.rule == "MED002" for f in fs)
        out.append(Verdict(url, (names or {}).get(url, url), "政务新媒体", not vetoes and not unverifiable, None,
                           vetoes, {}, len(fs), unverifiable=unverifiable and not vetoes))
    return out


def assess(config: Any, findings: Sequence[Finding]) -> list[Verdict]:
    """A verdict for every configured site and every configured account (and any other account
    with a finding)."""
    rules = scoring(config)
    verdicts = [assess_site(s.id, s.name, findings, rules) for s in config.sites]
    accounts = [a for a in load_accounts(config) if getattr(a, "active", True)]
    names = {a.key: a.name for a in accounts}   # manual entries: "manual:<name>"
    return verdicts + assess_accounts(findings, names, [a.key for a in accounts])


def by_unit(config: Any, findings: Iterable[Finding]) -> list[UnitFindings]:
    """Findings per unit in config order; 方案 tasks add their findings to the 牵头单位."""
    findings = list(findings)
    tasks = config.array("tasks") if hasattr(config, "array") else ()
    own: dict[str, list[Finding]] = {}
    lead: dict[str, list[tuple[str, Finding]]] = {}
    for f in findings:
        own.setdefault(f.unit or "（未归属单位）", []).append(f)
        for unit, task_name in leads(f, tasks):
            lead.setdefault(unit, []).append((task_name, f))
    order = {u.name: i for i, u in enumerate(config.units)}
    names = sorted(set(own) | set(lead), key=lambda n: (order.get(n, 10_000), n))
    return [UnitFindings(n, tuple(own.get(n, ())), tuple(lead.get(n, ()))) for n in names]
