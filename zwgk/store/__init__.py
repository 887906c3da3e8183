"""The SQLite store: one file, schema versioned with migrations.

Runs are the unit of safety: every observation and finding belongs to a run,
and a run that did not finish is marked ``incomplete`` and ignored by checks
and reports, so that earlier results are never corrupted.
"""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from zwgk.clock import utcnow
from zwgk.records import (Appeal, ColumnObs, DocumentObs, Exemption, Finding, FindingState, LinkCheck, LinkObs,
                          LinkOutcome, ListItemObs, PageObs, Severity, Unverified)
from zwgk.records.probes import ResolveStatus

# Each migration takes the schema from version i to i+1.  Never edit one that
# has shipped: add a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,              -- crawl | check
        as_of TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,            -- running | complete | incomplete | failed
        pid INTEGER,
        crawl_run_id INTEGER REFERENCES runs(id),
        summary TEXT
    );
    CREATE TABLE pages (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        kind TEXT NOT NULL,              -- home | entry | column | detail | other
        column_url TEXT,                 -- the column a list page belongs to
        status INTEGER, encoding TEXT, charset_mismatch INTEGER NOT NULL DEFAULT 0,
        title TEXT, column_name TEXT, column_type TEXT,
        item_count INTEGER NOT NULL DEFAULT 0, empty_marker INTEGER NOT NULL DEFAULT 0,
        referrer TEXT, depth INTEGER, fetched_at TEXT NOT NULL,
        PRIMARY KEY (run_id, url)
    );
    CREATE TABLE list_items (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        column_url TEXT NOT NULL,
        page_url TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT, item_date TEXT, item_date_raw TEXT,
        PRIMARY KEY (run_id, column_url, url)
    );
    CREATE TABLE columns (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        name TEXT, parent_url TEXT, column_type TEXT,
        item_count INTEGER NOT NULL, newest_date TEXT, oldest_date TEXT,
        pages_seen INTEGER NOT NULL, empty_marker INTEGER NOT NULL,
        observed_at TEXT NOT NULL,
        PRIMARY KEY (run_id, url)
    );
    CREATE TABLE documents (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        column_url TEXT, title TEXT, doc_no TEXT, index_no TEXT, publisher TEXT,
        doc_date TEXT, doc_date_source TEXT, doc_date_raw TEXT,
        pub_date TEXT, pub_date_source TEXT, pub_date_raw TEXT,
        list_date TEXT, has_metadata_table INTEGER NOT NULL,
        observed_at TEXT NOT NULL,
        PRIMARY KEY (run_id, url)
    );
    CREATE TABLE links (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        source_url TEXT NOT NULL,
        target_url TEXT NOT NULL,
        element TEXT NOT NULL, text TEXT, internal INTEGER NOT NULL,
        PRIMARY KEY (run_id, source_url, target_url, element)
    );
    CREATE TABLE link_checks (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        url TEXT NOT NULL,
        outcome TEXT NOT NULL, status INTEGER, detail TEXT,
        checked_at TEXT NOT NULL
    );
    CREATE INDEX link_checks_url ON link_checks(url, checked_at);
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        rule TEXT NOT NULL, severity TEXT NOT NULL,
        site TEXT NOT NULL, unit TEXT, column_url TEXT, url TEXT,
        message TEXT NOT NULL, evidence TEXT NOT NULL, as_of TEXT
    );
    CREATE INDEX findings_run ON findings(run_id);
    """,
    """
    ALTER TABLE pages ADD COLUMN replacement_chars INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE pages ADD COLUMN site_id_code TEXT;
    ALTER TABLE pages ADD COLUMN footer_text TEXT;
    ALTER TABLE pages ADD COLUMN badge_links TEXT NOT NULL DEFAULT '[]';
    """,
    # A finding's life across check runs (identity: rule + site + subject), what the checks
    # could not verify, and the exemptions people granted.
    """
    CREATE TABLE finding_states (
        rule TEXT NOT NULL, site TEXT NOT NULL, subject TEXT NOT NULL,
        unit TEXT, state TEXT NOT NULL,          -- new | still_open | resolved | exempt | appeal
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
        deadline TEXT,                           -- set when first notified, never moved
        notified_at TEXT, notices INTEGER NOT NULL DEFAULT 0,
        resolved_on TEXT, last_run_id INTEGER,
        finding TEXT NOT NULL,                   -- the finding as last seen (JSON)
        PRIMARY KEY (rule, site, subject)
    );
    CREATE TABLE finding_run_states (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        rule TEXT NOT NULL, site TEXT NOT NULL, subject TEXT NOT NULL,
        state TEXT NOT NULL, first_seen TEXT NOT NULL, unverifiable INTEGER NOT NULL DEFAULT 0,
        finding TEXT NOT NULL,
        PRIMARY KEY (run_id, rule, site, subject)
    );
    CREATE TABLE unverified (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        rule TEXT NOT NULL, site TEXT, unit TEXT, subject TEXT,
        reason TEXT NOT NULL, detail TEXT NOT NULL,
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
    );
    CREATE INDEX unverified_run ON unverified(run_id);
    CREATE TABLE exemptions (
        id INTEGER PRIMARY KEY,
        rule TEXT NOT NULL, subject TEXT NOT NULL, reason TEXT NOT NULL,
        until TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
        removed_by TEXT, removed_at TEXT
    );
    """,
    # The typed verdicts a link check needs for NXDOMAIN and refused connections (LinkCheck):
    # the resolver's verdict, a refused connection, and whether our side was healthy then.
    """
    ALTER TABLE link_checks ADD COLUMN dns TEXT;
    ALTER TABLE link_checks ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE link_checks ADD COLUMN healthy INTEGER;
    """,
    # Appeals (申诉中): open until the defect is gone or an admin closes them.
    """
    CREATE TABLE appeals (
        id INTEGER PRIMARY KEY,
        rule TEXT NOT NULL, subject TEXT NOT NULL, reason TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at TEXT NOT NULL,
        outcome TEXT,                            -- NULL while open | resolved | rejected | accepted
        closed_by TEXT, closed_at TEXT, note TEXT
    );
    CREATE INDEX appeals_open ON appeals(rule, subject) WHERE outcome IS NULL;
    """,
]


# The table groups beside the core tables keep their own migrations, each in its own
# module of this package as MIGRATIONS = [sql, ...]; their versions live in the
# schema_versions table under the name each had when it first shipped (stores in the
# field carry those names: never rename one).
def component_schemas() -> tuple[tuple[str, Any], ...]:
    from zwgk.store import content, crawl, media, outbox, probes, schedule

    return (
        ("zwgk.probes.schema", probes),        # homepage availability and IPv6 probes, DNS
        ("zwgk.media.schema", media),          # 政务新媒体 account observations
        ("reports.outbox_schema", outbox),     # 整改通知 outbox and sending log
        ("zwgk.schedule_schema", schedule),    # scheduler lock and job history
        ("crawler.schema", crawl),             # list-page cache for incremental and resumed crawls
        ("zwgk.content.schema", content),      # personal data (masked), hidden links, phrases, attachments
    )




def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _day(value: str) -> date:
    """A NOT NULL date column."""
    return date.fromisoformat(value)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Run:
    id: int
    kind: str
    as_of: date
    started_at: datetime
    ended_at: datetime | None
    status: str
    crawl_run_id: int | None
    summary: dict[str, Any]


class StoreError(RuntimeError):
    """The database cannot be used (corrupt, read-only, newer schema, disk full): one line
    naming the file and what to do.  The CLI exits with STORE_EXIT_CODE."""


# Exit code of every zwgk command on a storage fault (documented in the README).
STORE_EXIT_CODE = 4


def storage_fault(path: Path | str, exc: BaseException) -> StoreError:
    """A StoreError saying what an sqlite3/OS error means for this file."""
    text = str(exc)
    low = text.lower()
    if "disk is full" in low or "no space" in low or getattr(exc, "errno", None) == 28:
        what = "the disk is full; free space on its file system, then run the command again"
    elif "readonly" in low or "read-only" in low or "permission denied" in low:
        what = "the file (or its folder) is read-only for this user; fix its permissions"
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        what = ("the file is not a readable zwgk database (corrupt); restore it from a backup or "
                "move it away to start a new one")
    elif "newer than this zwgk" in low:
        return StoreError(text)
    elif "unable to open" in low:
        what = "the file cannot be opened; check that its folder exists and is writable"
    elif "locked" in low:
        what = "another process holds the database; try again when it is done"
    else:
        what = "database error"
    return StoreError(f"{path}: {what} ({type(exc).__name__}: {text})")


class Store:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A generous busy timeout: the crawler child process and the CLI may
            # both hold the file for a moment.
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except (sqlite3.Error, OSError) as exc:
            raise storage_fault(self.path, exc) from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path}: database schema {version} is newer than this zwgk "
                             f"({len(MIGRATIONS)}); upgrade zwgk or use the database with the newer version")
        for i in range(version, len(MIGRATIONS)):
            with self.transaction() as db:
                for statement in _statements(MIGRATIONS[i]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={i + 1}")
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_versions "
                        "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        for name, migrations in component_migrations():
            row = self.db.execute("SELECT version FROM schema_versions WHERE component=?", (name,)).fetchone()
            done = row[0] if row else 0
            if done > len(migrations):
                raise StoreError(f"{self.path}: schema of {name} ({done}) is newer than this zwgk; upgrade zwgk")
            for i in range(done, len(migrations)):
                with self.transaction() as db:
                    for statement in _statements(migrations[i]):
                        db.execute(statement)
                    db.execute("INSERT OR REPLACE INTO schema_versions VALUES (?,?)", (name, i + 1))

    # -- runs ------------------------------------------------------------------
    def start_run(self, kind: str, as_of: date, crawl_run_id: int | None = None,
                  pid: int | None = None) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO runs(kind, as_of, started_at, status, pid, crawl_run_id) VALUES (?,?,?,?,?,?)",
                (kind, as_of.isoformat(), utcnow().isoformat(), "running", pid or os.getpid(), crawl_run_id))
            assert cur.lastrowid is not None
            return cur.lastrowid

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any] | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET status=?, ended_at=?, summary=? WHERE id=?",
                       (status, utcnow().isoformat(), json.dumps(summary or {}, ensure_ascii=False), run_id))

    def mark_abandoned_runs(self) -> list[int]:
        """Runs left 'running' by a process that no longer exists become 'incomplete'."""
        abandoned = []
        for row in self.db.execute("SELECT id, pid FROM runs WHERE status='running'").fetchall():
            if not pid_alive(row["pid"]):
                abandoned.append(row["id"])
        for run_id in abandoned:
            self.finish_run(run_id, "incomplete", {"error": "the process running it ended before it finished"})
        return abandoned

    def run(self, run_id: int) -> Run | None:
        row = self.db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        return _run(row) if row else None

    def latest_run(self, kind: str, status: str | None = "complete", before: int | None = None,
                   after: int | None = None) -> Run | None:
        """The newest run of ``kind`` with ``status`` (None: whatever its status), optionally
        before or after a run id."""
        sql = "SELECT * FROM runs WHERE kind=?"
        args: list[Any] = [kind]
        if status is not None:
            sql += " AND status=?"
            args.append(status)
        if before is not None:
            sql += " AND id<?"
            args.append(before)
        if after is not None:
            sql += " AND id>?"
            args.append(after)
        row = self.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return _run(row) if row else None

    def resume_run(self, run_id: int, pid: int) -> None:
        """A killed or interrupted run goes on: running again, under this process."""
        with self.transaction() as db:
            db.execute("UPDATE runs SET status='running', ended_at=NULL, pid=? WHERE id=?", (pid, run_id))

    def runs(self, limit: int = 20) -> list[Run]:
        return [_run(r) for r in self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))]

    def run_ids(self, kind: str, status: str = "complete", since: date | None = None,
                until: date | None = None) -> list[int]:
        """Ids of the runs of ``kind`` and ``status`` whose as_of lies in [since, until], oldest first."""
        sql, args = "SELECT id FROM runs WHERE kind=? AND status=?", [kind, status]
        if since is not None:
            sql += " AND as_of>=?"
            args.append(since.isoformat())
        if until is not None:
            sql += " AND as_of<=?"
            args.append(until.isoformat())
        return [r[0] for r in self.db.execute(sql + " ORDER BY id", args)]

    # -- observations ------------------------------------------------------------
    def add_pages(self, pages: Iterable[PageObs]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(p.run_id, p.site_id, p.url, p.kind, p.column_url, p.status, p.encoding,
                  int(p.charset_mismatch), p.title, p.column_name, p.column_type, p.item_count,
                  int(p.empty_marker), p.referrer, p.depth, _iso(p.fetched_at), p.replacement_chars,
                  p.site_id_code, p.footer_text, json.dumps(list(p.badge_links))) for p in pages])

    def add_list_items(self, items: Iterable[ListItemObs]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO list_items VALUES (?,?,?,?,?,?,?)",
                [(i.run_id, i.column_url, i.page_url, i.url, i.title, _iso(i.item_date), i.item_date_raw)
                 for i in items])

    def pages(self, run_id: int) -> list[PageObs]:
        return [PageObs(r["run_id"], r["site_id"], r["url"], r["kind"], r["column_url"], r["status"],
                        r["encoding"], bool(r["charset_mismatch"]), r["title"], r["column_name"],
                        r["column_type"], r["item_count"], bool(r["empty_marker"]), r["referrer"],
                        r["depth"], datetime.fromisoformat(r["fetched_at"]), r["replacement_chars"],
                        r["site_id_code"], r["footer_text"], tuple(json.loads(r["badge_links"])))
                for r in self.db.execute("SELECT * FROM pages WHERE run_id=? ORDER BY url", (run_id,))]

    def list_items(self, run_id: int) -> list[ListItemObs]:
        return [ListItemObs(r["run_id"], r["column_url"], r["page_url"], r["url"], r["title"],
                            _d(r["item_date"]), r["item_date_raw"])
                for r in self.db.execute("SELECT * FROM list_items WHERE run_id=? ORDER BY column_url, url",
                                         (run_id,))]

    def counts(self, run_id: int, tables: tuple[str, ...]) -> dict[str, int]:
        """Rows of one run in each of ``tables`` (a summary should not load 10,000 records to count them)."""
        allowed = {"pages", "list_items", "columns", "documents", "links", "link_checks", "findings"}
        return {t: self.db.execute(f"SELECT count(*) FROM {t} WHERE run_id=?", (run_id,)).fetchone()[0]
                for t in tables if t in allowed}

    def pages_per_site(self, run_id: int) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT site_id, count(*) FROM pages WHERE run_id=? GROUP BY site_id", (run_id,))}

    def column_urls(self, run_id: int) -> list[tuple[str, str]]:
        """(site_id, url) of every column of a run."""
        return [(r[0], r[1]) for r in self.db.execute("SELECT site_id, url FROM columns WHERE run_id=?", (run_id,))]

    def checked_urls(self, run_id: int) -> set[str]:
        """The URLs a run has link-checked so far (a resumed crawl does not check them again)."""
        return {r[0] for r in self.db.execute("SELECT DISTINCT url FROM link_checks WHERE run_id=?", (run_id,))}

    def latest_link_outcomes(self, run_id: int, since: datetime) -> dict[str, tuple[str, datetime]]:
        """Each URL's latest check since ``since`` in complete runs or in ``run_id``: (outcome, when)."""
        rows = self.db.execute(
            "SELECT c.url, c.outcome, MAX(c.checked_at) AS at FROM link_checks c JOIN runs r ON r.id=c.run_id "
            "WHERE (r.status='complete' OR r.id=?) AND c.checked_at>=? GROUP BY c.url", (run_id, since.isoformat()))
        return {r["url"]: (r["outcome"], datetime.fromisoformat(r["at"])) for r in rows}

    def final_link_outcomes(self, run_id: int) -> dict[str, str]:
        """Each URL's last outcome in one run."""
        return {r["url"]: r["outcome"] for r in self.db.execute(
            "SELECT url, outcome FROM link_checks WHERE run_id=? ORDER BY checked_at", (run_id,))}

    def build_columns(self, run_id: int) -> int:
        """Sum a finished crawl's list pages up into one ColumnObs per column.

        The parent of a column is the nearest other column whose URL folder
        contains it (breadcrumbs and referrers are less reliable than paths on
        the CMS families we know).
        """
        pages = [p for p in self.pages(run_id) if p.kind == "column" and p.column_url]
        items: dict[str, list[ListItemObs]] = {}
        for item in self.list_items(run_id):
            items.setdefault(item.column_url, []).append(item)
        by_column: dict[str, list[PageObs]] = {}
        for p in pages:
            by_column.setdefault(p.column_url, []).append(p)  # type: ignore[arg-type]
        folders = {url: _folder(url) for url in by_column}
        cols = []
        for url, plist in by_column.items():
            first = next((p for p in plist if p.url == url), plist[0])
            parent = max((other for other in by_column
                          if other != url and folders[url].startswith(folders[other])
                          and folders[url] != folders[other]),
                         key=lambda other: len(folders[other]), default=None)
            dates = [i.item_date for i in items.get(url, []) if i.item_date]
            cols.append(ColumnObs(
                run_id, first.site_id, url, first.column_name, parent, first.column_type,
                len(items.get(url, [])), max(dates, default=None), min(dates, default=None),
                len(plist), any(p.empty_marker for p in plist), first.fetched_at))
        self.add_columns(cols)
        return len(cols)

    def add_columns(self, cols: Iterable[ColumnObs]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO columns VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [(c.run_id, c.site_id, c.url, c.name, c.parent_url, c.column_type, c.item_count,
                  _iso(c.newest_date), _iso(c.oldest_date), c.pages_seen, int(c.empty_marker),
                  _iso(c.observed_at)) for c in cols])

    def add_documents(self, docs: Iterable[DocumentObs]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(d.run_id, d.site_id, d.url, d.column_url, d.title, d.doc_no, d.index_no, d.publisher,
                  _iso(d.doc_date), d.doc_date_source, d.doc_date_raw, _iso(d.pub_date), d.pub_date_source,
                  d.pub_date_raw, _iso(d.list_date), int(d.has_metadata_table), _iso(d.observed_at))
                 for d in docs])

    def add_links(self, links: Iterable[LinkObs]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO links VALUES (?,?,?,?,?,?,?)",
                [(l.run_id, l.site_id, l.source_url, l.target_url, l.element, l.text, int(l.internal))
                 for l in links])

    def add_link_checks(self, checks: Iterable[LinkCheck]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO link_checks(run_id, url, outcome, status, detail, checked_at, dns, refused, healthy) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                [(c.run_id, c.url, c.outcome.value, c.status, c.detail, _iso(c.checked_at),
                  c.dns.value if c.dns else None, int(c.refused), None if c.healthy is None else int(c.healthy))
                 for c in checks])

    def columns(self, run_id: int) -> list[ColumnObs]:
        return [ColumnObs(r["run_id"], r["site_id"], r["url"], r["name"], r["parent_url"], r["column_type"],
                          r["item_count"], _d(r["newest_date"]), _d(r["oldest_date"]), r["pages_seen"],
                          bool(r["empty_marker"]), datetime.fromisoformat(r["observed_at"]))
                for r in self.db.execute("SELECT * FROM columns WHERE run_id=? ORDER BY url", (run_id,))]

    def documents(self, run_id: int) -> list[DocumentObs]:
        return [DocumentObs(r["run_id"], r["site_id"], r["url"], r["column_url"], r["title"], r["doc_no"],
                            r["index_no"], r["publisher"], _d(r["doc_date"]), r["doc_date_source"],
                            r["doc_date_raw"], _d(r["pub_date"]), r["pub_date_source"], r["pub_date_raw"],
                            _d(r["list_date"]), bool(r["has_metadata_table"]),
                            datetime.fromisoformat(r["observed_at"]))
                for r in self.db.execute("SELECT * FROM documents WHERE run_id=? ORDER BY url", (run_id,))]

    def links(self, run_id: int) -> list[LinkObs]:
        return [LinkObs(r["run_id"], r["site_id"], r["source_url"], r["target_url"], r["element"], r["text"],
                        bool(r["internal"]))
                for r in self.db.execute("SELECT * FROM links WHERE run_id=? ORDER BY source_url, target_url",
                                         (run_id,))]

    def link_checks(self, up_to_run: int | None = None, linked_in: int | None = None) -> list[LinkCheck]:
        """Link checks of complete (or the given) runs, oldest first: the history confirmation needs.

        ``linked_in``: only URLs that run links to.  The history grows with every nightly
        crawl; the checks need the targets of one crawl, so the rest stays in the database.
        """
        sql = ("SELECT c.* FROM link_checks c JOIN runs r ON r.id=c.run_id "
               "WHERE (r.status='complete' OR r.id=?)")
        args: list[Any] = [up_to_run or -1]
        if up_to_run is not None:
            sql += " AND r.id<=?"
            args.append(up_to_run)
        if linked_in is not None:
            sql += " AND c.url IN (SELECT target_url FROM links WHERE run_id=?)"
            args.append(linked_in)
        return [LinkCheck(r["run_id"], r["url"], LinkOutcome(r["outcome"]), r["status"], r["detail"],
                          datetime.fromisoformat(r["checked_at"]),
                          dns=ResolveStatus(r["dns"]) if r["dns"] else None, refused=bool(r["refused"]),
                          healthy=None if r["healthy"] is None else bool(r["healthy"]))
                for r in self.db.execute(sql + " ORDER BY c.checked_at", args)]

    # -- findings ------------------------------------------------------------------
    def add_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(run_id, f.rule, f.severity.value, f.site, f.unit, f.column, f.url, f.message,
                  json.dumps(f.evidence, ensure_ascii=False, default=str), _iso(f.as_of)) for f in findings])

    def findings(self, run_id: int) -> list[Finding]:
        return [Finding(r["rule"], Severity(r["severity"]), r["site"], r["unit"], r["column_url"], r["url"],
                        r["message"], json.loads(r["evidence"]), _d(r["as_of"]))
                for r in self.db.execute("SELECT * FROM findings WHERE run_id=? ORDER BY rowid", (run_id,))]


    def check_trend(self, up_to: int) -> list[tuple[int, date, int]]:
        """(run id, as_of, findings) of every complete check run up to ``up_to``, oldest first."""
        return [(r[0], date.fromisoformat(r[1]), r[2]) for r in self.db.execute(
            "SELECT r.id, r.as_of, (SELECT count(*) FROM findings f WHERE f.run_id=r.id) FROM runs r "
            "WHERE r.kind='check' AND r.status='complete' AND r.id<=? ORDER BY r.id", (up_to,))]

    def check_number(self, run_id: int) -> int:
        """The ordinal of a check run among check runs (第 N 次检查): crawls share the run ids."""
        return self.run_number("check", run_id)

    def run_number(self, kind: str, run_id: int) -> int:
        """The ordinal of a run among the runs of its kind (第 N 次采集 / 第 N 次检查)."""
        return int(self.db.execute("SELECT count(*) FROM runs WHERE kind=? AND id<=?",
                                   (kind, run_id)).fetchone()[0])

    # -- finding states ----------------------------------------------------------
    def finding_states(self, open_only: bool = False) -> list["TrackedState"]:
        sql = "SELECT * FROM finding_states"
        if open_only:
            sql += " WHERE state IN ('new','still_open','exempt','appeal')"
        return [_state(r) for r in self.db.execute(sql + " ORDER BY rule, site, subject")]

    def save_states(self, run_id: int, states: Iterable["TrackedState"]) -> None:
        """The states after check run ``run_id``: the current table and this run's snapshot."""
        with self.transaction() as db:
            for t in states:
                db.execute("INSERT OR REPLACE INTO finding_states VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           (t.rule, t.site, t.subject, t.finding.unit, t.state.value, _iso(t.first_seen),
                            _iso(t.last_seen), _iso(t.deadline), _iso(t.notified_at), t.notices,
                            _iso(t.resolved_on), run_id, _finding_json(t.finding)))
                db.execute("INSERT OR REPLACE INTO finding_run_states VALUES (?,?,?,?,?,?,?,?)",
                           (run_id, t.rule, t.site, t.subject, t.state.value, _iso(t.first_seen),
                            int(t.unverifiable), _finding_json(t.finding)))

    def run_states(self, run_id: int) -> list["TrackedState"]:
        """The tracked findings as check run ``run_id`` left them (deadlines from the current table)."""
        rows = self.db.execute(
            "SELECT s.run_id, s.rule, s.site, s.subject, s.state, s.first_seen, s.unverifiable, s.finding, "
            "c.deadline, c.notified_at, c.notices, c.resolved_on, c.last_seen, c.first_seen AS cur_first "
            "FROM finding_run_states s LEFT JOIN finding_states c "
            "ON c.rule=s.rule AND c.site=s.site AND c.subject=s.subject WHERE s.run_id=? ORDER BY s.rowid",
            (run_id,)).fetchall()
        out = []
        for r in rows:
            same_streak = r["cur_first"] == r["first_seen"]
            out.append(TrackedState(
                _finding(json.loads(r["finding"])), FindingState(r["state"]), _day(r["first_seen"]),
                _day(r["last_seen"]) if same_streak else _day(r["first_seen"]),
                _d(r["deadline"]) if same_streak else None,
                _dt(r["notified_at"]) if same_streak else None, r["notices"] if same_streak else 0,
                _d(r["resolved_on"]) if r["state"] == "resolved" else None, bool(r["unverifiable"])))
        return out

    def set_deadline(self, key: tuple[str, str, str], deadline: date, notified_at: datetime) -> date:
        """Set a finding's 整改期限 if it has none yet; return the one that holds."""
        with self.transaction() as db:
            db.execute("UPDATE finding_states SET deadline=COALESCE(deadline, ?), "
                       "notified_at=COALESCE(notified_at, ?), notices=notices+1 "
                       "WHERE rule=? AND site=? AND subject=?", (_iso(deadline), _iso(notified_at), *key))
            row = db.execute("SELECT deadline FROM finding_states WHERE rule=? AND site=? AND subject=?",
                             key).fetchone()
        return _day(row[0]) if row and row[0] else deadline

    # -- unverified ----------------------------------------------------------------
    def add_unverified(self, run_id: int, as_of: date, items: Iterable[Unverified]) -> list[Unverified]:
        """Store what check run ``run_id`` could not verify; first seen follows the streak of the
        check run before it."""
        prev = self.db.execute("SELECT id FROM runs WHERE kind='check' AND status='complete' AND id<? "
                               "ORDER BY id DESC LIMIT 1", (run_id,)).fetchone()
        earlier: dict[tuple[str, str, str], str] = {}
        if prev:
            for r in self.db.execute("SELECT rule, site, subject, first_seen FROM unverified WHERE run_id=?",
                                     (prev[0],)):
                earlier[(r["rule"], r["site"] or "", r["subject"] or "")] = r["first_seen"]
        out = []
        for u in items:
            first = _d(earlier.get(u.key())) or as_of
            out.append(Unverified(u.rule, u.site, u.unit, u.subject, u.reason, u.detail, first, as_of))
        with self.transaction() as db:
            db.executemany("INSERT INTO unverified VALUES (?,?,?,?,?,?,?,?,?)",
                           [(run_id, u.rule, u.site, u.unit, u.subject, u.reason, u.detail,
                             _iso(u.first_seen), _iso(u.last_seen)) for u in out])
        return out

    def unverified(self, run_id: int) -> list[Unverified]:
        return [Unverified(r["rule"], r["site"], r["unit"], r["subject"], r["reason"], r["detail"],
                           _d(r["first_seen"]), _d(r["last_seen"]))
                for r in self.db.execute("SELECT * FROM unverified WHERE run_id=? ORDER BY rowid", (run_id,))]

    # -- exemptions ------------------------------------------------------------------
    def add_exemption(self, e: Exemption) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO exemptions(rule, subject, reason, until, created_by, created_at) "
                             "VALUES (?,?,?,?,?,?)", (e.rule, e.subject, e.reason, _iso(e.until), e.created_by,
                                                     _iso(e.created_at)))
            return int(cur.lastrowid or 0)

    def remove_exemption(self, rule: str, subject: str, by: str, at: datetime) -> int:
        with self.transaction() as db:
            return db.execute("UPDATE exemptions SET removed_by=?, removed_at=? WHERE rule=? AND subject=? "
                              "AND removed_at IS NULL", (by, _iso(at), rule, subject)).rowcount

    def exemptions(self) -> list[Exemption]:
        return [Exemption(r["rule"], r["subject"], r["reason"], r["created_by"],
                          datetime.fromisoformat(r["created_at"]), _d(r["until"]))
                for r in self.db.execute("SELECT * FROM exemptions WHERE removed_at IS NULL ORDER BY id")]


    # -- appeals (申诉) ---------------------------------------------------------------
    def add_appeal(self, a: Appeal) -> int:
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM appeals WHERE rule=? AND subject=? AND outcome IS NULL",
                          (a.rule, a.subject)).fetchone():
                return 0
            cur = db.execute("INSERT INTO appeals(rule, subject, reason, created_by, created_at) VALUES (?,?,?,?,?)",
                             (a.rule, a.subject, a.reason, a.created_by, _iso(a.created_at)))
            return int(cur.lastrowid or 0)

    def close_appeal(self, rule: str, subject: str, outcome: str, by: str, at: datetime,
                     note: str | None = None) -> int:
        with self.transaction() as db:
            return db.execute("UPDATE appeals SET outcome=?, closed_by=?, closed_at=?, note=? "
                              "WHERE rule=? AND subject=? AND outcome IS NULL",
                              (outcome, by, _iso(at), note, rule, subject)).rowcount

    def appeals(self, open_only: bool = True) -> list[Appeal]:
        sql = "SELECT * FROM appeals" + (" WHERE outcome IS NULL" if open_only else "") + " ORDER BY id"
        return [Appeal(r["rule"], r["subject"], r["reason"], r["created_by"], datetime.fromisoformat(r["created_at"]),
                       r["outcome"], r["closed_by"], _dt(r["closed_at"]), r["note"]) for r in self.db.execute(sql)]


