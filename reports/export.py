"""`zwgk export`: findings per unit and per site as CSV, XLSX or JSON, for the 考核 and the 年报.

One row per unit (config order) and per site, one column per rule ID with its
number of findings, and the total.  Without ``--year`` the findings are those
of the latest complete check run.  With ``--year Y`` they are the findings of
every complete check run whose as_of falls in Y, deduplicated by
``Finding.key()`` (a link broken for ten runs counts once), and each row also
gets the figures zwgk can count for the 政府信息公开工作年度报告, from the
documents of the latest complete crawl:

- documents published in Y (发布日期 in Y), per owner unit (the LAG001 owner:
  the longest configured column prefix, else the site's unit);
- documents with both dates, and how many were published late: the LAG001
  findings of the year whose 发布日期 is in Y; the share is late / both dates;
- the median lag in working days (成文日期 → 发布日期, holidays and 调休 counted).

Site rows also get the 考核结论 (合格/不合格) and 得分 of reports.assessment's
``assess_site`` (on the latest check run; with --year, on the last check run
of that year).  Where that module is missing the export has counts only and
says so in its notes.

CSV is UTF-8 with a BOM so that Excel opens the Chinese correctly.
"""
from __future__ import annotations

import csv
import io
import sys
import json
import statistics
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from reports.assessment import assess_site, scoring
from zwgk.records import DocumentObs, Finding
from zwgk.workdays import calendar_for

UNASSIGNED = "（未归属单位）"
FORMATS = ("csv", "xlsx", "json")
NOTE_NO_ASSESSMENT = ("未输出“考核结论/得分”：评分模块（reports.assessment）不可用，本表仅统计各规则发现的问题数。")


@dataclass(frozen=True)
class DocFigures:
    published: int            # 发布日期 in the year
    dated: int                # … with both dates
    late: int                 # LAG001 findings of the year whose 发布日期 is in the year
    median_lag: float | None  # working days, over the dated documents

    @property
    def late_share(self) -> float | None:
        return round(self.late / self.dated, 4) if self.dated else None


@dataclass(frozen=True)
class ExportRow:
    kind: str                 # unit | site
    name: str
    unit_type: str            # 县政府 / 乡镇 / 部门 for units, 网站 for sites
    counts: tuple[int, ...]   # one per ExportTable.rules
    total: int
    docs: DocFigures | None   # only for a yearly export
    verdict: str | None = None   # sites only, when an assessment is available
    score: float | None = None   # None also when a veto decided
    overdue: int | None = None   # units only: open findings past their 整改期限 (逾期未整改)


@dataclass(frozen=True)
class ExportTable:
    county: str
    scope: str                # "latest" or "year"
    year: int | None
    check_runs: tuple[int, ...]
    crawl_run_id: int | None
    rules: tuple[str, ...]
    rows: tuple[ExportRow, ...]
    notes: tuple[str, ...]
    assessed: bool = False
    tracked: bool = False     # the 逾期未整改 column is there (finding states were available)


# -- building ---------------------------------------------------------------------------------------
def rule_columns(findings: Iterable[Finding]) -> tuple[str, ...]:
    """Every rule of RULES.md in its order, then any other rule ID that has findings."""
    from checks import ALL_RULE_IDS

    extra = sorted({f.rule for f in findings} - set(ALL_RULE_IDS))
    return tuple(ALL_RULE_IDS) + tuple(extra)


