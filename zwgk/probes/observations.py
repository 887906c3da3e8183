"""Loading the probes' records for the checks (pipeline.OBSERVATION_LOADERS), and the helpers
the AVL/NET checks share to read them.

``load`` returns the rounds of the rolling window before the end of ``as_of``: every
homepage probe (AVL001), and the DNS and IPv6 link observations (NET001-NET006).  Records
of a degraded round carry ``degraded=True``; the checks leave them out.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from zwgk.probes import schema
from zwgk.probes.records import DnsObs, Family, Ipv6LinkObs, ProbeObs

WINDOW_DAYS = 7


def end_of(as_of: date) -> datetime:
    """The end of the ``as_of`` day (UTC): nothing observed later is judged."""
    return datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=timezone.utc)


def utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def load(store: Any, config: Any, as_of: date) -> dict[str, tuple[Any, ...]]:
    from checks import REGISTRY

    days = WINDOW_DAYS
    if "AVL001" in REGISTRY:
        days = max(days, int(config.rule_conf("AVL001", REGISTRY["AVL001"].DEFAULTS)["window_days"]))
    until = end_of(as_of)
    rounds = schema.rounds(store, since=until - timedelta(days=days + 1), until=until)
    ids = [r.id for r in rounds]
    return {"probes": tuple(schema.probes(store, ids)), "dns": tuple(schema.dns(store, ids)),
            "ipv6_links": tuple(schema.ipv6_links(store, ids))}


# -- shared by the NET checks -------------------------------------------------------------------
def latest_ipv6_round(records: Iterable[Any], as_of: date) -> int | None:
    """The id of the latest IPv6 round (one with a v6 homepage probe) up to the end of ``as_of``."""
    end = end_of(as_of)
    ids = [p.round_id for p in records
           if isinstance(p, ProbeObs) and p.family is Family.V6 and utc(p.observed_at) <= end]
    return max(ids, default=None)


def of_round(records: Iterable[Any], round_id: int | None, site_id: str) -> list[Any]:
    return [r for r in records if r.round_id == round_id and r.site_id == site_id]


def site_dns(records: Iterable[DnsObs], round_id: int | None, site_id: str) -> DnsObs | None:
    return next((d for d in of_round(records, round_id, site_id) if d.purpose == "site"), None)


def links_of(records: Iterable[Ipv6LinkObs], round_id: int | None, site_id: str, level: int) -> list[Ipv6LinkObs]:
    return [l for l in of_round(records, round_id, site_id) if l.level == level]
