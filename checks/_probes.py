"""The helpers the AVL/NET checks share to read the probes' records.

Records of a degraded round carry ``degraded=True``; the checks leave them out.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from zwgk.records.probes import DnsObs, Family, Ipv6LinkObs, ProbeObs

WINDOW_DAYS = 7


def end_of(as_of: date) -> datetime:
    """The end of the ``as_of`` day (UTC): nothing observed later is judged."""
    return datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=timezone.utc)


def utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


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