def document_figures(documents: Sequence[DocumentObs], year: int, owner: Callable[[DocumentObs], str | None],
                     late_findings: Sequence[Finding], calendar: Any
                     ) -> tuple[dict[str, DocFigures], dict[str, DocFigures]]:
    """The 年报 figures per unit and per site."""
    published: dict[tuple[str, str], int] = {}
    dated: dict[tuple[str, str], int] = {}
    lags: dict[tuple[str, str], list[int]] = {}
    for doc in documents:
        if doc.pub_date is None or doc.pub_date.year != year:
            continue
        keys = [("unit", owner(doc) or UNASSIGNED), ("site", doc.site_id)]
        for k in keys:
            published[k] = published.get(k, 0) + 1
        if doc.doc_date is not None and doc.doc_date <= doc.pub_date:
            lag = calendar.workdays_between(doc.doc_date, doc.pub_date)
            for k in keys:
                dated[k] = dated.get(k, 0) + 1
                lags.setdefault(k, []).append(lag)
    late: dict[tuple[str, str], int] = {}
    for f in late_findings:
        pub = str(f.evidence.get("pub_date") or "")
        if f.rule != "LAG001" or not pub.startswith(f"{year}-"):
            continue
        for k in (("unit", f.unit or UNASSIGNED), ("site", f.site)):
            late[k] = late.get(k, 0) + 1
    out: dict[str, dict[str, DocFigures]] = {"unit": {}, "site": {}}
    for k in set(published) | set(late):
        values = lags.get(k)
        out[k[0]][k[1]] = DocFigures(published.get(k, 0), dated.get(k, 0), late.get(k, 0),
                                     float(statistics.median(values)) if values else None)
    return out["unit"], out["site"]


def build_table(findings: Sequence[Finding], *, units: Sequence[Any], sites: Sequence[Any], county: str = "",
                year: int | None = None, check_runs: Sequence[int] = (), crawl_run_id: int | None = None,
                unit_docs: dict[str, DocFigures] | None = None, site_docs: dict[str, DocFigures] | None = None,
                rules: Sequence[str] | None = None, notes: Sequence[str] = (),
                assess: Callable[[str, str, Sequence[Finding]], Any] | None = None,
                assess_findings: Sequence[Finding] | None = None,
                overdue: dict[str, int] | None = None) -> ExportTable:
    """``assess(site_id, name, findings)`` gives a site's verdict (reports.assessment.assess_site);
    it judges ``assess_findings`` (default: ``findings``)."""
    rules = tuple(rules) if rules is not None else rule_columns(findings)
    index = {r: i for i, r in enumerate(rules)}
    counts: dict[tuple[str, str], list[int]] = {}
    for f in findings:
        for k in (("unit", f.unit or UNASSIGNED), ("site", f.site)):
            row = counts.setdefault(k, [0] * len(rules))
            if f.rule in index:
                row[index[f.rule]] += 1
    yearly = year is not None
    empty = DocFigures(0, 0, 0, None)
    rows: list[ExportRow] = []
    names = [(u.name, u.type) for u in units]
    known = {n for n, _ in names}
    names += [(n, "") for kind, n in sorted(counts) if kind == "unit" and n not in known]
    names += [(n, "") for n in sorted(set(unit_docs or {}) - known - {n for n, _ in names})]
    for name, utype in names:
        c = counts.get(("unit", name), [0] * len(rules))
        rows.append(ExportRow("unit", name, utype, tuple(c), sum(c),
                              (unit_docs or {}).get(name, empty) if yearly else None,
                              overdue=overdue.get(name, 0) if overdue is not None else None))
    site_names = {s.id: s.name for s in sites}
    site_ids = [s.id for s in sites]
    site_ids += [n for kind, n in sorted(counts) if kind == "site" and n not in site_ids]
    judged = list(findings if assess_findings is None else assess_findings)
    for sid in site_ids:
        c = counts.get(("site", sid), [0] * len(rules))
        verdict = assess(sid, site_names.get(sid, sid), judged) if assess else None
        rows.append(ExportRow("site", sid, "网站", tuple(c), sum(c),
                              (site_docs or {}).get(sid, empty) if yearly else None,
                              verdict.label if verdict else None, verdict.score if verdict else None))
    all_notes = list(notes)
    if assess is None:
        all_notes.append(NOTE_NO_ASSESSMENT)
    return ExportTable(county, "year" if yearly else "latest", year, tuple(check_runs), crawl_run_id, rules,
                       tuple(rows), tuple(all_notes), assessed=assess is not None, tracked=overdue is not None)


