"""False alarms of the content rules (PRV001, LNK005, CNT001) on the real pages in
../shared/realpages (every set), which are ordinary published government pages.

    .venv/bin/python tools/eval_content.py [--realpages DIR] [--show]

Each page is decoded and parsed as the spider does (crawler.extract.decode_html, one lxml
parse through parsel), observed by crawler.content.ContentObserver and judged by the checks
with their defaults.  Prints, per rule, the pages flagged out of all pages and, with
--show, what was flagged (masked) so that a person can tell a true leak from a false alarm.
Also prints, per rule, the candidates the crawler recorded before the check's filters.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsel import Selector  # noqa: E402

from checks import hidden_links, personal_data, serious_errors  # noqa: E402
from checks.base import CheckContext, Observations  # noqa: E402
from crawler.content import ContentObserver  # noqa: E402
from crawler.extract import decode_html  # noqa: E402
from zwgk.records import Site, Unit  # noqa: E402
from zwgk.records.content import HiddenLinkObs, PersonalDataObs, PhraseObs  # noqa: E402
from zwgk.watchlists import words_of  # noqa: E402
from zwgk.workdays import WorkdayCalendar  # noqa: E402

RULES = {"PRV001": personal_data, "LNK005": hidden_links, "CNT001": serious_errors}


def page_url(html: str, name: str) -> str:
    m = re.search(r'<meta\s+name=["\']Url["\']\s+content=["\']([^"\']+)', html, re.I)
    if m and m.group(1).startswith("http"):
        return m.group(1)
    m = re.search(r'<link[^>]+rel=["\']canonical["\'][^>]+href=["\'](http[^"\']+)', html, re.I)
    return m.group(1) if m else f"http://realpage.invalid/{name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--realpages", default=os.environ.get("ZWGK_REALPAGES",
                                                              str(Path(__file__).resolve().parents[2] / "shared" / "realpages")))
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args(argv)
    files = sorted(p for p in Path(args.realpages).rglob("*.htm*"))
    observer = ContentObserver(run_id=1, today=date(2026, 11, 26))
    records: list = []
    sites = []
    sentences = 0
    keyword_pages: list[str] = []
    for i, path in enumerate(files):
        html, _, _ = decode_html(path.read_bytes(), None)
        url = page_url(html, path.name)
        host = (urlsplit(url).hostname or "").lower()
        site_id = f"p{i}"
        sites.append(Site(site_id, path.name, url, "单位", hosts=(host,)))
        root = Selector(text=html).root
        from crawler.page_content import visible_text
        text = visible_text(root)
        sentences += len([x for x in re.split(r"[。！？!?；]", text) if len(x) >= 4])
        found = words_of(text)
        if found:
            keyword_pages.append(f"{path.name}: {found}")
        records += observer.observe_page(site_id, url, root, lambda t, h=host: (urlsplit(t).hostname or "").lower() != h)
    obs = Observations(run_id=1, sites=tuple(sites), units=(Unit("单位", "部门"),),
                       personal_data=tuple(r for r in records if isinstance(r, PersonalDataObs)),
                       hidden_links=tuple(r for r in records if isinstance(r, HiddenLinkObs)),
                       phrases=tuple(r for r in records if isinstance(r, PhraseObs)))
    raw = {"PRV001": len(obs.personal_data), "LNK005": len(obs.hidden_links), "CNT001": len(obs.phrases)}
    print(f"{len(files)} real pages from {args.realpages}, {sentences} sentences of visible text")
    for rid, module in RULES.items():
        ctx = CheckContext(date(2026, 11, 26), WorkdayCalendar())
        findings = list(module.check(obs, dict(module.DEFAULTS), ctx))
        print(f"{rid}: {len(findings)} of {len(files)} pages flagged ({len(findings) / len(files):.1%}); "
              f"{raw[rid]} candidates recorded by the crawler")
        if args.show:
            for f in findings:
                print("   ", f.url, json.dumps(f.evidence, ensure_ascii=False)[:400])
    # LNK006 and SEC001 need a target page or two crawls of a homepage; what can be measured here
    # is how many ordinary government pages carry a keyword of the classes at all.
    print(f"keyword classes (LNK006 / SEC001 precondition): {len(keyword_pages)} of {len(files)} pages")
    if args.show:
        for line in keyword_pages:
            print("   ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
