"""Tables of the 整改通知 outbox (reports/notify.py): the queue and the sending log.

A notice is queued once per (unit, check run).  ``status`` is queued → claimed
→ sending (the SMTP transaction has started) → sent; a failed attempt goes back to queued with its error and attempt count.
A row left in ``sending`` means the process stopped between handing the
message to the server and recording it: it is not retried automatically (it
may have gone out), the log shows its Message-ID.
"""

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
