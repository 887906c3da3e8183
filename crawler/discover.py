"""Reading a county portal for what config.toml needs: its sites, units and 政务新媒体 accounts.

`zwgk discover URL` starts here.  From the portal's homepage it follows the 政府信息公开 entry to
the platform index (every unit's platform, linked by the unit's name), reads the homepage's link
blocks (部门网站 / 县直部门 / 乡镇网站) for the department sites, each site's homepage for its own
信息公开 entry, and the 政务新媒体 column's account table, fetching each account's link once to
tell its kind of source.  It observes and records; it never guesses silently: whatever it could
not decide is kept as a ``todo`` note on the record, and the command writes it as ``# TODO``.

Bounded and polite: at most ``max_requests`` requests (a few hundred), one at a time, with the
configuration's ``download_delay`` between two requests to one host, through the same HTTP
client and resolver (the config's nameservers) as the 政务新媒体 readers.  No Scrapy here.
"""
from __future__ import annotations

import ipaddress
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from lxml import etree, html as lxml_html

from crawler.extract import decode_html
from crawler.media.readers import Fetched, fetch, looks_blocked, parse_html_list, parse_post_date, SourceError
from zwgk.records.media import PLATFORMS, MediaOutcome
from zwgk.resolve import resolve

DEFAULT_MAX_REQUESTS = 300

# -- names -----------------------------------------------------------------------------------------

TOWN_SUFFIXES = ("镇", "乡", "街道", "街道办事处")
DEPARTMENT_SUFFIXES = ("局", "办", "办公室", "委", "委员会", "中心")
# Names that are units but whose type a person has to say (…会, …院, …队 …).
OTHER_UNIT_SUFFIXES = ("会", "院", "队", "所", "站", "馆", "社", "联", "团", "处", "部", "厅")
SITE_NAME_HINTS = ("学校", "中学", "小学", "医院", "网站", "政府", "门户")

ENTRY_TEXTS = ("政府信息公开", "信息公开", "政务公开")
INDEX_TEXTS = ("信息公开目录", "信息公开平台", "部门信息公开", "乡镇信息公开", "单位信息公开", "信息公开单位")
MEDIA_TEXTS = ("政务新媒体", "新媒体矩阵", "政务新媒体矩阵", "新媒体")
SITE_BLOCK_TEXTS = ("部门网站", "县直部门", "乡镇网站", "县直部门网站", "部门链接", "乡镇链接", "政府网站")
CLOSED_MARKERS = ("注销", "关停", "停用", "关闭", "停更", "已撤销")

# The seven platforms of zwgk/records/media.py, and how portals write them (longest first wins).
PLATFORM_ALIASES: tuple[tuple[str, str], ...] = (
    ("微信视频号", "微信视频号"), ("视频号", "微信视频号"),
    ("微信公众号", "微信公众号"), ("公众号", "微信公众号"), ("微信服务号", "微信公众号"), ("微信订阅号", "微信公众号"),
    ("微信", "微信公众号"),
    ("新浪微博", "新浪微博"), ("政务微博", "新浪微博"), ("微博", "新浪微博"),
    ("今日头条", "今日头条"), ("头条号", "今日头条"), ("头条", "今日头条"),
    ("抖音号", "抖音"), ("抖音", "抖音"), ("快手号", "快手"), ("快手", "快手"),
    ("移动客户端", "移动客户端"), ("客户端", "移动客户端"), ("APP", "移动客户端"), ("移动端", "移动客户端"),
)
assert all(p in PLATFORMS for _, p in PLATFORM_ALIASES)


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def unit_type(name: str) -> str | None:
    """县政府 / 乡镇 / 部门 from a unit's name, or None when the name does not say."""
    name = clean(name)
    if name.endswith("人民政府"):
        stem = name[: -len("人民政府")]
        return "乡镇" if stem.endswith(TOWN_SUFFIXES) else "县政府"
    if name.endswith(TOWN_SUFFIXES):
        return "乡镇"
    if name.endswith(DEPARTMENT_SUFFIXES):
        return "部门"
    return None


