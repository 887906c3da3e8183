"""Probes outside the crawl: homepage availability (AVL001) and IPv6 (NET001-NET006).

One *round* probes every configured site once at a given ``now``:

- resolve the homepage's host through the configured nameservers (A, AAAA; NS in IPv6 rounds);
- fetch the homepage as a user would (IPv4 first) — the availability probe;
- in an IPv6 round also: fetch it from its AAAA address only, fetch a sample of the latest
  crawl's in-site links over IPv6 (levels 2 and 3), and look up the hosts of the resources
  the homepage embeds.

The round records how our own side fared: when the resolver gave no conclusive answer at
all, or more than ``degraded_share`` of the hosts failed at once, the round is *degraded*
(our network's fault) and every check leaves it out.

    from crawler.probes import probe_round, store_round
    result = probe_round(config, now=datetime.now(timezone.utc), ipv6=True, crawl_links=links)
    store_round(store, result)
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence
from urllib.parse import urljoin, urlsplit

from zwgk.resolve import DnsClient, Resolution
from crawler.probes.http import Connector, HttpResult, fetch, plain_connect, summarize
from crawler.probes.ipv6 import in_site_links, lookup_ns, resource_hosts
from zwgk.records.probes import DnsObs, Family, Ipv6LinkObs, ProbeObs, ProbeOutcome, ProbeRound
from zwgk.records import LinkObs, Site

__all__ = ["RoundResult", "probe_round", "store_round", "Prober"]


@dataclass
class RoundResult:
    round: ProbeRound
    probes: list[ProbeObs] = field(default_factory=list)
    dns: list[DnsObs] = field(default_factory=list)
    ipv6_links: list[Ipv6LinkObs] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        r = self.round
        return {"started_at": r.started_at.isoformat(), "ipv6": r.ipv6, "hosts_total": r.hosts_total,
                "hosts_failed": r.hosts_failed, "resolver_ok": r.resolver_ok, "degraded": r.degraded,
                "reason": r.reason,
                "probes": [{"site": p.site_id, "family": p.family.value, "address": p.address,
                            "outcome": p.outcome.value, "status": p.status, "elapsed_s": p.elapsed_s}
                           for p in self.probes],
                "ipv6_links": {"ok": sum(l.outcome is ProbeOutcome.OK for l in self.ipv6_links),
                               "total": len(self.ipv6_links)}}


class Prober:
    """Probes with one configuration; safe to use from several threads (one round each)."""

    def __init__(self, config: Any, connect: Connector = plain_connect) -> None:
        self.conf = config.section("probes")
        self.network = config.network
        self.sites: tuple[Site, ...] = config.sites
        self.connect = connect
        self.dns_client = DnsClient(self.network["nameservers"], self.network["dns_timeout"])

    # -- one fetch, redirects followed ------------------------------------------------------
    def get(self, url: str, family: Family, cache: dict[str, Resolution],
            read_body: bool = True) -> tuple[HttpResult | None, str | None, ProbeOutcome | None, str]:
        """(result, address, outcome when no fetch was possible, final url)."""
        hops = 0
        current = url
        while True:
            host = urlsplit(current).hostname or ""
            res = cache.get(host)
            if res is None:
                res = cache[host] = self.dns_client.resolve(host)
            if family is Family.V4:
                addresses, family_status = res.a, res.a_status
            elif family is Family.V6:
                addresses, family_status = res.aaaa, res.aaaa_status
            else:
                addresses, family_status = res.a or res.aaaa, res.status
            if not addresses:
                assert family_status is not None       # set for every family after construction
                if not res.status.conclusive or (family is not Family.ANY and not family_status.conclusive):
                    return None, None, ProbeOutcome.PROBE_UNAVAILABLE, current
                return None, None, (ProbeOutcome.DNS_FAILED if family is Family.ANY
                                    else ProbeOutcome.NO_ADDRESS), current
            address = addresses[0]
            result = fetch(current, address, timeout=float(self.conf["timeout"]),
                           max_bytes=int(self.conf["max_body_bytes"]), user_agent=self.conf["user_agent"],
                           connect=self.connect, read_body=read_body)
            if (result.status in (301, 302, 303, 307, 308) and result.location
                    and hops < int(self.conf["max_redirects"])):
                nxt = urljoin(current, result.location)
                if urlsplit(nxt).scheme in ("http", "https") and nxt != current:
                    hops += 1
                    current = nxt
                    continue
            return result, address, None, current

    def homepage(self, site: Site, family: Family, cache: dict[str, Resolution], now: datetime) -> ProbeObs:
        result, address, outcome, final = self.get(site.url, family, cache)
        if result is None:
            res = cache.get((urlsplit(final).hostname or "").lower())
            detail = f"DNS {res.status.value}: {res.detail}" if res is not None else None
            return ProbeObs(0, site.id, site.url, family, None, outcome or ProbeOutcome.PROBE_UNAVAILABLE,
                            None, 0.0, None, None, None, (), now, detail)
        title = fingerprint = text = None
        links: tuple[str, ...] = ()
        if result.outcome is ProbeOutcome.OK and result.body is not None:
            page = summarize(result.body, result.content_type, final)
            title, fingerprint, text, links = page.title, page.fingerprint, page.text, page.links
        return ProbeObs(0, site.id, site.url, family, address, result.outcome, result.status, result.elapsed_s,
                        title, fingerprint, text, links, now, result.detail)

    # -- a site ----------------------------------------------------------------------------------
    def probe_site(self, site: Site, now: datetime, ipv6: bool, crawl_links: Sequence[LinkObs]
                   ) -> tuple[list[ProbeObs], list[DnsObs], list[Ipv6LinkObs]]:
        cache: dict[str, Resolution] = {}
        host = (urlsplit(site.url).hostname or "").lower()
        res = cache[host] = self.dns_client.resolve(host)
        ns: tuple[str, ...] = ()
        if ipv6 and res.status.conclusive:
            ns = lookup_ns(host, self.network["nameservers"], float(self.network["dns_timeout"]))
        dns = [_dns_obs(site.id, res, "site", ns, now)]
        probes = [self.homepage(site, Family.ANY, cache, now)]
        links: list[Ipv6LinkObs] = []
        if not ipv6:
            return probes, dns, links
        v6 = self.homepage(site, Family.V6, cache, now)
        probes.append(v6)
        if v6.outcome is ProbeOutcome.OK:
            for level, pairs in in_site_links(site, crawl_links, int(self.conf["link_sample"])).items():
                for source, url in pairs:
                    result, address, outcome, _ = self.get(url, Family.V6, cache, read_body=False)
                    links.append(Ipv6LinkObs(0, site.id, level, source, url, address,
                                             result.outcome if result else outcome or ProbeOutcome.PROBE_UNAVAILABLE,
                                             result.status if result else None, now))
        for rhost in resource_hosts(site, crawl_links, int(self.conf["resource_hosts"])):
            rres = cache.get(rhost) or self.dns_client.resolve(rhost)
            cache[rhost] = rres
            dns.append(_dns_obs(site.id, rres, "resource", (), now))
        return probes, dns, links

    def round(self, now: datetime, ipv6: bool = True, crawl_links: Sequence[LinkObs] = ()) -> RoundResult:
        workers = max(1, min(int(self.conf["concurrency"]), len(self.sites) or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zwgk-probe") as pool:
            parts = list(pool.map(lambda s: self.probe_site(s, now, ipv6, crawl_links), self.sites))
        probes = [p for ps, _, _ in parts for p in ps]
        dns = [d for _, ds, _ in parts for d in ds]
        links = [l for _, _, ls in parts for l in ls]
        avail = [p for p in probes if p.family is Family.ANY]
        failed = sum(1 for p in avail if p.outcome.is_failure or p.outcome is ProbeOutcome.PROBE_UNAVAILABLE)
        site_dns = [d for d in dns if d.purpose == "site"]
        resolver_ok = not site_dns or any(d.status.conclusive for d in site_dns)
        total = len(avail)
        reason = ""
        if not resolver_ok:
            reason = "our resolver gave no conclusive answer"
        elif total >= int(self.conf["degraded_min_hosts"]) and failed / total > float(self.conf["degraded_share"]):
            reason = f"{failed} of {total} hosts failed at once"
        rnd = ProbeRound(0, now, ipv6, total, failed, resolver_ok, bool(reason), reason)
        return RoundResult(rnd, probes, dns, links)


def _dns_obs(site_id: str, res: Resolution, purpose: str, ns: tuple[str, ...], now: datetime) -> DnsObs:
    return DnsObs(0, site_id, res.host, purpose, res.a, res.aaaa, ns, res.status,
                  res.a_status or res.status, res.aaaa_status or res.status, now, res.detail or None)


def probe_round(config: Any, now: datetime, ipv6: bool = True, crawl_links: Sequence[LinkObs] = (),
                connect: Connector = plain_connect) -> RoundResult:
    """Probe every site once at ``now`` (which is recorded, not read from a clock)."""
    return Prober(config, connect).round(now, ipv6, crawl_links)


def store_round(store: Any, result: RoundResult) -> int:
    from zwgk.store.probes import save_round

    return save_round(store, result.round, result.probes, result.dns, result.ipv6_links)


def latest_crawl_links(store: Any) -> list[LinkObs]:
    """The links of the latest complete crawl (NET004-NET006 sample them); [] before any crawl."""
    run = store.latest_run("crawl")
    return store.links(run.id) if run else []


