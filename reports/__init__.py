"""Reports: present findings, nothing else (pdoc-style).

One Jinja2 Environment with autoescape on and StrictUndefined; one render
function per output taking typed view-models; templates named
``<page>.<format>.j2``.  Crawled text is untrusted and is escaped everywhere.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping, Sequence

import jinja2

from zwgk.records import Finding, Severity

SEVERITY_LABEL = {Severity.VETO: "单项否决", Severity.DEDUCTION: "扣分", Severity.NOTICE: "提示"}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("reports", "templates"),
    autoescape=True,                 # every template, whatever its name: crawled text is untrusted
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class RuleRow:
    id: str
    title: str
    severity: str
    defaults: str
    source: str
    count: int


@dataclass(frozen=True)
class Row:
    """One finding as a unit reads it: with its history and deadline."""

    finding: Finding
    state: str            # 新发现 / 仍未整改
    first_seen: date
    days_open: int
    deadline: date | None
    lead_task: str | None = None   # set when shown to a 牵头单位 for a 方案 task
    unverifiable: bool = False     # 本次无法核验: still open, its subject could not be observed
    overdue_days: int = 0          # 逾期 N 个工作日 past the 整改期限

    @property
    def evidence_id(self) -> str:
        return evidence_id(self.finding)


def evidence_id(finding: Finding) -> str:
    """The file name (without .html) of a finding's evidence page: stable across reports."""
    import hashlib
    return hashlib.sha256("\x1f".join(finding.key()).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class UnitSection:
    unit: str
    unit_type: str
    slug: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    as_of: date
    count: int


@dataclass(frozen=True)
class ReportView:
    county: str
    as_of: date
    generated_at: str
    crawl: Mapping[str, Any]
    check: Mapping[str, Any]
    total: int
    verdicts: tuple[Any, ...]            # reports.assessment.Verdict
    indicators: tuple[str, ...]
    units: tuple[UnitSection, ...]
    changes: Mapping[str, int]           # new / still_open / resolved
    resolved: tuple[Finding, ...]
    trend: tuple[TrendPoint, ...]
    trend_svg: str
    rules: tuple[RuleRow, ...]
    unverified: tuple[tuple[str, tuple[tuple[str, tuple[Any, ...]], ...]], ...]   # unit -> reason -> items
    unknown_years: Sequence[int]
    degraded: bool
    degraded_note: str | None = None
    unowned_columns: tuple[tuple[str, str, str, str], ...] = ()   # (site, column name, class, url)
    pass_score: float = 60.0             # [assessment] pass_score
    overdue: tuple[Row, ...] = ()        # 逾期未整改, most overdue first
    exempt: tuple[Any, ...] = ()         # (TrackedState, Exemption | None): listed apart
    appeals: tuple[Any, ...] = ()        # (TrackedState, Appeal | None): 申诉中, listed apart, never 逾期
    unverifiable_count: int = 0          # open findings not verifiable this time


def local_text(moment: datetime, tz: Any) -> str:
    """A stored (UTC) time as a reader sees it: '2026-11-26 22:11（北京时间）' for Asia/Shanghai."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(tz)
    name = "北京时间" if str(getattr(tz, "key", "")) in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else local.tzname()
    return f"{local:%Y-%m-%d %H:%M}（{name}）"


def severity_label(value: Severity | str) -> str:
    return SEVERITY_LABEL[Severity(value)]


_env.filters["severity"] = severity_label
_env.filters["evidence_id"] = lambda f: evidence_id(f)


def slug(name: str) -> str:
    """A file name safe on every system for a unit's page (names are Chinese and may hold anything)."""
    import hashlib
    import re
    clean = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", name).strip("_")[:40] or "unit"
    return f"{clean}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"


def trend_svg(points: Sequence[TrendPoint], width: int = 360, height: int = 80) -> str:
    """Findings per inspection as a small inline SVG bar chart (no script, no external file)."""
    if not points:
        return ""
    top = max(p.count for p in points) or 1
    bar = min(48.0, width / max(len(points), 1))
    # Every check is drawn; beyond 12 only every step-th one is labelled (and the last).
    step = -(-len(points) // 12)
    gap = 4.0 if bar >= 16 else bar / 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 16}" '
             f'role="img" aria-label="历次检查发现问题数">']
    for i, p in enumerate(points):
        h = max(1.0, (height - 12) * p.count / top)
        x = i * bar + gap / 2
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{bar - gap:.1f}" height="{h:.1f}" fill="#b71c1c">'
                     f'<title>{p.as_of.isoformat()}：{p.count}</title></rect>')
        if i % step and i != len(points) - 1:
            continue
        parts.append(f'<text x="{x + (bar - gap) / 2:.1f}" y="{height - h - 2:.1f}" font-size="10" '
                     f'text-anchor="middle">{p.count}</text>')
        parts.append(f'<text x="{x + (bar - gap) / 2:.1f}" y="{height + 12}" font-size="9" '
                     f'text-anchor="middle">{p.as_of:%m-%d}</text>')
    parts.append("</svg>")
    return "".join(parts)