def looks_like_unit(name: str) -> bool:
    name = clean(name)
    return 2 <= len(name) <= 30 and (unit_type(name) is not None or name.endswith(OTHER_UNIT_SUFFIXES))


def normalize_platform(text: str) -> str | None:
    t = clean(text).replace(" ", "")
    upper = t.upper()
    for alias, platform in PLATFORM_ALIASES:
        if alias in t or alias in upper:
            return platform
    return None


def canonical_unit(name: str) -> str:
    """A unit's name without the county's own name: 积石山保安族东乡族撒拉族自治县人民政府办公室
    and 县政府办公室 are the same office.  Only for matching; names are written as published."""
    name = clean(name).replace(" ", "")
    head, sep, tail = name.rpartition("县")
    if sep and tail:
        name = tail
    return name.replace("人民政府", "政府")


def match_unit(name: str, units: Iterable[str]) -> str | None:
    """The unit ``name`` refers to: the same name, else the one unit with the same canonical name."""
    name = clean(name)
    names = list(units)
    if not name:
        return None
    if name in names:
        return name
    canon = canonical_unit(name)
    same = [u for u in names if canonical_unit(u) == canon]
    return same[0] if len(same) == 1 else None


def site_label(text: str) -> str:
    """A site's link text as a unit's name: without （模拟）, 网站, 门户网站, 官网."""
    text = re.sub(r"[（(][^）)]*[）)]", "", clean(text))
    for suffix in ("门户网站", "政府网站", "网站", "官网", "官方网站"):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


# -- records ---------------------------------------------------------------------------------------

@dataclass
class FoundUnit:
    name: str                       # exactly as published
    type: str | None                # None: the name does not say (a TODO)
    platform: str = ""              # the unit's platform entry, as linked from the index
    source: str = "platform index"  # where it was found
    todo: list[str] = field(default_factory=list)


@dataclass
class FoundSite:
    id: str
    name: str
    url: str
    unit: str
    start_urls: list[str] = field(default_factory=list)
    link_text: str = ""
    todo: list[str] = field(default_factory=list)


@dataclass
class FoundAccount:
    name: str
    platform: str | None            # one of PLATFORMS, or None (a TODO)
    platform_listed: str
    unit: str | None                # a FoundUnit name, or None (a TODO)
    unit_listed: str
    source: str = "manual"          # rss | atom | jsonfeed | html | manual
    url: str = ""
    selectors: dict[str, str] = field(default_factory=dict)
    last_post: date | None = None
    active: bool = True
    usable: bool = True             # False: written commented out, for a person to complete
    todo: list[str] = field(default_factory=list)


@dataclass
class Discovery:
    portal: str
    sites: list[FoundSite] = field(default_factory=list)
    units: list[FoundUnit] = field(default_factory=list)
    accounts: list[FoundAccount] = field(default_factory=list)
    county: str = ""
    index_url: str = ""
    media_url: str = ""
    requests: int = 0
    elapsed_s: float = 0.0
    problems: list[str] = field(default_factory=list)   # what could not be read (WAF, errors)
    fatal: str | None = None                             # not a portal at all

    def unit(self, name: str | None) -> FoundUnit | None:
        return next((u for u in self.units if u.name == name), None)

    def unresolved(self) -> list[str]:
        out = [f"[[units]] {u.name}: {t}" for u in self.units for t in u.todo]
        out += [f"[[sites]] {s.id}: {t}" for s in self.sites for t in s.todo]
        out += [f"[[accounts]] {a.name}: {t}" for a in self.accounts for t in a.todo]
        return out


class NotAPortal(Exception):
    """The URL answers, but with no sign of a government portal (no 政府信息公开 entry, no
    department sites, no 政务新媒体 column)."""


# -- fetching --------------------------------------------------------------------------------------