@dataclass(frozen=True)
class TrackedState:
    """One finding's state across check runs, as the store keeps it."""

    finding: Finding
    state: FindingState
    first_seen: date
    last_seen: date               # the last check that saw the defect
    deadline: date | None = None  # 整改期限: set at the first notice, never moved
    notified_at: datetime | None = None
    notices: int = 0
    resolved_on: date | None = None
    unverifiable: bool = False    # 本次无法核验: the subject could not be observed conclusively

    def days_open(self, as_of: date) -> int:
        return max((as_of - self.first_seen).days, 0)

    @property
    def rule(self) -> str:
        return self.finding.key()[0]

    @property
    def site(self) -> str:
        return self.finding.key()[1]

    @property
    def subject(self) -> str:
        return self.finding.key()[2]


def _finding_json(f: Finding) -> str:
    return json.dumps(f.to_json(), ensure_ascii=False, default=str)


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(d["rule"], Severity(d["severity"]), d["site"], d.get("unit"), d.get("column"), d.get("url"),
                   d["message"], d.get("evidence") or {}, _d(d.get("as_of")))


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _state(r: sqlite3.Row) -> TrackedState:
    return TrackedState(_finding(json.loads(r["finding"])), FindingState(r["state"]), _day(r["first_seen"]),
                        _day(r["last_seen"]), _d(r["deadline"]), _dt(r["notified_at"]), r["notices"],
                        _d(r["resolved_on"]))


def component_migrations() -> list[tuple[str, list[str]]]:
    return [(name, list(module.MIGRATIONS)) for name, module in component_schemas()]


def _statements(script: str) -> list[str]:
    out, buf = [], []
    for line in script.splitlines():
        line = line.split("--", 1)[0]
        buf.append(line)
        if line.rstrip().endswith(";"):
            stmt = "\n".join(buf).strip()
            if stmt.strip(";").strip():
                out.append(stmt)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        out.append(rest)
    return out


def _folder(url: str) -> str:
    """The folder of a URL: 'http://h/a/b/index.html' -> 'http://h/a/b/'."""
    return url if url.endswith("/") else url.rsplit("/", 1)[0] + "/"


def _run(row: sqlite3.Row) -> Run:
    return Run(row["id"], row["kind"], date.fromisoformat(row["as_of"]),
               datetime.fromisoformat(row["started_at"]),
               datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None,
               row["status"], row["crawl_run_id"], json.loads(row["summary"]) if row["summary"] else {})


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
