"""A crawler child whose database fills up after a few writes (ENOSPC simulated in-process:
sqlite's own "database or disk is full"), for tests/faults: ``python -m tests.faults.enospc_crawler``."""
from __future__ import annotations

import os
import sqlite3
import sys

from zwgk.store import Store

_real = Store.add_pages
_calls = {"n": 0}


def _add_pages(self: Store, pages: object) -> None:
    _calls["n"] += 1
    if _calls["n"] > int(os.environ.get("ZWGK_TEST_WRITES_BEFORE_FULL", "1")):
        raise sqlite3.OperationalError("database or disk is full")
    _real(self, pages)  # type: ignore[arg-type]


Store.add_pages = _add_pages  # type: ignore[method-assign]

if __name__ == "__main__":
    from crawler.run import main

    sys.exit(main())
