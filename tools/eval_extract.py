"""Accuracy of crawler.extract on the hand-checked real pages (shared/realpages/*/gold.json).

    .venv/bin/python tools/eval_extract.py [--realpages DIR] [--set pingtan] [--set misc] [--set hanweb-jiangxi] …

Prints per-field and overall accuracy for each gold set and lists every mismatch (gold vs got).
The comparison is the one shared/realpages/README.md describes ("How zwgk extract output is
compared with gold.json"); tests/crawler/test_extract_realpages.py imports it from here so the
test suite and this report cannot drift apart.

Fields scored:
- detail pages: title, doc_no, index_no, pub_date; doc_date against gold doc_date, else gold
  signature_date; publisher only where gold index_no is not null (pages with the metadata table).
- list pages: the number of static entries, and title/date/url of the first and last entry.
- index and other pages are not scored (there is no extractor for column trees yet).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.extract import DetailFields, ListPage, extract_detail, extract_list  # noqa: E402
from crawler.profiles import detect  # noqa: E402

GOLD_SETS = ("pingtan", "misc", "hanweb-jiangsu", "hanweb-jiangxi")
ENV_VAR = "ZWGK_REALPAGES"

_WHITESPACE_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "［": "[", "］": "]", "【": "[", "】": "]", "（": "(", "）": ")"})


def default_realpages() -> Path:
    """``$ZWGK_REALPAGES``, else ../shared/realpages next to the repository."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "realpages"


def normalise(value: object) -> str | None:
    """README rule: whitespace and full/half-width brackets do not count; null stays null."""
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = _WHITESPACE_RE.sub("", text).translate(_BRACKETS)
    return text or None


@dataclass(frozen=True)
class Case:
    gold_set: str
    page: str
    field: str
    expected: str | None

    @property
    def id(self) -> str:
        return f"{self.gold_set}/{self.page}:{self.field}"


@lru_cache(maxsize=None)
def load_gold(realpages: Path, gold_set: str) -> dict[str, dict[str, Any]]:
    with open(realpages / gold_set / "gold.json", encoding="utf-8") as f:
        return json.load(f)


def cases(realpages: Path, gold_set: str) -> Iterator[Case]:
    """One case per scored field of every detail and list page of a gold set."""
    for page, gold in load_gold(realpages, gold_set).items():
        if gold.get("type") == "detail":
            for field in ("title", "doc_no", "index_no", "pub_date"):
                yield Case(gold_set, page, field, gold.get(field))
            yield Case(gold_set, page, "doc_date", gold.get("doc_date") or gold.get("signature_date"))
            if gold.get("index_no") is not None:
                yield Case(gold_set, page, "publisher", gold.get("publisher"))
        elif gold.get("type") == "list":
            yield Case(gold_set, page, "items", str(gold.get("items")))
            for end in ("first", "last"):
                entry = gold.get(end)
                if entry is None:
                    if gold.get("items") == 0:
                        yield Case(gold_set, page, f"{end}.title", None)
                    continue
                for key in ("title", "date", "url"):
                    if key in entry:
                        yield Case(gold_set, page, f"{end}.{key}", entry[key])


@lru_cache(maxsize=None)
def extracted(realpages: Path, gold_set: str, page: str) -> DetailFields | ListPage:
    gold = load_gold(realpages, gold_set)[page]
    html = (realpages / gold_set / page).read_text(encoding="utf-8")
    if gold["type"] == "list":
        return extract_list(html, gold["url"])
    # As the crawler reads it: with the CMS profile detected on the page (crawler.profiles).
    return extract_detail(html, gold.get("url"), profile=detect(gold.get("url") or "", html).profile)


def got(realpages: Path, case: Case) -> object:
    """The extracted value for a case's field."""
    result = extracted(realpages, case.gold_set, case.page)
    if isinstance(result, ListPage):
        if case.field == "items":
            return str(len(result.items))
        end, _, key = case.field.partition(".")
        if not result.items:
            return None
        item = result.items[0] if end == "first" else result.items[-1]
        return {"title": item.title, "date": item.date, "url": item.url}[key]
    return getattr(result, case.field)


def matches(realpages: Path, case: Case) -> tuple[bool, object]:
    value = got(realpages, case)
    return normalise(value) == normalise(case.expected), value


def evaluate(realpages: Path, gold_set: str) -> tuple[dict[str, list[bool]], list[tuple[Case, object]]]:
    per_field: dict[str, list[bool]] = defaultdict(list)
    mismatches: list[tuple[Case, object]] = []
    for case in cases(realpages, gold_set):
        ok, value = matches(realpages, case)
        per_field[case.field.partition(".")[0] if "." in case.field else case.field].append(ok)
        if not ok:
            mismatches.append((case, value))
    return per_field, mismatches


def accuracy(per_field: dict[str, list[bool]]) -> float:
    results = [ok for oks in per_field.values() for ok in oks]
    return sum(results) / len(results) if results else 0.0


def invented_dates(realpages: Path, gold_set: str) -> list[str]:
    """Detail pages where a date was produced although gold has none for that field."""
    found = []
    for page, gold in load_gold(realpages, gold_set).items():
        if gold.get("type") != "detail":
            continue
        result = extracted(realpages, gold_set, page)
        assert isinstance(result, DetailFields)
        if result.doc_date is not None and not (gold.get("doc_date") or gold.get("signature_date")):
            found.append(f"{page}: doc_date {result.doc_date} ({result.doc_date_source})")
        if result.pub_date is not None and not gold.get("pub_date"):
            found.append(f"{page}: pub_date {result.pub_date} ({result.pub_date_source})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realpages", type=Path, default=default_realpages())
    parser.add_argument("--set", dest="sets", action="append", choices=GOLD_SETS)
    args = parser.parse_args(argv)
    if not (args.realpages / "pingtan" / "gold.json").exists():
        print(f"no realpages at {args.realpages} (set {ENV_VAR})", file=sys.stderr)
        return 2
    for gold_set in args.sets or GOLD_SETS:
        per_field, mismatches = evaluate(args.realpages, gold_set)
        total = sum(len(v) for v in per_field.values())
        right = sum(sum(v) for v in per_field.values())
        print(f"== {gold_set}: {right}/{total} fields right, accuracy {accuracy(per_field):.3f}")
        for field, oks in per_field.items():
            print(f"   {field:<10} {sum(oks):>3}/{len(oks):<3} {sum(oks) / len(oks):.3f}")
        invented = invented_dates(args.realpages, gold_set)
        print(f"   invented dates on pages that have none: {len(invented)}")
        for line in invented:
            print(f"     {line}")
        if mismatches:
            print("   mismatches:")
        for case, value in mismatches:
            print(f"     {case.id}")
            print(f"        gold: {case.expected!r}")
            print(f"        got:  {value!r}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
