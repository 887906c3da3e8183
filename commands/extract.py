"""`zwgk extract FILE`: what the crawler reads from one saved detail page, as JSON."""
from __future__ import annotations

import argparse
import json
import sys

from crawler.extract import decode_html, extract_detail
from crawler.profiles import detect


def cmd_extract(args: argparse.Namespace) -> int:
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        print(f"zwgk: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    html, encoding, _ = decode_html(raw, None)
    family = detect(args.url or "", html)   # as the crawler reads a site of that family
    d = extract_detail(html, args.url, profile=family.profile)
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    print(json.dumps({
        "file": str(args.file), "encoding": encoding, "cms": family.profile.name,
        "title": d.title, "doc_no": d.doc_no, "index_no": d.index_no, "publisher": d.publisher,
        "doc_date": iso(d.doc_date), "doc_date_source": d.doc_date_source, "doc_date_raw": d.doc_date_raw,
        "pub_date": iso(d.pub_date), "pub_date_source": d.pub_date_source, "pub_date_raw": d.pub_date_raw,
        "validity": d.validity, "attachments": list(d.attachments),
    }, ensure_ascii=False, indent=1))
    return 0
