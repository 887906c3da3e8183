"""Past reports kept side by side: one dated folder per `zwgk report`, an index page and a
``latest.html`` pointer, all in ``[zwgk] report_dir``.

    <report_dir>/2026-11-26-check-3/report.html, findings.json, units/, evidence/
    <report_dir>/index.html        every past report: date, check number, findings, 逾期
    <report_dir>/latest.html       a small redirect page to the newest report (no symlink:
                                   a USB stick or a Windows share may not keep one)

The index is read back from each folder's findings.json, so it stays right when a folder is
copied elsewhere or deleted by hand.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

FOLDER_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-check-(\d+)$")


@dataclass(frozen=True)
class PastReport:
    folder: str
    as_of: date
    check: int
    findings: int
    overdue: int
    appeals: int
    exempt: int


def folder_name(as_of: date, check_number: int) -> str:
    return f"{as_of.isoformat()}-check-{check_number}"


def past_reports(root: Path) -> list[PastReport]:
    """Every dated report folder under ``root`` with a readable findings.json, newest first."""
    out = []
    for path in root.iterdir() if root.is_dir() else ():
        m = FOLDER_RE.match(path.name)
        if not m or not (path / "findings.json").is_file():
            continue
        try:
            doc: dict[str, Any] = json.loads((path / "findings.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue   # a half-copied folder: left out of the index, not fatal
        findings = doc.get("findings") or []
        out.append(PastReport(path.name, date.fromisoformat(m.group(1)), int(m.group(2)), len(findings),
                              sum(1 for f in findings if (f.get("days_overdue") or 0) > 0),
                              len(doc.get("appeals") or []), len(doc.get("exempt") or [])))
    return sorted(out, key=lambda r: (r.as_of, r.check), reverse=True)


def write_history(root: Path, county: str) -> dict[str, Path]:
    """(Re)write ``index.html`` and ``latest.html`` in ``root`` from the folders found there."""
    from reports import _env, _write_atomic

    reports = past_reports(root)
    index = root / "index.html"
    _write_atomic(index, _env.get_template("index.html.j2").render(county=county, reports=reports))
    files = {"index": index}
    if reports:
        latest = root / "latest.html"
        _write_atomic(latest, _env.get_template("latest.html.j2").render(county=county, r=reports[0]))
        files["latest"] = latest
    return files