def build_view(*, config: Any, as_of: date, findings: Sequence[Finding], check_run: Any, crawl_run: Any,
               rules: Mapping[str, ModuleType], lifecycle: Any = None, trend: Sequence[TrendPoint] = (),
               calendar: Any = None, deadline_days: int = 10,
               generated_at: datetime | None = None, degraded_note: str | None = None,
               columns: Sequence[Any] = (), unverified: Sequence[Any] = (),
               exemptions: Sequence[Any] = (), appeals: Sequence[Any] = (),
               platform_owned: frozenset[str] = frozenset()) -> ReportView:
    from reports.assessment import INDICATORS, assess, by_unit, scoring

    tracked = {t.finding.key(): t for t in (lifecycle.open if lifecycle else ())}
    types = {u.name: u.type for u in config.units}
    exempt_keys = {t.finding.key() for t in (lifecycle.exempt if lifecycle else ())}
    # Scored: this check's findings, less the exempted.  Shown: every open finding, including
    # those carried over because their subject could not be observed this time.
    scored = [f for f in findings if f.key() not in exempt_keys]
    present = {f.key() for f in scored}
    shown = scored + [t.finding for t in tracked.values() if t.finding.key() not in present]

    def row(f: Finding, task: str | None = None) -> Row:
        t = tracked.get(f.key())
        first = t.first_seen if t else as_of
        state = t.state.label if t is not None else "新发现"
        deadline = t.deadline if t is not None else None
        overdue = (calendar.workdays_between(deadline, as_of)
                   if calendar and deadline and as_of > deadline else 0)
        return Row(f, state, first, max((as_of - first).days, 0), deadline, task,
                   unverifiable=bool(t and t.unverifiable), overdue_days=overdue)

    sections = []
    for uf in by_unit(config, shown):
        rows = [row(f) for f in sorted(uf.own, key=lambda f: (f.rule, f.url or ""))]
        rows += [row(f, task) for task, f in uf.as_lead]
        sections.append(UnitSection(uf.unit, types.get(uf.unit, ""), slug(uf.unit), tuple(rows)))
    overdue = tuple(sorted((r for sec in sections for r in sec.rows if r.overdue_days > 0 and not r.lead_task),
                           key=lambda r: (-r.overdue_days, r.finding.unit or "", r.finding.rule)))
    from zwgk.records import FindingState
    apart = lifecycle.exempt if lifecycle else ()
    exempt = tuple((t, next((e for e in exemptions if e.covers(t.finding, as_of)), None))
                   for t in apart if t.state is not FindingState.APPEAL)
    appealed = tuple((t, next((a for a in appeals if a.covers(t.finding)), None))
                     for t in apart if t.state is FindingState.APPEAL)
    counts: dict[str, int] = {}
    for f in scored:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    rule_rows = tuple(
        RuleRow(rid, m.TITLE, severity_label(m.SEVERITY),
                "，".join(f"{k} = {v}" for k, v in config.rule_conf(rid, m.DEFAULTS).items()
                         if not isinstance(v, (dict, list))) or "—",
                getattr(m, "SOURCE", ""), counts.get(rid, 0))
        for rid, m in rules.items())
    summary = check_run.summary if check_run else {}
    tz = getattr(config, "tz", timezone.utc)
    crawl = {"id": crawl_run.id, "number": crawl_run.summary.get("crawl_number", crawl_run.id),
             "started_at": local_text(crawl_run.started_at, tz),
             "status": crawl_run.status, **crawl_run.summary} if crawl_run else {}
    return ReportView(
        county=config.county or "", as_of=as_of,
        generated_at=local_text(generated_at or datetime.now(timezone.utc), tz),
        crawl=crawl, check=({"id": check_run.id, "number": summary.get("check_number", check_run.id)}
                            if check_run else {}), total=len(shown),
        verdicts=tuple(assess(config, scored)), indicators=tuple(INDICATORS),
        units=tuple(sections),
        changes=lifecycle.counts() if lifecycle else {"new": len(findings), "still_open": 0, "resolved": 0},
        resolved=tuple(lifecycle.resolved) if lifecycle else (),
        trend=tuple(trend), trend_svg=trend_svg(trend), rules=rule_rows,
        unverified=group_unverified(config, unverified), unknown_years=summary.get("unknown_calendar_years", []),
        degraded=bool(summary.get("degraded")), degraded_note=degraded_note,
        unowned_columns=unowned(config, columns, platform_owned), pass_score=scoring(config).pass_score,
        overdue=overdue, exempt=exempt, appeals=appealed,
        unverifiable_count=sum(r.unverifiable for sec in sections for r in sec.rows if not r.lead_task))