@dataclass
class Page:
    url: str                        # after redirects
    fetched: Fetched
    text: str = ""
    root: Any = None                # lxml tree with absolute links, or None

    @property
    def ok(self) -> bool:
        return self.fetched.outcome is None and self.root is not None

    def problem(self) -> str | None:
        """Why this page tells us nothing: a WAF, an HTTP error, the network — or None."""
        f = self.fetched
        if f.outcome is not None:
            if f.outcome is MediaOutcome.BLOCKED:
                return f"{f.url}: 被网站防火墙或访问频率限制拦截（HTTP {f.status}）"
            return f"{f.url}: {f.outcome.value} {f.detail}".strip()
        if looks_blocked(f.body, f.charset):
            return f"{f.url}: 返回的是验证码/防火墙页面，不是网页内容（WAF）"
        if self.root is None:
            return f"{f.url}: 不是可读的网页"
        return None


class PoliteFetcher:
    """GETs through the 政务新媒体 readers' client: the config's nameservers, a time limit, a
    request budget, one request at a time, ``delay`` seconds between two requests to a host."""

    def __init__(self, *, nameservers: Iterable[str] = (), dns_timeout: float = 5.0, timeout: float = 15.0,
                 delay: float = 0.5, max_requests: int = DEFAULT_MAX_REQUESTS, allow_private: bool = False,
                 user_agent: str = "zwgk-discover/0.1", max_bytes: int = 5_000_000, obey_robots: bool = False,
                 progress: Callable[[str], None] | None = None,
                 fetch_fn: Callable[..., Fetched] = fetch) -> None:
        self.nameservers = tuple(nameservers)
        self.dns_timeout = dns_timeout
        self.timeout = timeout
        self.delay = delay
        self.max_requests = max_requests
        self.allow_private = allow_private
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.progress = progress
        self.fetch_fn = fetch_fn
        self.obey_robots = obey_robots
        self.robots: dict[str, Any] = {}
        self.requests = 0
        self.last_at: dict[str, float] = {}
        self.cache: dict[str, Fetched] = {}

    def get(self, url: str, what: str = "") -> Fetched:
        url = url.split("#", 1)[0]
        if url in self.cache:
            return self.cache[url]
        host = _host(url)
        if self.requests >= self.max_requests:
            return Fetched(url, MediaOutcome.UNREACHABLE, detail=f"request budget of {self.max_requests} spent")
        if not self.allow_private and host and self._private(host):
            result = Fetched(url, MediaOutcome.UNREACHABLE,
                             detail="a private or loopback address ([crawl] allow_private_hosts = false)")
            self.cache[url] = result
            return result
        if self.obey_robots and not self._allowed(url):
            result = Fetched(url, MediaOutcome.UNREACHABLE, detail="robots.txt does not allow it")
            self.cache[url] = result
            return result
        return self._get(url, host, what)

    def _get(self, url: str, host: str, what: str) -> Fetched:
        wait = self.last_at.get(host, -1e9) + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)   # politeness toward the county's server, configured in [crawl]
        self.requests += 1
        if self.progress:
            self.progress(f"{self.requests:>4} {what or 'GET'} {url}")
        result = self.fetch_fn(url, nameservers=self.nameservers, dns_timeout=self.dns_timeout,
                               timeout=self.timeout, max_bytes=self.max_bytes, user_agent=self.user_agent)
        self.last_at[host] = time.monotonic()
        self.cache[url] = result
        return result

    def _allowed(self, url: str) -> bool:
        """robots.txt of the URL's host, read once (a missing or unreadable one allows all)."""
        from urllib.robotparser import RobotFileParser

        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            parser = RobotFileParser()
            fetched = self._get(origin + "/robots.txt", _host(url), "robots.txt")
            lines = (fetched.body.decode("utf-8", "replace").splitlines()
                     if fetched.outcome is None and fetched.status == 200 else [])
            parser.parse(lines)
            self.robots[origin] = parser
        return self.robots[origin].can_fetch(self.user_agent, url)

    def page(self, url: str, what: str = "") -> Page:
        fetched = self.get(url, what)
        page = Page(fetched.url or url, fetched)
        if fetched.outcome is None and fetched.body:
            try:
                text, _, _ = decode_html(fetched.body, fetched.charset)
                root = lxml_html.fromstring(text)
                root.make_links_absolute(page.url, resolve_base_href=True)
                page.text, page.root = text, root
            except (etree.ParserError, ValueError, TypeError):
                pass
        return page

    def _private(self, host: str) -> bool:
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            res = resolve(host, self.nameservers, self.dns_timeout)
            addresses = [ipaddress.ip_address(a) for a in res.addresses]
        return any(a.is_private or a.is_loopback or a.is_link_local for a in addresses)


