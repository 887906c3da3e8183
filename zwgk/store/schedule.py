"""Tables of the scheduler: APScheduler's job store, the scheduler lock, job history.

schedule_jobstore has the layout of APScheduler 3's SQLAlchemyJobStore table
(id, next_run_time as a UTC timestamp, pickled job state), written by
scheduler.SQLiteJobStore with the standard library's sqlite3.
schedule_history has one row per job slot: UNIQUE(job_id, slot) is the
persisted last-run mark that keeps a slot from running twice across restarts.
"""

MIGRATIONS = [
    """
    CREATE TABLE schedule_jobstore (
        id TEXT PRIMARY KEY,
        next_run_time REAL,
        job_state BLOB NOT NULL
    );
    CREATE INDEX schedule_jobstore_next ON schedule_jobstore(next_run_time);

    CREATE TABLE schedule_lock (
        name TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        started_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL
    );

    CREATE TABLE schedule_jobs (
        job_id TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        commands TEXT NOT NULL,
        state TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    );

    CREATE TABLE schedule_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL,
        slot TEXT NOT NULL,
        scheduler_pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        child_pid INTEGER,
        command TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,
        exit_code INTEGER,
        summary TEXT,
        stderr_tail TEXT,
        UNIQUE (job_id, slot)
    );
    CREATE INDEX schedule_history_job ON schedule_history(job_id, started_at);
    """,
]