def group_unverified(config: Any, items: Sequence[Any]) -> tuple[tuple[str, tuple[tuple[str, tuple[Any, ...]], ...]], ...]:
    """无法核验 records per unit (config order, then the rest), each grouped by reason."""
    order = [u.name for u in config.units]
    by_unit: dict[str, dict[str, list[Any]]] = {}
    for u in items:
        by_unit.setdefault(u.unit or "（未确定单位）", {}).setdefault(u.reason, []).append(u)
    units = sorted(by_unit, key=lambda n: (order.index(n) if n in order else len(order), n))
    return tuple((n, tuple((reason, tuple(v)) for reason, v in sorted(by_unit[n].items()))) for n in units)


CLASS_LABEL = {"news": "动态要闻", "notice": "通知公告", "policy": "政策文件", "personnel": "人事", "plan": "规划",
               "other": "其他"}


def unowned(config: Any, columns: Sequence[Any], platform_owned: frozenset[str] = frozenset()
            ) -> tuple[tuple[str, str, str, str], ...]:
    """Columns under no unit's column_prefixes and reached from no unit's platform entry
    (``platform_owned``: their URLs): shown, so that config.toml can assign them."""
    from checks._columns import column_class

    prefixes = [p for u in config.units for p in u.column_prefixes]
    names = {s.id: s.name for s in config.sites}
    return tuple(sorted((names.get(c.site_id, c.site_id), c.name or "", CLASS_LABEL[column_class(c.name, c.column_type)],
                         c.url) for c in columns if c.url not in platform_owned
                         and not any(c.url.startswith(p) for p in prefixes)))


def render_html(view: ReportView) -> str:
    return _env.get_template("report.html.j2").render(v=view)


def render_unit_html(view: ReportView, section: UnitSection) -> str:
    return _env.get_template("unit.html.j2").render(v=view, s=section)


FINDINGS_FORMAT = "zwgk-findings/2"