# -- reading pages ---------------------------------------------------------------------------------

def links(root: Any) -> list[tuple[str, str, Any]]:
    """(text, absolute URL, element) of every <a href> and <option value=URL>."""
    out = []
    for el in root.iter("a", "option"):
        href = el.get("href") if el.tag == "a" else el.get("value")
        if not href or not href.startswith(("http://", "https://")):
            continue
        text = clean(el.text_content()) or clean(el.get("title"))
        out.append((text, href, el))
    return out


def find_link(root: Any, texts: Iterable[str]) -> str | None:
    """The first link whose text is one of ``texts`` (in their order), else one containing it."""
    all_links = links(root)
    for wanted in texts:
        for text, href, _ in all_links:
            if text == wanted:
                return href
    for wanted in texts:
        for text, href, _ in all_links:
            if wanted in text and len(text) <= len(wanted) + 6:
                return href
    return None


def meta(root: Any, name: str) -> str:
    for el in root.iter("meta"):
        if (el.get("name") or "").lower() == name.lower():
            return clean(el.get("content"))
    return ""


def site_name(root: Any) -> str:
    name = meta(root, "SiteName")
    if name:
        return name
    title = clean(root.findtext(".//title"))
    return title.rsplit("_", 1)[-1].rsplit("-", 1)[-1].strip() if title else ""


def sponsor(root: Any) -> str:
    """The 主办 unit in the footer (the text of one element: footers glue <p>s together)."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        for text in (el.text, el.tail):
            m = re.search(r"主办(?:单位)?\s*[:：]\s*([^\s<，,。|｜;；]+)", clean(text))
            if m:
                return m.group(1)
    return ""


def common_ancestor(elements: list[Any]) -> Any:
    paths = []
    for el in elements:
        chain = []
        while el is not None:
            chain.append(el)
            el = el.getparent()
        paths.append(chain[::-1])
    common = None
    for level in zip(*paths):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def unit_links(root: Any, page_url: str) -> list[tuple[str, str]]:
    """The units a platform index lists: (name as published, platform URL).

    The index's unit links sit together (a list, a table grouped by type, a set of tabs): the
    block is the smallest element holding every link whose text is plainly a unit's name; all
    of its links are units, those whose name does not say the type included (a TODO later).
    """
    candidates = [(t, h, el) for t, h, el in links(root) if unit_type(t) is not None and el.tag == "a"]
    if len(candidates) < 2:
        return []
    block = common_ancestor([el for _, _, el in candidates])
    inside = [(t, h) for t, h, el in links(root) if el.tag == "a" and _within(el, block)]
    if block is None or block.tag in ("html", "body"):
        inside = [(t, h) for t, h, _ in candidates]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for text, href in inside:
        if not looks_like_unit(text) or text in seen or href.split("#")[0] == page_url.split("#")[0]:
            continue
        seen.add(text)
        out.append((text, href))
    return out


def _within(el: Any, block: Any) -> bool:
    while el is not None:
        if el is block:
            return True
        el = el.getparent()
    return False


def site_blocks(root: Any) -> list[tuple[str, str]]:
    """Links in the homepage's blocks headed 部门网站 / 县直部门 / 乡镇网站 (lists or selects)."""
    out: list[tuple[str, str]] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "option", "html", "body", "script", "style"):
            continue
        own = clean(el.text)
        if el.tag == "select":
            own = clean(next((o.text_content() for o in el.iter("option") if not o.get("value", "").startswith("http")), ""))
        if not any(own == t or (own.startswith(t) and len(own) <= len(t) + 4) for t in SITE_BLOCK_TEXTS):
            continue
        block = el if el.tag == "select" else el.getparent()
        if block is None:
            continue
        found = [(t, h) for t, h, _ in links(block)]
        if not found and block.getparent() is not None:
            found = [(t, h) for t, h, _ in links(block.getparent())]
        out += [(t, h) for t, h in found if (t, h) not in out]
    return out


