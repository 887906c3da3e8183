"""Tables of the 政务新媒体 component (applied by zwgk.store through COMPONENT_SCHEMAS)."""

MIGRATIONS = [
    """
    CREATE TABLE media_observations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        unit TEXT NOT NULL,
        platform TEXT NOT NULL,
        source TEXT NOT NULL,
        url TEXT NOT NULL,            -- the account's key: its source URL or manual:<name>
        outcome TEXT NOT NULL,        -- MediaOutcome
        newest_date TEXT,             -- YYYY-MM-DD, China time
        post_count INTEGER,
        observed_at TEXT NOT NULL,    -- UTC, ISO 8601 with microseconds (sorts as text)
        detail TEXT NOT NULL DEFAULT '',
        status INTEGER
    );
    CREATE INDEX media_observations_account ON media_observations(account, observed_at);
    """,
]