def render_findings_json(view: ReportView, config: Any = None) -> str:
    """findings.json: each finding with its state, first seen, deadline and days overdue; what
    could not be verified; and the verdicts per site, account and unit (README, findings.json)."""
    from reports.assessment import UPD_VETO

    def finding(r: Row) -> dict[str, Any]:
        return {**r.finding.to_json(), "subject": r.finding.key()[2], "state": STATE_KEYS.get(r.state, r.state),
                "state_label": r.state, "unverifiable": r.unverifiable, "first_seen": r.first_seen.isoformat(),
                "days_open": r.days_open, "deadline": r.deadline.isoformat() if r.deadline else None,
                "days_overdue": r.overdue_days, "evidence_file": f"evidence/{r.evidence_id}.html"}

    rows = [r for sec in view.units for r in sec.rows if not r.lead_task]
    site_urls = {s.id: s.url for s in config.sites} if config is not None else {}
    verdicts = []
    for d in view.verdicts:
        vetoes = [{"rule": v.split(" ", 1)[0], "reason": v} for v in d.vetoes if not v.startswith("栏目不更新")]
        if d.kind == "网站":
            counted = [r for r in rows if r.finding.site == d.subject and r.finding.rule in
                       ("UPD002", "UPD003", "UPD004", "UPD005") and not r.unverifiable]
            for v in d.vetoes:
                if v.startswith("栏目不更新"):
                    vetoes.append({"rule": "UPD-veto", "reason": v, "thresholds": UPD_VETO,
                                   "columns": sorted({r.finding.column or r.finding.url or "" for r in counted})})
        verdicts.append({"kind": "site" if d.kind == "网站" else "account", "subject": d.subject,
                         "url": site_urls.get(d.subject, d.subject if d.kind != "网站" else None),
                         "name": d.name, "verdict": d.label, "score": d.score, "vetoes": vetoes,
                         "deductions": d.deductions, "findings": d.findings})
    units = []
    for sec in view.units:
        own = [r for r in sec.rows if not r.lead_task]
        units.append({"unit": sec.unit, "type": sec.unit_type, "findings": len(own),
                      "vetoes": sum(r.finding.severity is Severity.VETO for r in own),
                      "overdue": sum(r.overdue_days > 0 for r in own),
                      "unverifiable": sum(r.unverifiable for r in own),
                      "supervised": len(sec.rows) - len(own),
                      "verdict": "不合格" if any(r.finding.severity is Severity.VETO and not r.unverifiable
                                               for r in own) else ("无法核验" if any(r.unverifiable for r in own)
                                                                  else "合格")})
    doc = {"format": FINDINGS_FORMAT, "county": view.county, "as_of": view.as_of.isoformat(),
           "check": dict(view.check), "findings": [finding(r) for r in rows],
           "exempt": [{**t.finding.to_json(), "subject": t.finding.key()[2], "state": t.state.value,
                       "first_seen": t.first_seen.isoformat(),
                       "exemption": ({"reason": e.reason, "by": e.created_by, "at": e.created_at.isoformat(),
                                      "until": e.until.isoformat() if e.until else None} if e else None)}
                      for t, e in view.exempt],
           "appeals": [{**t.finding.to_json(), "subject": t.finding.key()[2], "state": "appeal",
                        "state_label": "申诉中", "first_seen": t.first_seen.isoformat(),
                        "deadline": t.deadline.isoformat() if t.deadline else None,
                        "appeal": ({"reason": a.reason, "by": a.created_by, "at": a.created_at.isoformat()}
                                   if a else None)}
                       for t, a in view.appeals],
           "unverified": [u.to_json() for _, groups in view.unverified for _, items in groups for u in items],
           "verdicts": verdicts, "units": units}
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str)


STATE_KEYS = {"新发现": "new", "未整改": "still_open", "已整改": "resolved", "已豁免": "exempt", "申诉中": "appeal"}


@dataclass(frozen=True)
class EvidenceView:
    """One finding's evidence page: what proves it, for the unit and for an appeal."""

    id: str
    county: str
    as_of: date
    finding: Finding
    state: str
    first_seen: date | None
    rule_title: str
    severity: str
    source: str
    thresholds: Mapping[str, Any]
    subject_url: str | None
    capture: Any                   # zwgk.records.Capture | None
    fetched_at: str | None         # the capture's time, local
    body_text: str | None          # the captured body decoded, shown as escaped source text
    body_bytes: int
    truncated: bool
    hash_ok: bool | None           # the body still matches its sha256
    evidence_json: str


EVIDENCE_SHOWN_BYTES = 300_000    # more of a body is kept in the store, not shown


def decode_body(body: bytes, content_type: str | None) -> str:
    """Captured bytes as text for reading: the declared charset, else UTF-8, else GB18030."""
    import re
    declared = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    for enc in ([declared.group(1)] if declared else []) + ["utf-8", "gb18030"]:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