def account_rows(root: Any) -> list[dict[str, Any]]:
    """Rows of the 政务新媒体 table: name, platform, unit, status, date, link (as published)."""
    rows: list[dict[str, Any]] = []
    for table in root.iter("table"):
        trs = [tr for tr in table.iter("tr")]
        if not trs:
            continue
        header = [clean(c.text_content()) for c in trs[0] if isinstance(c.tag, str) and c.tag in ("th", "td")]
        roles: dict[str, int] = {}
        for i, h in enumerate(header):
            if "名称" in h or h in ("账号", "帐号", "名称"):
                roles.setdefault("name", i)
            elif "平台" in h or "类型" in h or "类别" in h:
                roles.setdefault("platform", i)
            elif "主体" in h or "单位" in h or "主办" in h:
                roles.setdefault("unit", i)
            elif "状态" in h:
                roles.setdefault("status", i)
            elif "更新" in h or "日期" in h or "时间" in h:
                roles.setdefault("date", i)
        body = trs[1:] if roles else trs
        if "name" not in roles:
            roles = {"name": 0, "platform": 1}
        for tr in body:
            cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
            if len(cells) <= max(roles.values()) - (1 if "date" in roles else 0) or not cells:
                continue

            def cell(role: str) -> str:
                i = roles.get(role)
                return clean(cells[i].text_content()) if i is not None and i < len(cells) else ""
            link = next((h for _, h, _ in links(tr)), "")
            name = cell("name")
            if not name:
                continue
            rows.append({"name": name, "platform": cell("platform"), "unit": cell("unit"),
                         "status": cell("status"), "date": cell("date"), "link": link})
    return rows


# -- 政务新媒体 sources ---------------------------------------------------------------------------------

FEED_EXTENSIONS = ((".xml", "rss"), (".rss", "rss"), (".atom", "atom"), (".json", "jsonfeed"))


def sniff_source(fetched: Fetched) -> str | None:
    """rss / atom / jsonfeed / html from the bytes of a source, or None (not readable)."""
    if fetched.outcome is not None or not fetched.body:
        return None
    head = fetched.body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        try:
            data = json.loads(fetched.body.decode("utf-8", "replace"))
        except ValueError:
            data = None
        if isinstance(data, dict) and "jsonfeed.org" in str(data.get("version", "")):
            return "jsonfeed"
        return "jsonfeed" if b"jsonfeed.org" in head else None
    lowered = head.lower()
    if lowered.startswith(b"<?xml") or lowered.startswith((b"<rss", b"<feed", b"<rdf")):
        if b"<rss" in lowered or b"<rdf" in lowered:
            return "rss"
        if b"<feed" in lowered:
            return "atom"
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered or b"<table" in lowered:
        return "html"
    return None


def guess_from_url(url: str) -> str | None:
    path = urlsplit(url).path.lower()
    return next((kind for ext, kind in FEED_EXTENSIONS if path.endswith(ext)), None)


def html_selectors(fetched: Fetched, name: str) -> dict[str, str] | None:
    """Selectors that read ``name``'s row of an account list page with its date, or None."""
    try:
        text, _, _ = decode_html(fetched.body, fetched.charset)
        root = lxml_html.fromstring(text)
    except (etree.ParserError, ValueError, TypeError):
        return None
    for tag in ("tr", "li"):
        for row in root.iter(tag):
            if name not in clean(row.text_content()):
                continue
            children = [c for c in row if isinstance(c.tag, str)]
            for child in children:
                if parse_post_date(clean(child.text_content())) is None:
                    continue
                index = [c for c in children if c.tag == child.tag].index(child) + 1
                selectors = {"item": f"//{tag}", "contains": name, "date": f"./{child.tag}[{index}]"}
                try:
                    parsed = parse_html_list(fetched.body, fetched.charset, selectors)
                except (SourceError, ValueError):
                    continue
                if parsed.dates:
                    return selectors
    return None


