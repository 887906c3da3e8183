"""The IPv6 side of a probe round: which in-site links to fetch over IPv6, the hosts of
embedded resources, and NS lookups.

The links come from the latest complete crawl (its LinkObs): level 2 are the in-site
pages linked from the homepage, level 3 the in-site pages linked from those.  Each level
is sampled deterministically (evenly over the sorted URLs) up to ``link_sample``.
"""
from __future__ import annotations

from typing import Iterable, Sequence
from urllib.parse import urlsplit

import dns.exception
import dns.nameserver
import dns.resolver

from zwgk.resolve import parse_nameservers
from zwgk.records import LinkObs, Site

PAGE_ELEMENTS = ("a", "area", "iframe")
RESOURCE_ELEMENTS = ("img", "script", "link", "iframe")


def sample(urls: Iterable[str], cap: int) -> list[str]:
    """Up to ``cap`` of ``urls``, spread evenly over their sorted order (the same every round)."""
    ordered = sorted(set(urls))
    if cap <= 0:
        return []
    if len(ordered) <= cap:
        return ordered
    return [ordered[i * len(ordered) // cap] for i in range(cap)]


def in_site_links(site: Site, links: Sequence[LinkObs], cap: int) -> dict[int, list[tuple[str, str]]]:
    """{2: [(source, url), …], 3: […]}: the sampled in-site links of each level."""
    home = site.url
    mine = [l for l in links if l.site_id == site.id and l.internal and l.element in PAGE_ELEMENTS
            and l.target_url != home]
    level2: dict[str, str] = {}
    for l in mine:
        if l.source_url == home:
            level2.setdefault(l.target_url, l.source_url)
    level3: dict[str, str] = {}
    for l in mine:
        if l.source_url in level2 and l.target_url not in level2:
            level3.setdefault(l.target_url, l.source_url)
    return {2: [(level2[u], u) for u in sample(level2, cap)],
            3: [(level3[u], u) for u in sample(level3, cap)]}


def resource_hosts(site: Site, links: Sequence[LinkObs], cap: int) -> list[str]:
    """Hosts of the resources the homepage embeds (img, script, link, iframe), other than the site's own."""
    own = {(urlsplit(site.url).hostname or "").lower(), *(h.lower() for h in site.hosts)}
    hosts = {(urlsplit(l.target_url).hostname or "").lower() for l in links
             if l.site_id == site.id and l.source_url == site.url and l.element in RESOURCE_ELEMENTS}
    return sample((h for h in hosts if h and h not in own), cap)


def lookup_ns(host: str, nameservers: Sequence[str], timeout: float) -> tuple[str, ...]:
    """NS records of ``host`` or of its nearest ancestor that has them; () when none could be read."""
    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port)
                                for ip, port in parse_nameservers(nameservers)]
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.exception.DNSException:
            return ()
    resolver.cache = None
    labels = host.rstrip(".").split(".")
    for i in range(len(labels) - 1):
        name = ".".join(labels[i:])
        try:
            answer = resolver.resolve(name, "NS", lifetime=timeout, search=False, raise_on_no_answer=False)
        except (dns.exception.DNSException, OSError, ValueError):
            return ()
        if answer.rrset is not None:
            return tuple(sorted(str(r.target).rstrip(".") for r in answer.rrset))
    return ()
