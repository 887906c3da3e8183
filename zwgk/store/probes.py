"""The probes' tables (MIGRATIONS, applied by zwgk.store) and reading and writing them."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Iterable

from zwgk.resolve import ResolveStatus
from zwgk.records.probes import (DnsObs, Family, Ipv6LinkObs, ProbeObs, ProbeOutcome, ProbeRound)

MIGRATIONS: list[str] = [
    """
    CREATE TABLE probe_rounds (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        ipv6 INTEGER NOT NULL,
        hosts_total INTEGER NOT NULL,
        hosts_failed INTEGER NOT NULL,
        resolver_ok INTEGER NOT NULL,
        degraded INTEGER NOT NULL,
        reason TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX probe_rounds_time ON probe_rounds(started_at);
    CREATE TABLE probes (
        round_id INTEGER NOT NULL REFERENCES probe_rounds(id),
        site_id TEXT NOT NULL, url TEXT NOT NULL, family TEXT NOT NULL, address TEXT,
        outcome TEXT NOT NULL, status INTEGER, elapsed_s REAL NOT NULL,
        title TEXT, fingerprint TEXT, text TEXT, links TEXT NOT NULL,
        observed_at TEXT NOT NULL, detail TEXT
    );
    CREATE INDEX probes_round ON probes(round_id);
    CREATE TABLE probe_dns (
        round_id INTEGER NOT NULL REFERENCES probe_rounds(id),
        site_id TEXT NOT NULL, host TEXT NOT NULL, purpose TEXT NOT NULL,
        a TEXT NOT NULL, aaaa TEXT NOT NULL, ns TEXT NOT NULL,
        status TEXT NOT NULL, a_status TEXT NOT NULL, aaaa_status TEXT NOT NULL,
        observed_at TEXT NOT NULL, detail TEXT
    );
    CREATE INDEX probe_dns_round ON probe_dns(round_id);
    CREATE TABLE probe_ipv6_links (
        round_id INTEGER NOT NULL REFERENCES probe_rounds(id),
        site_id TEXT NOT NULL, level INTEGER NOT NULL, source_url TEXT NOT NULL, url TEXT NOT NULL,
        address TEXT, outcome TEXT NOT NULL, status INTEGER, observed_at TEXT NOT NULL
    );
    CREATE INDEX probe_ipv6_links_round ON probe_ipv6_links(round_id);
    """,
]


def _j(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def save_round(store: Any, rnd: ProbeRound, probes: Iterable[ProbeObs], dns: Iterable[DnsObs],
               links: Iterable[Ipv6LinkObs]) -> int:
    """Store one round and its observations; returns the round's id."""
    with store.transaction() as db:
        cur = db.execute(
            "INSERT INTO probe_rounds(started_at, ipv6, hosts_total, hosts_failed, resolver_ok, degraded, reason)"
            " VALUES (?,?,?,?,?,?,?)",
            (rnd.started_at.isoformat(), int(rnd.ipv6), rnd.hosts_total, rnd.hosts_failed,
             int(rnd.resolver_ok), int(rnd.degraded), rnd.reason))
        rid = int(cur.lastrowid)
        db.executemany(
            "INSERT INTO probes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(rid, p.site_id, p.url, p.family.value, p.address, p.outcome.value, p.status, p.elapsed_s,
              p.title, p.fingerprint, p.text, _j(p.links), p.observed_at.isoformat(), p.detail) for p in probes])
        db.executemany(
            "INSERT INTO probe_dns VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(rid, d.site_id, d.host, d.purpose, _j(d.a), _j(d.aaaa), _j(d.ns), d.status.value,
              d.a_status.value, d.aaaa_status.value, d.observed_at.isoformat(), d.detail) for d in dns])
        db.executemany(
            "INSERT INTO probe_ipv6_links VALUES (?,?,?,?,?,?,?,?,?)",
            [(rid, l.site_id, l.level, l.source_url, l.url, l.address, l.outcome.value, l.status,
              l.observed_at.isoformat()) for l in links])
    return rid


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def rounds(store: Any, since: datetime | None = None, until: datetime | None = None) -> list[ProbeRound]:
    sql, args = "SELECT * FROM probe_rounds WHERE 1=1", []
    if since is not None:
        sql += " AND started_at >= ?"
        args.append(since.isoformat())
    if until is not None:
        sql += " AND started_at <= ?"
        args.append(until.isoformat())
    return [ProbeRound(r["id"], _t(r["started_at"]), bool(r["ipv6"]), r["hosts_total"], r["hosts_failed"],
                       bool(r["resolver_ok"]), bool(r["degraded"]), r["reason"])
            for r in store.db.execute(sql + " ORDER BY started_at, id", args)]


def _in(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def probes(store: Any, round_ids: list[int]) -> list[ProbeObs]:
    return [ProbeObs(r["round_id"], r["site_id"], r["url"], Family(r["family"]), r["address"],
                     ProbeOutcome(r["outcome"]), r["status"], r["elapsed_s"], r["title"], r["fingerprint"],
                     r["text"], tuple(json.loads(r["links"])), _t(r["observed_at"]), r["detail"],
                     bool(r["round_degraded"]))
            for r in store.db.execute(f"SELECT t.*, r.degraded AS round_degraded FROM probes t JOIN probe_rounds r ON r.id = t.round_id WHERE round_id IN ({_in(round_ids)}) "
                                      "ORDER BY observed_at, round_id")]


def dns(store: Any, round_ids: list[int]) -> list[DnsObs]:
    return [DnsObs(r["round_id"], r["site_id"], r["host"], r["purpose"], tuple(json.loads(r["a"])),
                   tuple(json.loads(r["aaaa"])), tuple(json.loads(r["ns"])), ResolveStatus(r["status"]),
                   ResolveStatus(r["a_status"]), ResolveStatus(r["aaaa_status"]), _t(r["observed_at"]),
                   r["detail"], bool(r["round_degraded"]))
            for r in store.db.execute(f"SELECT t.*, r.degraded AS round_degraded FROM probe_dns t JOIN probe_rounds r ON r.id = t.round_id WHERE round_id IN ({_in(round_ids)}) "
                                      "ORDER BY observed_at, round_id")]


def ipv6_links(store: Any, round_ids: list[int]) -> list[Ipv6LinkObs]:
    return [Ipv6LinkObs(r["round_id"], r["site_id"], r["level"], r["source_url"], r["url"], r["address"],
                        ProbeOutcome(r["outcome"]), r["status"], _t(r["observed_at"]),
                        bool(r["round_degraded"]))
            for r in store.db.execute(f"SELECT t.*, r.degraded AS round_degraded FROM probe_ipv6_links t JOIN probe_rounds r ON r.id = t.round_id WHERE round_id IN ({_in(round_ids)}) "
                                      "ORDER BY observed_at, round_id")]


def load(store: Any, until: datetime, days: int) -> dict[str, tuple[Any, ...]]:
    """The probe records of the rolling window of ``days`` days before ``until``: every
    homepage probe (AVL001), and the DNS and IPv6 link observations (NET001-NET006)."""
    ids = [r.id for r in rounds(store, since=until - timedelta(days=days + 1), until=until)]
    return {"probes": tuple(probes(store, ids)), "dns": tuple(dns(store, ids)),
            "ipv6_links": tuple(ipv6_links(store, ids))}