# -- the discovery ---------------------------------------------------------------------------------

def discover(url: str, fetcher: PoliteFetcher) -> Discovery:
    """Read the portal at ``url``.  NotAPortal when it is plainly not one; every other trouble
    (a WAF, an unreadable index) is a problem on the result, with what could be read."""
    started = time.monotonic()
    result = Discovery(portal=url)
    home = fetcher.page(url, "homepage")
    outcome = home.fetched.outcome
    if outcome in (MediaOutcome.UNREACHABLE, MediaOutcome.MALFORMED, MediaOutcome.HTTP_ERROR):
        raise NotAPortal(f"{url}: 无法访问（{home.fetched.detail or outcome.value}）")
    blocked = outcome is MediaOutcome.BLOCKED or looks_blocked(home.fetched.body, home.fetched.charset)
    if not blocked and (home.root is None or sniff_source(home.fetched) != "html"):
        raise NotAPortal(f"{url}: 不像政府门户网站首页：返回的不是网页")
    if blocked:
        # Behind a WAF: say so, and write what is known (the address) for a person to complete.
        result.problems.append(home.problem() or f"{url}: WAF")
        unit = FoundUnit("门户网站主办单位", "部门", source="placeholder",
                         todo=["name: the portal's 主办 unit (the homepage could not be read)"])
        result.units.append(unit)
        result.sites.append(FoundSite("portal", url, url, unit.name, todo=[
            "首页被防火墙拦截，未能读取：name, unit and start_urls (the 政府信息公开 entry) to fill in; "
            "ask the site's operator to allow the inspection's address, then run zwgk discover again"]))
        return _finish(result, fetcher, started)
    root = home.root
    portal_url = url if urlsplit(url).path else url.rstrip("/") + "/"
    entry = find_link(root, ENTRY_TEXTS)
    blocks = site_blocks(root)
    media_link = find_link(root, MEDIA_TEXTS)
    if entry is None and not blocks and media_link is None:
        raise NotAPortal(f"{url}: 不像政府门户网站首页：没有“政府信息公开”入口、部门网站链接或政务新媒体栏目"
                         f"（标题：{clean(root.findtext('.//title')) or '无'}）")
    portal_host = _host(home.url)
    name = site_name(root)
    result.county = name[: -len("人民政府")] if name.endswith("人民政府") else name
    portal = FoundSite("portal", name or portal_host, portal_url, "")
    result.sites.append(portal)

    # 1. the platform index: every unit's platform
    if entry is None:
        portal.todo.append("no 政府信息公开 link on the homepage: add the platform entry to start_urls")
        result.problems.append("首页没有“政府信息公开”入口")
    else:
        portal.start_urls.append(entry)
        _read_index(result, fetcher, entry)

    # 2. 政务新媒体 accounts (the column is linked from the homepage or the platform)
    if media_link is None and result.index_url:
        index_page = fetcher.page(result.index_url)
        media_link = find_link(index_page.root, MEDIA_TEXTS) if index_page.ok else None
    if media_link is None:
        result.problems.append("没有找到政务新媒体栏目：[[accounts]] 需人工填写")
    else:
        result.media_url = media_link
        _read_accounts(result, fetcher, media_link)

    # 3. the portal's own unit: its footer's 主办
    _assign_site_unit(result, portal, sponsor(root), portal.name, fallback=None)

    # 4. department sites from the homepage's link blocks, and platforms on hosts of their own
    domain = portal_host[4:] if portal_host.startswith("www.") else portal_host
    for text, href in blocks:
        host = _host(href)
        if not host or host == portal_host or any(_host(s.url) == host for s in result.sites):
            continue
        under_domain = host.endswith("." + domain) or host == domain
        if not under_domain and not (looks_like_unit(site_label(text)) or any(h in text for h in SITE_NAME_HINTS)):
            continue
        parts = urlsplit(href)
        _read_site(result, fetcher, text, f"{parts.scheme}://{parts.netloc}/",
                   None if under_domain else f"{host} 不在门户域名 {domain} 下")
    for unit in result.units:
        host = _host(unit.platform)
        if not unit.platform or host == portal_host:
            continue
        site = next((s for s in result.sites if _host(s.url) == host), None)
        if site is None:
            parts = urlsplit(unit.platform)
            site = _read_site(result, fetcher, unit.name, f"{parts.scheme}://{parts.netloc}/", None)
        if not any(_same_page(u, unit.platform) for u in site.start_urls):
            site.start_urls.append(unit.platform)
    return _finish(result, fetcher, started)


