"""Crawl benchmark on the testbed: a first crawl, then an unchanged re-crawl.

Prints, for each crawl, the requests the testbed received, wall time, pages/s and
documents stored, and the re-crawl's share of the first crawl's requests
(issue: an unchanged re-crawl of a 10,000-page site must make at most 10 %).

    python tools/bench_crawl.py --pages 10000
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands import steps as pipeline  # noqa: E402
from commands.common import load_config  # noqa: E402
from zwgk.store import Store  # noqa: E402
from testbed.server import Testbed  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--as-of", default="2026-11-26")
    args = ap.parse_args()
    as_of = date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory() as tmp, Testbed(seed=1, as_of=as_of, components=False, pages=args.pages) as tb:
        config_file, _ = tb.write(tmp)
        config = load_config(config_file)
        print(f"testbed: {tb.county.page_count()} portal pages")
        rows = []
        for label in ("first crawl", "unchanged re-crawl"):
            before, t = tb.requests, time.monotonic()
            result = pipeline.crawl(config, as_of, quiet=True)
            wall = time.monotonic() - t
            with Store(config.database) as store:
                docs = len(store.documents(result.run_id))
            requests = tb.requests - before
            rows.append(requests)
            print(f"{label:20} {result.status:9} requests={requests:6d} wall={wall:6.1f} s "
                  f"rate={requests / wall:6.1f} req/s documents={docs}")
        print(f"re-crawl / first crawl = {rows[1] / rows[0]:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