def overdue_by_unit(store: Any, config: Any, run: Any) -> dict[str, int]:
    """Per unit, the open findings of check run ``run`` past their 整改期限 on its as_of."""
    from reports.lifecycle import load_lifecycle

    out: dict[str, int] = {}
    for t in load_lifecycle(store, run).open:
        if t.deadline is not None and run.as_of > t.deadline:
            unit = t.finding.unit or UNASSIGNED
            out[unit] = out.get(unit, 0) + 1
    return out


def load_assessor(config: Any = None) -> Callable[[str, str, Sequence[Finding]], Any]:
    """The 19号 scoring of one site (reports.assessment.assess_site), as config.toml's
    [assessment] sets it."""
    rules = scoring(config)
    return lambda site_id, name, findings: assess_site(site_id, name, findings, rules)


def yearly_findings(store: Any, year: int) -> tuple[list[Finding], list[int]]:
    """Findings of the complete check runs with as_of in ``year``, one per key (its latest occurrence)."""
    ids = store.run_ids("check", since=date(year, 1, 1), until=date(year, 12, 31))
    latest: dict[tuple[str, str, str], Finding] = {}
    for run_id in ids:
        for f in store.findings(run_id):
            latest.pop(f.key(), None)      # re-insert: dict order follows the latest occurrence
            latest[f.key()] = f
    return list(latest.values()), ids


def table_from_store(config: Any, store: Any, year: int | None,
                     assess: Callable[[str, str, Sequence[Finding]], Any] | None | str = "auto") -> ExportTable:
    """``assess``: "auto" = reports.assessment when present; None = counts only; or a function."""
    from checks.base import Observations

    if assess == "auto":
        assess = load_assessor(config)
    assert not isinstance(assess, str), assess

    if year is None:
        run = store.latest_run("check")
        findings = store.findings(run.id) if run else []
        notes = [] if run else ["尚无完成的检查：请先运行 zwgk check。"]
        return build_table(findings, units=config.units, sites=config.sites, county=config.county,
                           check_runs=(run.id,) if run else (), crawl_run_id=run.crawl_run_id if run else None,
                           notes=notes, assess=assess, overdue=overdue_by_unit(store, config, run) if run else None)
    findings, run_ids = yearly_findings(store, year)
    crawl = store.latest_run("crawl")
    documents = store.documents(crawl.id) if crawl else []
    obs = Observations(run_id=crawl.id if crawl else 0, sites=config.sites, units=config.units)
    calendar = calendar_for(config)
    unit_docs, site_docs = document_figures(documents, year, lambda d: obs.owner(d.column_url or d.url, d.site_id),
                                            findings, calendar)
    notes = []
    if not run_ids:
        notes.append(f"{year} 年没有完成的检查。")
    if crawl is None:
        notes.append("尚无完成的采集：文件统计为空。")
    else:
        notes.append(f"文件统计来自第 {crawl.id} 次采集（{crawl.as_of.isoformat()}）所见的文件。")
    if calendar.unknown_years():
        notes.append(f"节假日日历未包含 {'、'.join(map(str, sorted(calendar.unknown_years())))} 年，按周一至周五计算工作日。")
    if assess is not None and run_ids:
        notes.append(f"考核结论与得分依据 {year} 年最后一次检查（第 {store.check_number(run_ids[-1])} 次）的结果。")
    return build_table(findings, units=config.units, sites=config.sites, county=config.county, year=year,
                       check_runs=run_ids, crawl_run_id=crawl.id if crawl else None, unit_docs=unit_docs,
                       site_docs=site_docs, notes=notes, assess=assess,
                       assess_findings=store.findings(run_ids[-1]) if run_ids else [],
                       overdue=overdue_by_unit(store, config, store.run(run_ids[-1])) if run_ids else None)


