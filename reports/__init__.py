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
    count: int


@dataclass(frozen=True)
class UnitSection:
    unit: str
    unit_type: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ReportView:
    county: str
    as_of: date
    generated_at: str
    crawl: Mapping[str, Any]
    check: Mapping[str, Any]
    total: int
    units: tuple[UnitSection, ...]
    rules: tuple[RuleRow, ...]
    unverified: Mapping[str, Sequence[str]]
    unknown_years: Sequence[int]


def severity_label(value: Severity | str) -> str:
    return SEVERITY_LABEL[Severity(value)]


_env.filters["severity"] = severity_label


def build_view(*, config: Any, as_of: date, findings: Sequence[Finding], check_run: Any, crawl_run: Any,
               rules: Mapping[str, ModuleType]) -> ReportView:
    order = {u.name: i for i, u in enumerate(config.units)}
    types = {u.name: u.type for u in config.units}
    by_unit: dict[str, list[Finding]] = {}
    for f in findings:
        by_unit.setdefault(f.unit or "（未归属单位）", []).append(f)
    sections = tuple(UnitSection(name, types.get(name, ""), tuple(sorted(fs, key=lambda f: (f.rule, f.url or ""))))
                     for name, fs in sorted(by_unit.items(), key=lambda kv: order.get(kv[0], 10_000)))
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    rule_rows = tuple(
        RuleRow(rid, m.TITLE, severity_label(m.SEVERITY),
                "，".join(f"{k} = {v}" for k, v in config.rule_conf(rid, m.DEFAULTS).items()
                         if not isinstance(v, (dict, list))) or "—",
                counts.get(rid, 0))
        for rid, m in rules.items())
    summary = check_run.summary if check_run else {}
    crawl = {"id": crawl_run.id, "started_at": crawl_run.started_at.isoformat(timespec="minutes"),
             "status": crawl_run.status, **crawl_run.summary} if crawl_run else {}
    return ReportView(
        county=config.county or "", as_of=as_of,
        generated_at=datetime.now(timezone.utc).astimezone().isoformat(timespec="minutes"),
        crawl=crawl, check={"id": check_run.id} if check_run else {}, total=len(findings), units=sections,
        rules=rule_rows, unverified=summary.get("unverified", {}),
        unknown_years=summary.get("unknown_calendar_years", []))


def render_html(view: ReportView) -> str:
    return _env.get_template("report.html.j2").render(v=view)


def render_findings_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=1)


def write_report(out: str | Path, **kwargs: Any) -> dict[str, Path]:
    """Write report.html and findings.json into ``out``; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    view = build_view(**kwargs)
    files = {"html": out / "report.html", "findings": out / "findings.json"}
    _write_atomic(files["html"], render_html(view))
    _write_atomic(files["findings"], render_findings_json(kwargs["findings"]))
    return files


def _write_atomic(path: Path, text: str) -> None:
    """A report is replaced whole or not at all: a crash never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
