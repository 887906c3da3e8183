"""The crawler's own tables: what an incremental or resumed crawl needs to remember.

``page_cache`` keeps, per URL, the last fetched body of every list or navigation page
(home, entry, column, pagination pages) with its validators (ETag, Last-Modified) and a
content hash.  A later crawl asks the server with If-None-Match / If-Modified-Since and,
when nothing changed (304, or the same hash from a server without validators), parses the
stored body instead of trusting a new one.  ``run_id`` is the crawl that last saw it: a
resumed crawl replays the list pages its killed predecessor already fetched.

Detail pages are not kept here: their records live in the run tables and are carried
forward from the previous complete crawl.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

MIGRATIONS: list[str] = [
    """
    CREATE TABLE crawl_page_cache (
        url TEXT PRIMARY KEY,
        site_id TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        final_url TEXT NOT NULL,         -- after redirects: the base for relative links
        etag TEXT,
        last_modified TEXT,
        content_type TEXT,
        content_hash TEXT NOT NULL,      -- sha256 of the body as received
        body BLOB NOT NULL,              -- zlib-compressed
        fetched_at TEXT NOT NULL,
        changed_at TEXT NOT NULL         -- when the hash last changed
    );
    CREATE INDEX crawl_page_cache_run ON crawl_page_cache(run_id);
    """,
]


def page_cache(store: Any) -> Iterator[dict[str, Any]]:
    """Every cached page, its body decompressed."""
    for r in store.db.execute("SELECT * FROM crawl_page_cache"):
        yield {**dict(r), "body": zlib.decompress(r["body"])}


def save_page_cache(store: Any, rows: list[tuple[Any, ...]]) -> None:
    """(url, site_id, run_id, final_url, etag, last_modified, content_type, content_hash, body,
    fetched_at, changed_at) rows, the body raw (it is compressed here)."""
    with store.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO crawl_page_cache VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       [(*r[:8], zlib.compress(r[8]), *r[9:]) for r in rows])
