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
    unverified: Mapping[str, Sequence[str]]
    unknown_years: Sequence[int]
    degraded: bool
    degraded_note: str | None = None
    unowned_columns: tuple[tuple[str, str, str, str], ...] = ()   # (site, column name, class, url)


def severity_label(value: Severity | str) -> str:
    return SEVERITY_LABEL[Severity(value)]


_env.filters["severity"] = severity_label


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
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 16}" '
             f'role="img" aria-label="历次检查发现问题数">']
    for i, p in enumerate(points):
        h = max(1.0, (height - 12) * p.count / top)
        x = i * bar + 2
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" fill="#b71c1c">'
                     f'<title>{p.as_of.isoformat()}：{p.count}</title></rect>')
        parts.append(f'<text x="{x + (bar - 4) / 2:.1f}" y="{height - h - 2:.1f}" font-size="10" '
                     f'text-anchor="middle">{p.count}</text>')
        parts.append(f'<text x="{x + (bar - 4) / 2:.1f}" y="{height + 12}" font-size="9" '
                     f'text-anchor="middle">{p.as_of:%m-%d}</text>')
    parts.append("</svg>")
    return "".join(parts)


def build_view(*, config: Any, as_of: date, findings: Sequence[Finding], check_run: Any, crawl_run: Any,
               rules: Mapping[str, ModuleType], lifecycle: Any = None, trend: Sequence[TrendPoint] = (),
               calendar: Any = None, deadline_days: int = 10,
               generated_at: datetime | None = None, degraded_note: str | None = None,
               columns: Sequence[Any] = (), platform_owned: frozenset[str] = frozenset()) -> ReportView:
    from reports.assessment import INDICATORS, assess, by_unit

    tracked = {t.finding.key(): t for t in (lifecycle.open if lifecycle else ())}
    types = {u.name: u.type for u in config.units}

    def row(f: Finding, task: str | None = None) -> Row:
        t = tracked.get(f.key())
        first = t.first_seen if t else as_of
        state = "仍未整改" if t is not None and t.state.value == "still_open" else "新发现"
        deadline = calendar.add_workdays(first, deadline_days) if calendar and f.severity is not Severity.NOTICE else None
        return Row(f, state, first, max((as_of - first).days, 0), deadline, task)

    sections = []
    for uf in by_unit(config, findings):
        rows = [row(f) for f in sorted(uf.own, key=lambda f: (f.rule, f.url or ""))]
        rows += [row(f, task) for task, f in uf.as_lead]
        sections.append(UnitSection(uf.unit, types.get(uf.unit, ""), slug(uf.unit), tuple(rows)))
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    rule_rows = tuple(
        RuleRow(rid, m.TITLE, severity_label(m.SEVERITY),
                "，".join(f"{k} = {v}" for k, v in config.rule_conf(rid, m.DEFAULTS).items()
                         if not isinstance(v, (dict, list))) or "—",
                getattr(m, "SOURCE", ""), counts.get(rid, 0))
        for rid, m in rules.items())
    summary = check_run.summary if check_run else {}
    crawl = {"id": crawl_run.id, "started_at": crawl_run.started_at.isoformat(timespec="minutes"),
             "status": crawl_run.status, **crawl_run.summary} if crawl_run else {}
    return ReportView(
        county=config.county or "", as_of=as_of,
        generated_at=(generated_at or datetime.now(timezone.utc).astimezone()).isoformat(timespec="minutes"),
        crawl=crawl, check={"id": check_run.id} if check_run else {}, total=len(findings),
        verdicts=tuple(assess(config, findings)), indicators=tuple(INDICATORS),
        units=tuple(sections),
        changes=lifecycle.counts() if lifecycle else {"new": len(findings), "still_open": 0, "resolved": 0},
        resolved=tuple(lifecycle.resolved) if lifecycle else (),
        trend=tuple(trend), trend_svg=trend_svg(trend), rules=rule_rows,
        unverified=summary.get("unverified", {}), unknown_years=summary.get("unknown_calendar_years", []),
        degraded=bool(summary.get("degraded")), degraded_note=degraded_note,
        unowned_columns=unowned(config, columns, platform_owned))


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


def render_findings_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=1)


def write_report(out: str | Path, pdf: bool = False, **kwargs: Any) -> dict[str, Path]:
    """Write report.html, findings.json and one page per unit into ``out``; returns their paths."""
    out = Path(out)
    (out / "units").mkdir(parents=True, exist_ok=True)
    view = build_view(**kwargs)
    files = {"html": out / "report.html", "findings": out / "findings.json"}
    html = render_html(view)
    _write_atomic(files["html"], html)
    _write_atomic(files["findings"], render_findings_json(kwargs["findings"]))
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
        import weasyprint  # type: ignore[import-not-found]
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
