"""The content observations of a crawl: personal numbers (masked), hidden links, watched
phrases, the attachments read for their text (once per content hash), and what external
links' targets showed (LNK006, fetched at most weekly).

No column here holds a full personal number: PersonalDataObs carries only the masked form
(see zwgk.records.content).  ``attachment_scans.content_hash`` lets a later crawl reuse the
observations of an attachment whose bytes it has read before instead of reading it again.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from zwgk.records.content import (AttachmentOutcome, AttachmentScan, ExternalPageObs, HiddenLinkObs,
                                  HomepageTextObs, PersonalDataObs, PersonalKind, PhraseObs)

MIGRATIONS: list[str] = [
    """
    CREATE TABLE personal_data (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,               -- the page or the attachment
        kind TEXT NOT NULL,              -- id_card | mobile | bank_card
        masked TEXT NOT NULL,            -- never the full number
        position TEXT NOT NULL,
        in_attachment INTEGER NOT NULL,
        source_url TEXT,
        context TEXT NOT NULL,
        site_contact INTEGER NOT NULL,
        observed_at TEXT NOT NULL
    );
    CREATE INDEX personal_data_run ON personal_data(run_id, url);
    CREATE TABLE hidden_links (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        target_url TEXT NOT NULL,
        text TEXT, how TEXT NOT NULL,
        observed_at TEXT NOT NULL
    );
    CREATE INDEX hidden_links_run ON hidden_links(run_id, url);
    CREATE TABLE phrases (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        list_name TEXT NOT NULL, phrase TEXT NOT NULL, position TEXT NOT NULL, excerpt TEXT NOT NULL,
        observed_at TEXT NOT NULL
    );
    CREATE INDEX phrases_run ON phrases(run_id, url);
    CREATE TABLE attachment_scans (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        source_url TEXT,
        content_hash TEXT,               -- sha256 of the bytes: each attachment is read once
        file_type TEXT NOT NULL, size INTEGER,
        outcome TEXT NOT NULL, detail TEXT, seconds REAL NOT NULL,
        observed_at TEXT NOT NULL
    );
    CREATE INDEX attachment_scans_run ON attachment_scans(run_id, url);
    CREATE INDEX attachment_scans_hash ON attachment_scans(content_hash);
    """,
    """
    CREATE TABLE external_pages (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,               -- an external link's target
        status INTEGER,
        classes TEXT NOT NULL,           -- JSON list: gambling, pornography, advertising
        words TEXT NOT NULL,             -- JSON list
        title TEXT,
        observed_at TEXT NOT NULL
    );
    CREATE INDEX external_pages_run ON external_pages(run_id, url);
    CREATE INDEX external_pages_url ON external_pages(url, observed_at);
    """,
    """
    CREATE TABLE homepage_texts (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        text TEXT NOT NULL,              -- visible text, personal numbers masked
        classes TEXT NOT NULL,           -- JSON list of keyword classes
        words TEXT NOT NULL,
        observed_at TEXT NOT NULL
    );
    CREATE INDEX homepage_texts_site ON homepage_texts(site_id, run_id);
    """,
]


def add(store: Any, items: Iterable[Any]) -> None:
    """Store content observations of any of the four kinds."""
    rows: dict[type, list[tuple[Any, ...]]] = {}
    for o in items:
        row: tuple[Any, ...]
        if isinstance(o, PersonalDataObs):
            row = (o.run_id, o.site_id, o.url, o.kind.value, o.masked, o.position, int(o.in_attachment),
                   o.source_url, o.context, int(o.site_contact), o.observed_at.isoformat())
        elif isinstance(o, HiddenLinkObs):
            row = (o.run_id, o.site_id, o.url, o.target_url, o.text, o.how, o.observed_at.isoformat())
        elif isinstance(o, PhraseObs):
            row = (o.run_id, o.site_id, o.url, o.list_name, o.phrase, o.position, o.excerpt,
                   o.observed_at.isoformat())
        elif isinstance(o, AttachmentScan):
            row = (o.run_id, o.site_id, o.url, o.source_url, o.content_hash, o.file_type, o.size,
                   o.outcome.value, o.detail, o.seconds, o.observed_at.isoformat())
        elif isinstance(o, ExternalPageObs):
            row = (o.run_id, o.site_id, o.url, o.status, json.dumps(list(o.classes)),
                   json.dumps(list(o.words), ensure_ascii=False), o.title, o.observed_at.isoformat())
        elif isinstance(o, HomepageTextObs):
            row = (o.run_id, o.site_id, o.url, o.text, json.dumps(list(o.classes)),
                   json.dumps(list(o.words), ensure_ascii=False), o.observed_at.isoformat())
        else:
            raise TypeError(f"not a content observation: {type(o).__name__}")
        rows.setdefault(type(o), []).append(row)
    sql = {PersonalDataObs: "INSERT INTO personal_data VALUES (?,?,?,?,?,?,?,?,?,?,?)",
           HiddenLinkObs: "INSERT INTO hidden_links VALUES (?,?,?,?,?,?,?)",
           PhraseObs: "INSERT INTO phrases VALUES (?,?,?,?,?,?,?,?)",
           AttachmentScan: "INSERT INTO attachment_scans VALUES (?,?,?,?,?,?,?,?,?,?,?)",
           ExternalPageObs: "INSERT INTO external_pages VALUES (?,?,?,?,?,?,?,?)",
           HomepageTextObs: "INSERT INTO homepage_texts VALUES (?,?,?,?,?,?,?)"}
    with store.transaction() as db:
        for kind, batch in rows.items():
            db.executemany(sql[kind], batch)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def personal_data(store: Any, run_id: int) -> list[PersonalDataObs]:
    return [PersonalDataObs(r["run_id"], r["site_id"], r["url"], PersonalKind(r["kind"]), r["masked"],
                            r["position"], bool(r["in_attachment"]), r["source_url"], r["context"],
                            bool(r["site_contact"]), _at(r["observed_at"]))
            for r in store.db.execute("SELECT * FROM personal_data WHERE run_id=? ORDER BY rowid", (run_id,))]


def hidden_links(store: Any, run_id: int) -> list[HiddenLinkObs]:
    return [HiddenLinkObs(r["run_id"], r["site_id"], r["url"], r["target_url"], r["text"], r["how"],
                          _at(r["observed_at"]))
            for r in store.db.execute("SELECT * FROM hidden_links WHERE run_id=? ORDER BY rowid", (run_id,))]


def phrases(store: Any, run_id: int) -> list[PhraseObs]:
    return [PhraseObs(r["run_id"], r["site_id"], r["url"], r["list_name"], r["phrase"], r["position"],
                      r["excerpt"], _at(r["observed_at"]))
            for r in store.db.execute("SELECT * FROM phrases WHERE run_id=? ORDER BY rowid", (run_id,))]


def attachment_scans(store: Any, run_id: int) -> list[AttachmentScan]:
    return [_scan(r) for r in store.db.execute("SELECT * FROM attachment_scans WHERE run_id=? ORDER BY rowid",
                                               (run_id,))]


def _scan(r: Any) -> AttachmentScan:
    return AttachmentScan(r["run_id"], r["site_id"], r["url"], r["source_url"], r["content_hash"],
                          r["file_type"], r["size"], AttachmentOutcome(r["outcome"]), r["detail"],
                          r["seconds"], _at(r["observed_at"]))


def _external(r: Any) -> ExternalPageObs:
    return ExternalPageObs(r["run_id"], r["site_id"], r["url"], r["status"], tuple(json.loads(r["classes"])),
                           tuple(json.loads(r["words"])), r["title"], _at(r["observed_at"]))


def external_pages(store: Any, run_id: int) -> list[ExternalPageObs]:
    return [_external(r) for r in store.db.execute("SELECT * FROM external_pages WHERE run_id=? ORDER BY rowid",
                                                   (run_id,))]


def recent_external_pages(store: Any, since: datetime, run_id: int) -> dict[str, ExternalPageObs]:
    """URL -> the latest observation since ``since`` of each external target, in complete runs (or
    this one, resuming): a target is fetched again only when its observation is older (weekly)."""
    rows = store.db.execute(
        "SELECT e.* FROM external_pages e JOIN runs r ON r.id=e.run_id "
        "WHERE (r.status='complete' OR r.id=?) AND e.observed_at>=? AND e.status IS NOT NULL ORDER BY e.observed_at",
        (run_id, since.isoformat()))
    return {r["url"]: _external(r) for r in rows}


def _home(r: Any) -> HomepageTextObs:
    return HomepageTextObs(r["run_id"], r["site_id"], r["url"], r["text"], tuple(json.loads(r["classes"])),
                           tuple(json.loads(r["words"])), _at(r["observed_at"]))


def homepage_texts(store: Any, run_id: int) -> list[HomepageTextObs]:
    return [_home(r) for r in store.db.execute("SELECT * FROM homepage_texts WHERE run_id=? ORDER BY rowid",
                                               (run_id,))]


def homepage_baselines(store: Any, run_id: int) -> list[HomepageTextObs]:
    """Per site, the latest homepage text of an earlier complete crawl that carried no keyword
    class (the clean baseline SEC001 compares with; a tampered homepage never becomes one)."""
    rows = store.db.execute(
        "SELECT h.* FROM homepage_texts h JOIN runs r ON r.id=h.run_id "
        "WHERE r.status='complete' AND h.run_id<? AND h.classes='[]' ORDER BY h.run_id", (run_id,))
    return list({r["site_id"]: _home(r) for r in rows}.values())


def by_url(store: Any, run_id: int) -> dict[str, list[Any]]:
    """Every content observation of a run, per page or attachment URL (a crawl carries them
    forward with the pages it does not fetch again)."""
    out: dict[str, list[Any]] = {}
    found: list[Any] = [*personal_data(store, run_id), *hidden_links(store, run_id), *phrases(store, run_id),
              *attachment_scans(store, run_id)]
    for o in found:
        out.setdefault(o.url, []).append(o)
    return out


def read_hashes(store: Any) -> dict[str, tuple[int, str]]:
    """content hash -> (run, URL) of the latest complete read of those bytes, in a complete run."""
    rows = store.db.execute(
        "SELECT s.content_hash, s.run_id, s.url FROM attachment_scans s JOIN runs r ON r.id=s.run_id "
        "WHERE r.status='complete' AND s.outcome='READ' AND s.content_hash IS NOT NULL ORDER BY s.rowid")
    return {r["content_hash"]: (r["run_id"], r["url"]) for r in rows}


def observations_of(store: Any, run_id: int, url: str) -> list[Any]:
    """The personal-data observations stored for one attachment URL in one run (hash reuse)."""
    return [o for o in personal_data(store, run_id) if o.url == url]


def load(store: Any, run_id: int) -> dict[str, tuple[Any, ...]]:
    """The checks' view of one crawl's content observations (Observations fields)."""
    return {"personal_data": tuple(personal_data(store, run_id)),
            "hidden_links": tuple(hidden_links(store, run_id)),
            "phrases": tuple(phrases(store, run_id)),
            "attachment_scans": tuple(attachment_scans(store, run_id)),
            "external_pages": tuple(external_pages(store, run_id)),
            "homepage_texts": tuple(homepage_texts(store, run_id)),
            "homepage_baselines": tuple(homepage_baselines(store, run_id))}