# -- rendering -------------------------------------------------------------------------------------------
KIND_LABEL = {"unit": "单位", "site": "网站"}
DOC_HEADERS = ("年内公开文件数", "成文与发布日期齐全的文件数", "超时公开数（LAG001）", "超时公开占比",
               "公开用时中位数（工作日）")
DOC_KEYS = ("documents_published", "documents_with_both_dates", "published_late", "late_share",
            "median_lag_working_days")


def header(table: ExportTable) -> list[str]:
    cols = ["类别", "名称", "单位类型", *table.rules, "问题总数"]
    if table.tracked:
        cols.append("逾期未整改")
    if table.assessed:
        cols += ["考核结论", "得分"]
    return cols + list(DOC_HEADERS) if table.scope == "year" else cols


def _doc_values(d: DocFigures) -> list[Any]:
    return [d.published, d.dated, d.late, d.late_share, d.median_lag]


def cells(table: ExportTable) -> list[list[Any]]:
    """The rows as plain values (None for "not computable"), in header order."""
    out = []
    for r in table.rows:
        row: list[Any] = [KIND_LABEL[r.kind], r.name, r.unit_type, *r.counts, r.total]
        if table.tracked:
            row.append(r.overdue)
        if table.assessed:
            row += [r.verdict, r.score]
        if table.scope == "year":
            row += _doc_values(r.docs or DocFigures(0, 0, 0, None))
        out.append(row)
    return out


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_csv(table: ExportTable) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header(table))
    for row in cells(table):
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    for note in table.notes:
        writer.writerow(["说明", note])
    return "\ufeff" + buf.getvalue()


def render_json(table: ExportTable) -> str:
    rows = []
    for r in table.rows:
        row: dict[str, Any] = {"kind": r.kind, "name": r.name, "unit_type": r.unit_type,
                               "findings": dict(zip(table.rules, r.counts)), "total": r.total}
        if table.tracked:
            row["overdue"] = r.overdue
        if table.assessed:
            row.update(verdict=r.verdict, score=r.score)
        if r.docs is not None:
            row.update(zip(DOC_KEYS, _doc_values(r.docs)))
        rows.append(row)
    return json.dumps({"county": table.county, "scope": table.scope, "year": table.year,
                       "check_runs": list(table.check_runs), "crawl_run_id": table.crawl_run_id,
                       "rules": list(table.rules), "rows": rows, "notes": list(table.notes)},
                      ensure_ascii=False, indent=1) + "\n"


def write_xlsx(table: ExportTable, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(header(table))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in cells(table):
        ws.append([safe_cell(v) for v in row])
    ws.freeze_panes = "D2"
    ws.column_dimensions["B"].width = 18
    if table.scope == "year":
        share_col = get_column_letter(header(table).index("超时公开占比") + 1)
        for cell in ws[share_col][1:]:
            cell.number_format = "0.0%"
    notes = wb.create_sheet("说明")
    scope = f"{table.year} 年度（检查 {len(table.check_runs)} 次，问题按网址去重）" if table.year else "最近一次检查"
    notes.append(["范围", scope])
    notes.append(["检查批次", "、".join(map(str, table.check_runs)) or "—"])
    for note in table.notes:
        notes.append(["说明", note])
    notes.column_dimensions["B"].width = 80
    tmp = path.with_suffix(path.suffix + ".tmp")
    wb.save(tmp)
    tmp.replace(path)


def write(table: ExportTable, fmt: str, out: Path | None) -> str:
    """Write the export; ``out`` None or '-' writes CSV/JSON to stdout.  Returns where it went."""
    if fmt == "xlsx":
        if out is None or str(out) == "-":
            raise ValueError("xlsx needs --out FILE")
        write_xlsx(table, out)
        return str(out)
    text = render_csv(table) if fmt == "csv" else render_json(table)
    if out is None or str(out) == "-":
        sys.stdout.write(text.lstrip("\ufeff") if fmt == "csv" else text)
        return "-"
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    tmp.replace(out)
    return str(out)
