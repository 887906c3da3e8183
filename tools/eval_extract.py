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
- index pages (a portal's 信息公开 page): each gold column name, found when the page links a
  text of that name (the crawler follows it as a column); and each named list (最新公开) as the
  list pages are scored, its entries being the extracted ones inside the block under that name.
  A gold MM-DD date is compared with the year of the entry's /art/YYYY/M/D/ link when that link
  has the same month and day, else with null (no year is guessed).
- other pages are not scored.
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
from crawler.profiles import detect, url_date  # noqa: E402

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
            yield from _list_cases(gold_set, page, gold, "")
        elif gold.get("type") == "index":
            for name in gold.get("columns") or ():
                yield Case(gold_set, page, f"columns.{name}", name)
            for name, listed in (gold.get("lists") or {}).items():
                yield from _list_cases(gold_set, page, listed, f"@{name}")


def _list_cases(gold_set: str, page: str, gold: dict[str, Any], where: str) -> Iterator[Case]:
    """items, first.* and last.* of a list; ``where`` names a list of an index page (@最新公开)."""
    yield Case(gold_set, page, f"items{where}", str(gold.get("items")))
    for end in ("first", "last"):
        entry = gold.get(end)
        if entry is None:
            if gold.get("items") == 0:
                yield Case(gold_set, page, f"{end}.title{where}", None)
            continue
        for key in ("title", "date", "url"):
            if key in entry:
                value = entry[key]
                if key == "date":
                    value = _full_date(value, entry.get("url"))
                yield Case(gold_set, page, f"{end}.{key}{where}", value)


_MONTH_DAY_RE = re.compile(r"(\d{1,2})-(\d{1,2})")


def _full_date(value: str | None, url: str | None) -> str | None:
    """A gold MM-DD date with the year of the entry's URL when that URL has the same month and
    day (/art/2023/2/7/), else None: the extractor must not guess a year either."""
    m = _MONTH_DAY_RE.fullmatch(value or "")
    if m is None:
        return value
    found = url_date(url or "")
    if found is None or (found[1], found[2]) != (int(m[1]), int(m[2])):
        return None
    return f"{found[0]:04d}-{int(m[1]):02d}-{int(m[2]):02d}"


@dataclass(frozen=True)
class IndexPage:
    """What the extractors read on an index page: the link texts, and the named lists' entries."""

    link_texts: frozenset[str]
    lists: dict[str, ListPage]


def _squeeze(text: str) -> str:
    return _WHITESPACE_RE.sub("", text)


def _read_index(html: str, url: str, names: list[str]) -> IndexPage:
    from urllib.parse import urljoin

    from bs4 import BeautifulSoup

    from bs4 import Comment

    soup = BeautifulSoup(html, "lxml")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    texts = {t for a in soup.find_all("a", href=True)
             for t in (_squeeze(a.get_text()), _squeeze(str(a.get("title") or ""))) if t}
    # A panel title over a block of links (<div class="scroll_tit"><span>市政府部门</span>) names a
    # column tree entry too.
    for node in soup.find_all(string=True):
        text = _squeeze(str(node))
        if not 2 <= len(text) <= 20 or node.find_parent("a") is not None:
            continue
        for level, parent in enumerate(node.parents):
            after = parent.find_next_sibling()
            if level >= 3 or parent.find("a", href=True) is not None:
                break
            if after is not None and len(after.find_all("a", href=True)) >= 2:
                texts.add(text)
                break
    listing = extract_list(html, url)
    by_url = {item.url: item for item in listing.items}
    lists: dict[str, ListPage] = {}
    for name in names:
        block = None
        for node in soup.find_all(string=lambda s, wanted=name: _squeeze(str(s)) == wanted):
            for parent in node.parents:
                hrefs = {urljoin(url, str(a["href"]).strip()) for a in parent.find_all("a", href=True)}
                if hrefs & by_url.keys():
                    block = parent
                    break
            if block is not None:
                break
        inside: list[Any] = []
        if block is not None:
            seen: set[str] = set()
            for a in block.find_all("a", href=True):
                link = urljoin(url, str(a["href"]).strip())
                # The entry's own link, not another link to the same page (a 解读 pop-up's).
                own = {_squeeze(a.get_text()), _squeeze(str(a.get("title") or ""))}
                if link in by_url and link not in seen and _squeeze(by_url[link].title) in own:
                    seen.add(link)
                    inside.append(by_url[link])
        lists[name] = ListPage(items=tuple(inside), next_pages=(), total_pages=None, column_name=name)
    return IndexPage(link_texts=frozenset(texts), lists=lists)


@lru_cache(maxsize=None)
def extracted(realpages: Path, gold_set: str, page: str) -> DetailFields | ListPage | IndexPage:
    gold = load_gold(realpages, gold_set)[page]
    html = (realpages / gold_set / page).read_text(encoding="utf-8")
    if gold["type"] == "index":
        return _read_index(html, gold["url"], list(gold.get("lists") or {}))
    if gold["type"] == "list":
        return extract_list(html, gold["url"])
    # As the crawler reads it: with the CMS profile detected on the page (crawler.profiles).
    return extract_detail(html, gold.get("url"), profile=detect(gold.get("url") or "", html).profile)


def got(realpages: Path, case: Case) -> object:
    """The extracted value for a case's field."""
    result = extracted(realpages, case.gold_set, case.page)
    field = case.field
    if isinstance(result, IndexPage):
        kind, _, rest = field.partition(".")
        if kind == "columns":
            return rest if _squeeze(rest) in result.link_texts else None
        field, _, name = field.partition("@")
        result = result.lists[name]
    if isinstance(result, ListPage):
        if field == "items":
            return str(len(result.items))
        end, _, key = field.partition(".")
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
        per_field[case.field.partition("@")[0].partition(".")[0]].append(ok)
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