def _finish(result: Discovery, fetcher: PoliteFetcher, started: float) -> Discovery:
    result.requests = fetcher.requests
    result.elapsed_s = round(time.monotonic() - started, 2)
    return result


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:   # a malformed link such as http://[::1
        return ""


def _same_page(a: str, b: str) -> bool:
    def key(u: str) -> str:
        u = u.split("#", 1)[0]
        return re.sub(r"/(index|default)\.s?html?$", "/", u)
    return key(a) == key(b)


def _read_index(result: Discovery, fetcher: PoliteFetcher, entry: str) -> None:
    page = fetcher.page(entry, "platform index")
    problem = page.problem()
    if problem is not None:
        result.problems.append(f"平台索引无法读取：{problem}")
        return
    found = unit_links(page.root, page.url)
    index_url = entry
    if len(found) < 2:
        # The entry is the county government's own platform; the index is a page it links.
        for text in INDEX_TEXTS:
            link = find_link(page.root, (text,))
            if link is None or link == entry:
                continue
            sub = fetcher.page(link, "platform index")
            if sub.ok:
                more = unit_links(sub.root, sub.url)
                if len(more) >= 2:
                    found += [f for f in more if f[0] not in {n for n, _ in found}]
                    index_url = link
    if not found:
        result.problems.append(f"平台索引无法读取：{entry} 上没有找到各单位的信息公开平台链接")
        return
    result.index_url = index_url
    for name, href in found:
        utype = unit_type(name)
        unit = FoundUnit(name, utype, href)
        if utype is None:
            unit.todo.append("type: the name does not say 县政府, 乡镇 or 部门")
        result.units.append(unit)


def _unit_for(result: Discovery, listed: str, where: str) -> str | None:
    """A discovered unit for a name listed elsewhere (an account's 开办主体, a site's 主办);
    a new one (with a TODO) when the name is plainly a unit's but not in the index."""
    name = match_unit(listed, [u.name for u in result.units])
    if name is not None:
        return name
    if looks_like_unit(listed):
        utype = unit_type(listed)
        unit = FoundUnit(clean(listed), utype, source=where,
                         todo=[f"not in the platform index (found as {where}): platform to add if it has one"])
        if utype is None:
            unit.todo.append("type: the name does not say 县政府, 乡镇 or 部门")
        result.units.append(unit)
        return unit.name
    return None


def _assign_site_unit(result: Discovery, site: FoundSite, *names: str | None, fallback: str | None) -> None:
    for listed in names:
        if not listed:
            continue
        name = match_unit(site_label(listed), [u.name for u in result.units]) or match_unit(
            listed, [u.name for u in result.units])
        if name is not None:
            site.unit = name
            return
    if fallback is not None:
        site.unit = fallback
        site.todo.append(f"unit: neither the link text nor the footer names a known unit "
                         f"({', '.join(dict.fromkeys(n for n in names if n)) or '—'}); set to the portal's unit")
        return
    sponsor_name = next((n for n in names if n and looks_like_unit(n)), None)
    if sponsor_name:
        site.unit = _unit_for(result, sponsor_name, "主办 in the footer") or ""
    if not site.unit:
        unit = FoundUnit("门户网站主办单位", "部门", source="placeholder",
                         todo=["name: the portal's 主办 unit (the footer names none)"])
        result.units.append(unit)
        site.unit = unit.name


