"""Tables of the 整改通知 outbox (reports/notify.py): the queue and the sending log.

A notice is queued once per (unit, check run).  ``status`` is queued → claimed
→ sending (the SMTP transaction has started) → sent; a failed attempt goes back to queued with its error and attempt count.
A row left in ``sending`` means the process stopped between handing the
message to the server and recording it: it is not retried automatically (it
may have gone out), the log shows its Message-ID.
"""
from __future__ import annotations

import json
from typing import Any

from zwgk.clock import utcnow
from zwgk.store import pid_alive

MIGRATIONS = [
    """
    CREATE TABLE notify_outbox (
        id INTEGER PRIMARY KEY,
        unit TEXT NOT NULL,
        check_run_id INTEGER NOT NULL REFERENCES runs(id),
        message_id TEXT NOT NULL UNIQUE,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL,          -- JSON list: To then Cc
        subject TEXT NOT NULL,
        message BLOB NOT NULL,             -- the whole RFC 5322 message, CRLF line ends
        findings INTEGER NOT NULL,
        status TEXT NOT NULL,              -- queued | sending | sent
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        queued_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (unit, check_run_id)
    );
    CREATE INDEX notify_outbox_status ON notify_outbox(status);
    CREATE TABLE notify_log (
        id INTEGER PRIMARY KEY,
        outbox_id INTEGER NOT NULL REFERENCES notify_outbox(id),
        message_id TEXT NOT NULL,
        event TEXT NOT NULL,               -- queued | attempt | sent | failed | requeued
        recipients TEXT,                   -- JSON list of addresses the server accepted (sent)
        detail TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX notify_log_outbox ON notify_log(outbox_id);
    """,
    # 'claimed' (by a live `zwgk notify`, pid in claimed_by) comes before 'sending': a notice
    # is 'sending' only once its SMTP transaction has started (MAIL FROM accepted); a claim
    # whose process died is queued again.
    """
    ALTER TABLE notify_outbox ADD COLUMN claimed_by INTEGER;
    """,
]


# -- the outbox's rows ---------------------------------------------------------------------------
class OutboxTable:
    """The outbox's rows and sending log (notify_outbox, notify_log): every write is one
    transaction that moves a notice from one state to the next and logs it."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.db = store.db

    def _log(self, db: Any, outbox_id: int, msgid: str, event: str, recipients: list[str] | None = None,
             detail: str | None = None) -> None:
        db.execute("INSERT INTO notify_log(outbox_id, message_id, event, recipients, detail, at) "
                   "VALUES (?,?,?,?,?,?)",
                   (outbox_id, msgid, event, json.dumps(recipients, ensure_ascii=False) if recipients else None,
                    detail, utcnow().isoformat()))

    def add(self, unit: str, check_run_id: int, message_id: str, sender: str, recipients: list[str],
            subject: str, message: bytes, findings: int) -> bool:
        """Queue a notice unless this (unit, run) already has one; True when newly queued."""
        with self.store.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO notify_outbox(unit, check_run_id, message_id, sender, recipients, "
                "subject, message, findings, status, attempts, queued_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (unit, check_run_id, message_id, sender, json.dumps(recipients), subject, message, findings,
                 "queued", 0, utcnow().isoformat()))
            if cur.rowcount == 0:
                return False
            self._log(db, int(cur.lastrowid or 0), message_id, "queued", recipients)
        return True

    def supersede_older(self, check_run_id: int) -> int:
        """Notices of older check runs still waiting are out of date: the newer run is what counts."""
        with self.store.transaction() as db:
            rows = db.execute("SELECT id, message_id FROM notify_outbox WHERE check_run_id<? AND status='queued'",
                              (check_run_id,)).fetchall()
            for row in rows:
                db.execute("UPDATE notify_outbox SET status='superseded' WHERE id=?", (row["id"],))
                self._log(db, row["id"], row["message_id"], "superseded",
                          detail=f"check run {check_run_id} is newer")
        return len(rows)

    def rows(self, status: str | None = None) -> list[Any]:
        sql = "SELECT * FROM notify_outbox" + (" WHERE status=?" if status else "") + " ORDER BY id"
        return self.db.execute(sql, (status,) if status else ()).fetchall()

    def log(self) -> list[Any]:
        return self.db.execute("SELECT * FROM notify_log ORDER BY id").fetchall()

    def requeue_uncertain(self) -> int:
        with self.store.transaction() as db:
            rows = db.execute("SELECT id, message_id FROM notify_outbox WHERE status='sending'").fetchall()
            for row in rows:
                db.execute("UPDATE notify_outbox SET status='queued' WHERE id=?", (row["id"],))
                self._log(db, row["id"], row["message_id"], "requeued", detail="--requeue-uncertain")
        return len(rows)

    def release_dead_claims(self) -> int:
        """Notices claimed by a `zwgk notify` that died before their SMTP transaction began:
        nothing was sent, so they are queued again."""
        with self.store.transaction() as db:
            rows = db.execute("SELECT id, message_id, claimed_by FROM notify_outbox WHERE status='claimed'").fetchall()
            dead = [r for r in rows if not pid_alive(r["claimed_by"])]
            for row in dead:
                db.execute("UPDATE notify_outbox SET status='queued', claimed_by=NULL WHERE id=?", (row["id"],))
                self._log(db, row["id"], row["message_id"], "requeued", detail="claim of a process that ended "
                          "before its SMTP transaction began")
        return len(dead)

    def fail(self, row: Any, error: str, claimed: bool) -> None:
        with self.store.transaction() as db:
            if claimed:
                db.execute("UPDATE notify_outbox SET status='queued', last_error=? WHERE id=?", (error, row["id"]))
            else:
                db.execute("UPDATE notify_outbox SET attempts=attempts+1, last_error=? WHERE id=? "
                           "AND status='queued'", (error, row["id"]))
            self._log(db, row["id"], row["message_id"], "failed", detail=error)

    def claim(self, row: Any, pid: int) -> bool:
        """Take a queued notice for this process; False when another `zwgk notify` has it."""
        with self.store.transaction() as db:
            return bool(db.execute("UPDATE notify_outbox SET status='claimed', claimed_by=?, "
                                   "attempts=attempts+1 WHERE id=? AND status='queued'",
                                   (pid, row["id"])).rowcount)

    def mark_sending(self, row: Any) -> None:
        """MAIL FROM accepted: from here on the server may take the message."""
        with self.store.transaction() as db:
            db.execute("UPDATE notify_outbox SET status='sending' WHERE id=?", (row["id"],))
            self._log(db, row["id"], row["message_id"], "attempt", json.loads(row["recipients"]))

    def mark_uncertain(self, row: Any, error: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE notify_outbox SET last_error=? WHERE id=?", (error, row["id"]))
            self._log(db, row["id"], row["message_id"], "uncertain", detail=error)

    def mark_sent(self, row: Any, accepted: list[str], detail: str | None) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE notify_outbox SET status='sent', sent_at=?, last_error=? WHERE id=?",
                       (utcnow().isoformat(), detail, row["id"]))
            self._log(db, row["id"], row["message_id"], "sent", accepted, detail)