def build_evidence(config: Any, as_of: date, tracked: Any, rules: Mapping[str, ModuleType],
                   thresholds: Mapping[str, Mapping[str, Any]], capture_of: Any) -> EvidenceView:
    """``tracked``: a Row or a TrackedState; ``capture_of(url)``: the newest Capture up to the check."""
    import hashlib
    f: Finding = tracked.finding
    state = tracked.state if isinstance(tracked.state, str) else tracked.state.label
    module = rules.get(f.rule)
    homes = {site.id: site.url for site in getattr(config, "sites", ())}
    subject = f.url or f.column or homes.get(f.site)
    capture = capture_of(subject) if (subject and capture_of) else None
    text, truncated, hash_ok, size = None, False, None, 0
    if capture is not None and capture.body is not None:
        size = len(capture.body)
        hash_ok = hashlib.sha256(capture.body).hexdigest() == capture.content_hash
        truncated = size > EVIDENCE_SHOWN_BYTES
        text = decode_body(capture.body[:EVIDENCE_SHOWN_BYTES], capture.content_type)
    conf = thresholds.get(f.rule)
    if conf is None and module is not None:
        conf = {k: v for k, v in config.rule_conf(f.rule, module.DEFAULTS).items() if not isinstance(v, (dict, list))}
    tz = getattr(config, "tz", timezone.utc)
    return EvidenceView(
        evidence_id(f), getattr(config, "county", "") or "", as_of, f, state, getattr(tracked, "first_seen", None),
        getattr(module, "TITLE", f.rule), severity_label(f.severity), getattr(module, "SOURCE", ""), conf or {},
        subject, capture, local_text(capture.fetched_at, tz) if capture else None, text, size, truncated, hash_ok,
        json.dumps(f.evidence, ensure_ascii=False, indent=1, default=str))


def render_evidence_html(view: EvidenceView) -> str:
    return _env.get_template("evidence.html.j2").render(e=view)


def write_report(out: str | Path, pdf: bool = False, capture_of: Any = None,
                 thresholds: Mapping[str, Mapping[str, Any]] | None = None, **kwargs: Any) -> dict[str, Path]:
    """Write report.html, findings.json, one page per unit and one evidence page per finding
    (``evidence/<id>.html``) into ``out``; returns their paths.

    ``capture_of(url)``: the newest zwgk.records.Capture of a URL up to the check's crawl;
    ``thresholds``: the rule → thresholds the check applied (its run summary)."""
    out = Path(out)
    (out / "units").mkdir(parents=True, exist_ok=True)
    (out / "evidence").mkdir(parents=True, exist_ok=True)
    view = build_view(**kwargs)
    shown: dict[str, Any] = {}
    for sec in view.units:
        for r in sec.rows:
            shown.setdefault(r.evidence_id, r)
    for t, _ in (*view.exempt, *view.appeals):
        shown.setdefault(evidence_id(t.finding), t)
    for eid, tracked in shown.items():
        ev = build_evidence(kwargs.get("config"), view.as_of, tracked, kwargs.get("rules") or {}, thresholds or {},
                            capture_of)
        _write_atomic(out / "evidence" / f"{eid}.html", render_evidence_html(ev))
    files = {"html": out / "report.html", "findings": out / "findings.json"}
    html = render_html(view)
    _write_atomic(files["html"], html)
    _write_atomic(files["findings"], render_findings_json(view, kwargs.get("config")))
    for section in view.units:
        _write_atomic(out / "units" / f"{section.slug}.html", render_unit_html(view, section))
    files["units"] = out / "units"
    if pdf:
        files["pdf"] = write_pdf(html, out / "report.pdf")
    return files


class PdfUnavailable(RuntimeError):
    """WeasyPrint is an optional extra; the message says how to install it."""


def write_pdf(html: str, path: Path) -> Path:
    try:
        import weasyprint
    except ImportError:
        raise PdfUnavailable(
            "PDF output needs WeasyPrint and a CJK font: pip install 'zwgk[pdf]' "
            "(or pip install weasyprint) and apt-get install fonts-noto-cjk") from None
    weasyprint.HTML(string=html).write_pdf(str(path))
    return path


def _write_atomic(path: Path, text: str) -> None:
    """A report is replaced whole or not at all: a crash never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
