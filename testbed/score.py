"""Scoring zwgk's findings against the testbed's ground truth, per rule.

A finding matches a ground-truth entry when the rule and the URL are the same
(URLs compared percent-decoded) and, for the column-catalogue rules, the missing
column's name too.  Precision and recall are computed per rule; a near-miss that
was reported counts as a false finding.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import unquote

COLUMN_KEYED = {"COL001", "COL002"}


def match_key(entry: Mapping[str, Any]) -> tuple[str, str, str | None]:
    rule = entry["rule"]
    return (rule, unquote(entry.get("url") or ""), entry.get("column") if rule in COLUMN_KEYED else None)


@dataclass
class RuleScore:
    rule: str
    expected: int = 0
    found: int = 0
    true_positives: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    near_misses_reported: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "expected": self.expected, "found": self.found,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "missed": self.missed, "false": self.false, "near_misses_reported": self.near_misses_reported}


def score(findings: Iterable[Mapping[str, Any]], truth: Mapping[str, Any]) -> dict[str, RuleScore]:
    expected = {match_key(t) for t in truth["findings"]}
    near = {match_key(n) for n in truth["near_misses"]}
    got = {match_key(f) for f in findings}
    rules = sorted({k[0] for k in expected | near | got})
    out: dict[str, RuleScore] = {}
    for rule in rules:
        e = {k for k in expected if k[0] == rule}
        g = {k for k in got if k[0] == rule}
        s = RuleScore(rule, len(e), len(g), len(e & g))
        s.missed = sorted(_show(k) for k in e - g)
        s.false = sorted(_show(k) for k in g - e)
        s.near_misses_reported = sorted(_show(k) for k in (g & near) - e)
        out[rule] = s
    return out


def inspect(tb: Any, out: Path, as_of: date) -> tuple[list[Any], list[dict[str, Any]], dict[str, Any]]:
    """The whole inspection of a running testbed, as an administrator's schedule would make it:
    crawl, the components' own observations (probe rounds over 7 days, a feed poll), check,
    report.  Returns the step results, the findings (as in findings.json) and the ground truth."""
    config_file, _ = tb.write(out)
    results, findings = inspect_config(tb, config_file, out, as_of)
    return results, findings, tb.ground_truth()


def inspect_config(tb: Any, config_file: Path, out: Path, as_of: date) -> tuple[list[Any], list[dict[str, Any]]]:
    """The same inspection as ``inspect`` with another config of the running testbed (one
    written by `zwgk discover`, say): the step results and the findings."""
    import json

    from commands import steps as pipeline
    from commands.common import load_config

    config = load_config(config_file)
    results = [pipeline.crawl(config, as_of, quiet=True)]
    if results[-1].status == "complete":
        for component in tb.components:
            if hasattr(component, "observe"):
                component.observe(config_file, as_of)
        results.append(pipeline.check(config, as_of))
        results.append(pipeline.report(config, as_of, out / "report"))
    doc = (json.loads((out / "report" / "findings.json").read_text(encoding="utf-8"))
           if len(results) == 3 else {})
    return results, list(doc.get("findings", []))


def upd_veto(out: Path, truth: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The UPD 栏目不更新 veto as findings.json's verdicts give it and as the ground truth implies
    it (from its UPD002–UPD005 entries per site), both keyed by the site's URL: to be scored
    like a rule."""
    import json

    from commands.common import load_config

    path = out / "report" / "findings.json"
    doc = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    found = []
    for v in doc.get("verdicts", []):
        for veto in v.get("vetoes", []):
            if veto["rule"] == "UPD-veto":
                found.append({"rule": "UPD-veto", "url": v.get("url"), "columns": veto.get("columns", [])})
    from reports.assessment import UPD_VETO

    expected = []
    config = load_config(out / "config.toml")
    for site in config.sites:
        mine = [t for t in truth["findings"] if str(t.get("url") or t.get("column") or "").startswith(site.url)]
        n = {r: sum(t["rule"] == r for t in mine) for r in ("UPD002", "UPD003", "UPD004", "UPD005")}
        if (n["UPD002"] + n["UPD003"] >= UPD_VETO["UPD002+UPD003"] or n["UPD004"] >= UPD_VETO["UPD004"]
                or n["UPD005"] >= UPD_VETO["UPD005"]):
            expected.append({"rule": "UPD-veto", "url": site.url})
    return found, expected


def _show(key: tuple[str, str, str | None]) -> str:
    return key[1] + (f" [{key[2]}]" if key[2] else "")
