"""The crawler's own tables: what an incremental or resumed crawl needs to remember.

``page_cache`` keeps, per URL, the last fetched body of every list or navigation page
(home, entry, column, pagination pages) with its validators (ETag, Last-Modified) and a
content hash.  A later crawl asks the server with If-None-Match / If-Modified-Since and,
when nothing changed (304, or the same hash from a server without validators), parses the
stored body instead of trusting a new one.  ``run_id`` is the crawl that last saw it: a
resumed crawl replays the list pages its killed predecessor already fetched.

Detail pages are not kept here: their records live in the run tables and are carried
forward from the previous complete crawl.

``crawl_captures`` / ``crawl_bodies`` keep the evidence for appeals: one row per response
the crawler received (pages, and failing link checks) with its status, final URL, address
family and time, and each distinct body once, zlib-compressed, keyed by its sha256 — an
unchanged page seen by a hundred runs costs one body and a hundred small rows.
``prune_captures`` drops captures older than ``[zwgk] evidence_days`` (the newest capture of
each URL always stays: it is what an open finding points to) and bodies no row refers to.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Iterable

from zwgk.records import Capture

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
    """
    CREATE TABLE crawl_bodies (
        content_hash TEXT PRIMARY KEY,   -- sha256 of the body as received
        body BLOB NOT NULL,              -- zlib-compressed
        size INTEGER NOT NULL,           -- bytes before compression
        stored_at TEXT NOT NULL
    );
    CREATE TABLE crawl_captures (
        run_id INTEGER NOT NULL,
        url TEXT NOT NULL,
        final_url TEXT,
        status INTEGER,
        method TEXT NOT NULL,
        address_family TEXT,             -- IPv4 | IPv6
        content_type TEXT,
        content_hash TEXT,               -- crawl_bodies; NULL without a body (HEAD)
        fetched_at TEXT NOT NULL
    );
    CREATE INDEX crawl_captures_url ON crawl_captures(url, run_id);
    CREATE INDEX crawl_captures_hash ON crawl_captures(content_hash);
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


def add_captures(store: Any, captures: Iterable[Capture]) -> None:
    """Store captures; a body already stored under its hash is not stored again."""
    rows = list(captures)
    with store.transaction() as db:
        for c in rows:
            if c.content_hash and c.body is not None:
                if db.execute("SELECT 1 FROM crawl_bodies WHERE content_hash=?", (c.content_hash,)).fetchone() is None:
                    db.execute("INSERT INTO crawl_bodies VALUES (?,?,?,?)",
                               (c.content_hash, zlib.compress(c.body, 6), len(c.body), c.fetched_at.isoformat()))
        db.executemany("INSERT INTO crawl_captures VALUES (?,?,?,?,?,?,?,?,?)",
                       [(c.run_id, c.url, c.final_url, c.status, c.method, c.address_family, c.content_type,
                         c.content_hash, c.fetched_at.isoformat()) for c in rows])


def latest_capture(store: Any, url: str, up_to_run: int | None = None, with_body: bool = True) -> Capture | None:
    """The newest capture of ``url`` from a run up to ``up_to_run``, its body decompressed."""
    sql = ("SELECT c.*, b.body, length(b.body) AS stored FROM crawl_captures c "
           "LEFT JOIN crawl_bodies b ON b.content_hash=c.content_hash WHERE c.url=?")
    args: list[Any] = [url]
    if up_to_run is not None:
        sql += " AND c.run_id<=?"
        args.append(up_to_run)
    r = store.db.execute(sql + " ORDER BY c.run_id DESC, c.fetched_at DESC, c.rowid DESC LIMIT 1", args).fetchone()
    if r is None:
        return None
    body = zlib.decompress(r["body"]) if (with_body and r["body"] is not None) else None
    return Capture(r["run_id"], r["url"], r["final_url"], r["status"], r["method"], r["address_family"],
                   r["content_type"], r["content_hash"], datetime.fromisoformat(r["fetched_at"]), body,
                   r["stored"] or 0)


def prune_captures(store: Any, before: datetime) -> dict[str, int]:
    """Drop captures fetched before ``before`` except each URL's newest, then unreferenced bodies."""
    with store.transaction() as db:
        captures = db.execute(
            "DELETE FROM crawl_captures WHERE fetched_at<? AND rowid NOT IN "
            "(SELECT max(rowid) FROM crawl_captures GROUP BY url)", (before.isoformat(),)).rowcount
        bodies = db.execute("DELETE FROM crawl_bodies WHERE content_hash NOT IN "
                            "(SELECT content_hash FROM crawl_captures WHERE content_hash IS NOT NULL)").rowcount
    return {"captures": captures, "bodies": bodies}


def evidence_cost(store: Any) -> dict[str, int]:
    """What the evidence takes: captures, distinct bodies, bytes before and after compression."""
    r = store.db.execute("SELECT count(*), coalesce(sum(size), 0), coalesce(sum(length(body)), 0) "
                         "FROM crawl_bodies").fetchone()
    n = store.db.execute("SELECT count(*), count(DISTINCT url) FROM crawl_captures").fetchone()
    return {"captures": n[0], "urls": n[1], "bodies": r[0], "raw_bytes": r[1], "stored_bytes": r[2]}
