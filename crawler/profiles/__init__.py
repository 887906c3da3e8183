"""CMS profiles: one module per CMS family, each one frozen :class:`Profile`.

- ``trs`` (TRS WCM), ``hanweb`` (大汉 Hanweb JCMS), ``ucap`` (开普云 Ucap), ``generic`` (fallback).
- A site names its family in config (``[[sites]] cms = "hanweb"``); otherwise the spider
  :func:`detect`\\ s it on the site's homepage and entry pages, and the crawl summary keeps what
  was detected and why.
- Pages are still read with every family's rules (a county's departments use other CMSs than its
  portal, and a wrong detection must not lose a date); a known family's own rules come first.

Adding a family: a module here with its ``PROFILE``, its name in ``FAMILIES``, real pages in
../shared/realpages with a gold.json, and tests (README: "Adding a CMS family").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from crawler.profiles import generic, hanweb, trs, ucap
from crawler.profiles.base import Detection, Pager, Profile

__all__ = ["FAMILIES", "GENERIC", "Detected", "Detection", "Pager", "Profile", "body_selectors",
           "canonical_column_url", "detect", "get", "is_detail_url", "names", "url_date"]

# Order matters where two families' rules could both apply: TRS and Ucap editor markers are
# more specific than Hanweb's #zoom (a Ucap page embeds a zoom widget), and generic comes last.
FAMILIES: tuple[Profile, ...] = (trs.PROFILE, ucap.PROFILE, hanweb.PROFILE, generic.PROFILE)
GENERIC = generic.PROFILE
_BY_NAME = {p.name: p for p in FAMILIES}


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def get(name: str | None) -> Profile | None:
    """The profile called ``name``; None for None. An unknown name is a KeyError (config validates)."""
    return None if name is None else _BY_NAME[name]


@dataclass(frozen=True)
class Detected:
    profile: Profile
    evidence: tuple[str, ...]   # what matched, e.g. ("generator: 大汉", "path: /col/col\\d+/")


_GENERATOR_RE = re.compile(
    r"<meta[^>]+name=[\"']?generator[\"']?[^>]*content=[\"']([^\"']+)|<meta[^>]+content=[\"']([^\"']+)[\"'][^>]*name=[\"']?generator"
    r"|Produced\s+By\s+([^\r\n>-]{2,60})", re.I)
# Evidence needed for a family: its generator alone, or two independent signs.
_MIN_SCORE = 2


def detect(url: str, html: str) -> Detected:
    """The family whose signs the page shows most (generator 2 points, each path shape or script
    marker 1), at least two points; else generic."""
    generators = " ".join(g for m in _GENERATOR_RE.finditer(html[:200_000]) for g in m.groups() if g)
    best: tuple[int, Profile, tuple[str, ...]] | None = None
    for profile in FAMILIES:
        sign = profile.detection
        evidence: list[str] = []
        score = 0
        seen = sign.generator.search(generators) if sign.generator is not None and generators else None
        if seen is not None:
            evidence.append(f"generator: {seen.group(0)}")
            score += 2
        for path in sign.paths:
            if path.search(url) or path.search(html):
                evidence.append(f"path: {path.pattern}")
                score += 1
        for marker in sign.scripts:
            if marker.lower() in html.lower():
                evidence.append(f"script: {marker}")
                score += 1
        if score >= _MIN_SCORE and (best is None or score > best[0]):
            best = (score, profile, tuple(evidence))
    if best is None:
        return Detected(GENERIC, ())
    return Detected(best[1], best[2])


def ordered(profile: Profile | None) -> tuple[Profile, ...]:
    """Every family, the given one first."""
    if profile is None:
        return FAMILIES
    return (profile, *(p for p in FAMILIES if p is not profile))


def body_selectors(profile: Profile | None = None) -> tuple[str, ...]:
    """Where bodies are looked for: every family's editor markers, then their template wrappers."""
    families = ordered(profile)
    out: list[str] = []
    for selector in [*(s for p in families for s in p.body_markers), *(s for p in families for s in p.body_containers)]:
        if selector not in out:
            out.append(selector)
    return tuple(out)


def url_date(url: str) -> tuple[int, int, int] | None:
    """(year, month, day) a CMS wrote into a document URL, from the first family whose shape it has."""
    for profile in FAMILIES:
        found = profile.date_from_url(url)
        if found:
            return found
    return None


def is_detail_url(path: str) -> bool:
    return any(p.is_detail_url(path) for p in FAMILIES)


def index_names(profile: Profile | None = None) -> frozenset[str]:
    """File names that are a folder's first page: the generic ones and every family's aliases."""
    return frozenset(n for p in ordered(profile) for n in p.column_index_names)


def canonical_column_url(url: str, profile: Profile | None = None) -> str:
    """One URL per column: ``dir/index.html``, ``dir/index.htm``, ``dir/default.html`` … are ``dir/``.

    Scheme and host are lower-cased, the fragment dropped; a query string is kept (a column
    addressed by ``?id=`` is a different column per id).
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    folder, _, leaf = path.rpartition("/")
    # Not with a query string: dir/index.jsp?channelId=5 stays as fetched (dir/?channelId=5 is a
    # URL nobody fetched, and findings cite the column's URL).
    if leaf.lower() in index_names(profile) and not parts.query:
        path = folder + "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def pager_rules() -> tuple[Pager, ...]:
    return tuple(p.pager for p in FAMILIES)


def page_key(url: str) -> str:
    """What makes two page URLs one page: ``dir/`` and its index file names, of any family."""
    return canonical_column_url(url)


# Query parameters that only accompany a pager (Hanweb's ?uid=…&pageNum=2): not the column's.
_PAGER_COMPANIONS = frozenset({"uid"})


def column_root(url: str, profile: Profile | None = None) -> str:
    """The column a list page belongs to: its first page's canonical URL.

    ``dir/index_2.html`` (TRS, Ucap) and ``dir/?page=2`` / ``?uid=…&pageNum=2`` (Hanweb) are
    pages of the column ``dir/``: a page reached by a pager, or first met as an ordinary link,
    never becomes a column of its own.
    """
    parts = urlsplit(canonical_column_url(url, profile))
    path = parts.path
    folder, _, leaf = path.rpartition("/")
    names = index_names(profile)
    for pager in pager_rules():
        m = pager.static_page.fullmatch(leaf) if pager.static_page is not None and leaf else None
        # index_2.html is page 2 of dir/; index_2023.html is a year's archive, a column of its own.
        if m and len(m["n"]) <= 3 and f"{m['name']}.{m['ext']}".lower() in names:
            path = folder + "/"
            break
    keys = frozenset(k for p in pager_rules() for k in p.query_keys)
    query = parts.query
    if query:
        pairs = [pair for pair in query.split("&") if pair]
        # Only a number is a page: news.php?p=notice and ?p=policy are two columns.
        paged = [pr for pr in pairs
                 if pr.partition("=")[0].lower() in keys and pr.partition("=")[2].strip().isdigit()]
        if paged:
            pairs = [pr for pr in pairs if pr not in paged and pr.partition("=")[0].lower() not in _PAGER_COMPANIONS]
            query = "&".join(pairs)
    if not query and path.count("/") > 1:
        # dir/index.html?uid=…&pageNum=2 is a page of dir/. Not at the site's root: the pages of
        # /index.php?p=12 are no pages of the homepage.
        return canonical_column_url(urlunsplit((parts.scheme, parts.netloc, path, "", "")), profile)
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))