def _read_site(result: Discovery, fetcher: PoliteFetcher, text: str, url: str, note: str | None) -> FoundSite:
    host = _host(url)
    label = host.split(".")[1] if host.startswith("www.") and host.count(".") > 1 else host.split(".")[0]
    sid = re.sub(r"[^a-z0-9-]", "-", label.lower()) or "site"
    base, n = sid, 2
    while any(s.id == sid for s in result.sites):
        sid, n = f"{base}-{n}", n + 1
    site = FoundSite(sid, clean(text), url, "", link_text=clean(text))
    if note:
        site.todo.append(note)
    result.sites.append(site)
    portal_unit = result.sites[0].unit or None
    page = fetcher.page(url, "department site")
    problem = page.problem()
    if problem is not None:
        result.problems.append(problem)
        site.todo.append(f"homepage not read ({problem}): name and 信息公开 entry unchecked")
        _assign_site_unit(result, site, text, fallback=portal_unit)
        return site
    site.name = site_name(page.root) or site.name
    entry = find_link(page.root, ENTRY_TEXTS)
    if entry and _host(entry) == host:
        site.start_urls.append(entry)
    _assign_site_unit(result, site, text, sponsor(page.root), fallback=portal_unit)
    return site


def _read_accounts(result: Discovery, fetcher: PoliteFetcher, url: str) -> None:
    page = fetcher.page(url, "政务新媒体")
    problem = page.problem()
    if problem is not None:
        result.problems.append(f"政务新媒体栏目无法读取：{problem}")
        return
    rows = account_rows(page.root)
    if not rows:
        result.problems.append(f"政务新媒体栏目 {url} 上没有账号表格：[[accounts]] 需人工填写")
        return
    seen: set[str] = set()
    for row in rows:
        if row["name"] in seen:
            continue
        seen.add(row["name"])
        platform = normalize_platform(row["platform"]) if row["platform"] else normalize_platform(row["name"])
        account = FoundAccount(row["name"], platform, row["platform"], None, row["unit"])
        if platform is None:
            account.usable = False
            account.todo.append(f"platform: {row['platform'] or '未注明'!s} is none of {', '.join(PLATFORMS)}")
        if row["unit"]:
            account.unit = _unit_for(result, row["unit"], "开办主体 of an account")
        if account.unit is None:
            account.usable = False
            account.todo.append(f"unit: 开办主体 {row['unit'] or '未注明'!s} matches no unit")
        if any(m in row["status"] for m in CLOSED_MARKERS):
            account.active = False
        _read_source(account, fetcher, row)
        result.accounts.append(account)


def _read_source(account: FoundAccount, fetcher: PoliteFetcher, row: dict[str, Any]) -> None:
    link = row["link"]
    listed_date = parse_post_date(row["date"]) if row["date"] else None
    if not link:
        account.source = "manual"
        if not account.active:
            account.last_post = None
            return
        if listed_date is not None:
            account.last_post = listed_date
            account.todo.append(f"manual: last_post as the portal listed it ({listed_date}); keep it current "
                                "or give a feed")
        else:
            account.usable = False
            account.todo.append("source: the portal links no feed; give a feed or last_post by hand")
        return
    account.url = link
    if not account.active:
        account.source = guess_from_url(link) or "manual"
        return
    fetched = fetcher.get(link, "account source")
    kind = sniff_source(fetched)
    blocked = fetched.outcome is None and looks_blocked(fetched.body, fetched.charset)
    if kind == "html" and not blocked:
        selectors = html_selectors(fetched, account.name)
        if selectors is not None:
            account.source, account.selectors = "html", selectors
            return
        account.todo.append(f"source: {link} is a web page without a dated row for the account")
    elif kind in ("rss", "atom", "jsonfeed"):
        account.source = kind
        return
    guessed = guess_from_url(link)
    reason = ("a captcha/WAF page" if blocked else
              fetched.detail or (fetched.outcome.value if fetched.outcome is not None else "not a feed"))
    if guessed is not None:
        account.source = guessed
        account.todo.append(f"source: {link} could not be read ({reason}); {guessed} guessed from the URL")
        return
    account.source = "manual"
    account.usable = False
    account.todo.append(f"source: {link} could not be read ({reason}); give a feed or last_post by hand")
