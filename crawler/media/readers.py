"""Reading an account's source: fetch over HTTP, parse RSS / Atom / JSON Feed / an HTML list.

Two layers, kept apart so each can be tested on its own:

- ``parse_source(kind, body, charset, selectors)`` is pure: bytes in, a ``Parsed`` (post dates,
  how many posts) out, or ``SourceError`` when the bytes are no such source;
- ``fetch`` does one HTTP(S) GET with a time and size limit, resolving the host through the
  configured nameservers (``zwgk.resolve.resolve``) and connecting to the address it got
  with the Host header and SNI of the name — the testbed's ``.test`` names only exist there.

``read_account`` puts them together into one ``MediaObs``; ``poll`` reads every active account.
A failure of the remote side is an outcome, never an exception.
"""
from __future__ import annotations

import email.utils
import http.client
import json
import re
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree, html as lxml_html

from crawler.dates import parse_date
from crawler.extract import content_type_charset, decode_html
from zwgk.records import BLOCKED_STATUSES
from zwgk.config.media import compile_selector
from zwgk.http import DeadlineExceeded, bounded_max_bytes, connect as deadline_connect
from zwgk.resolve import resolve
from zwgk.records.media import CHINA_TZ, Account, MediaObs, MediaOutcome, local_date

MAX_REDIRECTS = 5
# Text of the pages a WAF or a platform shows instead of content.  Only consulted when the body
# is not the expected source: a real feed may well have 验证码 in a post title.
CAPTCHA_MARKERS = ("验证码", "captcha", "人机验证", "安全验证", "滑动验证", "访问过于频繁", "请完成验证",
                   "访问验证", "安全检查", "verify you are human")
_URL_SAFE = "/%?=&;:@!$'()*+,~-._"
# A post dated more than this after the day it was seen is a bad date, not a fresh post.
FUTURE_SLACK = timedelta(days=1)


class SourceError(Exception):
    """The bytes are not the expected kind of source (the message says why)."""


@dataclass(frozen=True)
class Parsed:
    post_count: int
    dates: tuple[date, ...]    # one per post whose date could be read
    # The first post in document order (feeds and lists put the newest first) had no
    # readable date ("3小时前"): which post is newest is then unknown.
    first_undated: bool = False


@dataclass(frozen=True)
class Fetched:
    """One fetch: either a response (``outcome`` None) or the reason there is none."""

    url: str
    outcome: MediaOutcome | None
    status: int | None = None
    charset: str | None = None
    body: bytes = b""
    detail: str = ""


# -- dates ---------------------------------------------------------------------------------

def parse_post_date(text: str | None) -> date | None:
    """A post's date from RFC 822, ISO 8601 or a Chinese form (2024年6月5日), in China time."""
    if not text or not text.strip():
        return None
    value = text.strip()
    moment: datetime | None = None
    try:
        moment = email.utils.parsedate_to_datetime(value)
        if moment.tzinfo is None:   # "-0000": UTC, origin unknown (RFC 2822)
            moment = moment.replace(tzinfo=timezone.utc)
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None:
        iso = value.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", value) else value
        try:
            moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        except ValueError:
            moment = None
    if moment is not None:
        if moment.tzinfo is None:
            return moment.date()        # a local time: the bridge's, i.e. China time
        return moment.astimezone(CHINA_TZ).date()
    return parse_date(value)


# -- parsing -------------------------------------------------------------------------------

def _xml_root(body: bytes, charset: str | None) -> etree._Element:
    text, _, _ = decode_html(body, charset)
    # lxml refuses a str that still declares its encoding; we decoded it already (GBK included).
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"), count=1)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)
    try:
        root = etree.fromstring(text.strip().encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"not well-formed XML: {exc}") from None
    if root is None:
        raise SourceError("empty document")
    return root


def _local(tag: Any) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(node: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in node:
            if _local(child.tag) == name and (child.text or "").strip():
                return child.text
    return None


def parse_feed_xml(body: bytes, charset: str | None = None) -> Parsed:
    """RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom, whichever the root says."""
    root = _xml_root(body, charset)
    kind = _local(root.tag)
    if kind in ("rss", "rdf"):
        items = [n for n in root.iter() if _local(n.tag) == "item"]
        names: tuple[str, ...] = ("pubdate", "date", "published", "updated", "issued", "modified")
    elif kind == "feed":
        items = [n for n in root if _local(n.tag) == "entry"]
        names = ("published", "issued", "updated", "modified")
    else:
        raise SourceError(f"not a feed: the document is <{kind}>")
    each = [parse_post_date(_child_text(i, *names)) for i in items]
    return Parsed(len(items), tuple(d for d in each if d), bool(each) and each[0] is None)


def parse_json_feed(body: bytes, charset: str | None = None) -> Parsed:
    text, _, _ = decode_html(body, charset)
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise SourceError("not a JSON Feed: no items list")
    items = [i for i in data["items"] if isinstance(i, dict)]
    each = [parse_post_date(_str(i.get("date_published")) or _str(i.get("date_modified"))) for i in items]
    return Parsed(len(items), tuple(d for d in each if d), bool(each) and each[0] is None)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _node_text(node: Any) -> str:
    if isinstance(node, str):
        return node
    return " ".join(" ".join(node.itertext()).split())


def parse_html_list(body: bytes, charset: str | None, selectors: dict[str, str]) -> Parsed:
    """Posts (or account rows) picked by ``selectors``: item, optional date and contains."""
    text, _, _ = decode_html(body, charset)
    try:
        root = lxml_html.fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(f"not HTML: {exc}") from None
    items = compile_selector(selectors["item"])(root)
    if not isinstance(items, list):   # an XPath such as count(//tr) gives a number, not nodes
        raise SourceError(f"selectors.item {selectors['item']!r} does not select nodes")
    contains = selectors.get("contains")
    if contains:
        items = [i for i in items if contains in _node_text(i)]
    if not items:
        raise SourceError(f"the selectors match nothing on the page (item = {selectors['item']!r}"
                          + (f", contains = {contains!r})" if contains else ")"))
    date_sel = compile_selector(selectors["date"]) if selectors.get("date") else None
    dates = []
    first_undated = False
    for k, item in enumerate(items):
        found = date_sel(item) if date_sel is not None and not isinstance(item, str) else [item]
        found = found if isinstance(found, list) else [str(found)]
        parsed = next((d for d in (parse_post_date(_node_text(n)) for n in found) if d), None)
        if parsed:
            dates.append(parsed)
        elif k == 0 and date_sel is not None:
            first_undated = True
    return Parsed(len(items), tuple(dates), first_undated)


def parse_source(kind: str, body: bytes, charset: str | None = None,
                 selectors: dict[str, str] | None = None) -> Parsed:
    """Parse ``body`` as the given kind of source.  RSS and Atom are told apart by the root."""
    if kind in ("rss", "atom"):
        return parse_feed_xml(body, charset)
    if kind == "jsonfeed":
        return parse_json_feed(body, charset)
    if kind == "html":
        return parse_html_list(body, charset, selectors or {})
    raise ValueError(f"no reader for source kind {kind!r}")


def looks_blocked(body: bytes, charset: str | None) -> bool:
    text, _, _ = decode_html(body[:200_000], charset)
    lowered = text.lower()
    return any(marker in lowered for marker in CAPTCHA_MARKERS)


# -- fetching ------------------------------------------------------------------------------

class _Connection(http.client.HTTPConnection):
    """Connects to a given address; the Host header stays the name.  Every read and write
    is bounded by one total deadline (zwgk.http), whatever the sender's pace."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self._deadline = time.monotonic() + timeout

    def connect(self) -> None:
        self.sock = deadline_connect((self._address, self.port), self._deadline)


class _TLSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address
        self._deadline = time.monotonic() + timeout

    def connect(self) -> None:
        self.sock = deadline_connect((self._address, self.port), self._deadline, tls=self._tls,
                                     server_hostname=self.host)


def fetch(url: str, *, nameservers: Sequence[str] = (), dns_timeout: float = 5.0, timeout: float = 15.0,
          max_bytes: int = 5_000_000, user_agent: str = "zwgk") -> Fetched:
    """GET ``url`` (following up to 5 redirects) within ``timeout`` seconds and ``max_bytes``."""
    deadline = time.monotonic() + timeout
    max_bytes = bounded_max_bytes(max_bytes, 5_000_000)
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            return Fetched(url, MediaOutcome.MALFORMED, detail=f"not an http(s) URL: {url}")
        resolution = resolve(host, nameservers, dns_timeout)
        if not resolution.addresses:
            return Fetched(url, MediaOutcome.UNREACHABLE,
                           detail=f"DNS {resolution.status.value}: {host} {resolution.detail}".strip())
        # Chinese in a URL is common on county sites; the request line must be ASCII.
        path = quote(parts.path or "/", safe=_URL_SAFE) + (f"?{quote(parts.query, safe=_URL_SAFE)}"
                                                          if parts.query else "")
        cls = _TLSConnection if parts.scheme == "https" else _Connection
        last_error = ""
        response = None
        for address in resolution.addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Fetched(url, MediaOutcome.UNREACHABLE, detail=f"timeout after {timeout} s")
            conn = cls(host, parts.port, address, remaining)
            try:
                conn.request("GET", path, headers={"User-Agent": _ascii(user_agent), "Accept": "*/*",
                                                   "Accept-Encoding": "identity", "Connection": "close"})
                response = conn.getresponse()
                body, error = _read_body(response, deadline, max_bytes)
            except (OSError, http.client.HTTPException) as exc:
                if isinstance(exc, DeadlineExceeded):
                    conn.close()
                    return Fetched(url, MediaOutcome.UNREACHABLE, detail=f"timeout after {timeout} s")
                last_error = f"{address}: {type(exc).__name__}: {exc}"
                conn.close()
                response = None
                continue
            conn.close()
            break
        if response is None:
            return Fetched(url, MediaOutcome.UNREACHABLE, detail=last_error or "no address answered")
        status = response.status
        if error:
            outcome = MediaOutcome.UNREACHABLE if error.startswith("timeout") else MediaOutcome.MALFORMED
            return Fetched(url, outcome, status, detail=error)
        location = response.getheader("Location")
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        charset = content_type_charset(response.getheader("Content-Type"))
        if status in BLOCKED_STATUSES:
            return Fetched(url, MediaOutcome.BLOCKED, status, charset, body, detail=f"HTTP {status}")
        if not 200 <= status < 300:
            return Fetched(url, MediaOutcome.HTTP_ERROR, status, charset, body, detail=f"HTTP {status}")
        return Fetched(url, None, status, charset, body)
    return Fetched(url, MediaOutcome.HTTP_ERROR, detail=f"more than {MAX_REDIRECTS} redirects")


def _ascii(text: str) -> str:
    return text.encode("ascii", "ignore").decode("ascii").strip() or "zwgk"


def _read_body(response: http.client.HTTPResponse, deadline: float, max_bytes: int) -> tuple[bytes, str]:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            return b"", "timeout while reading the response"
        chunk = response.read(65536)
        if not chunk:
            return b"".join(chunks), ""
        size += len(chunk)
        if size > max_bytes:
            return b"", f"response larger than {max_bytes} bytes"
        chunks.append(chunk)


# -- accounts ------------------------------------------------------------------------------

Fetcher = Callable[[str], Fetched]


def read_account(account: Account, fetcher: Fetcher, now: datetime) -> MediaObs:
    """Read one account's source at ``now`` (timezone-aware) into an observation."""
    def obs(outcome: MediaOutcome, newest: date | None = None, count: int | None = None,
            detail: str = "", status: int | None = None) -> MediaObs:
        return MediaObs(account.name, account.unit, account.platform, account.source, account.key,
                        outcome, newest, count, now, detail, status)

    if account.source == "manual":
        if account.never_posted or account.last_post is None:
            return obs(MediaOutcome.NO_POSTS, count=None, detail="人工登记：从未发布")
        return obs(MediaOutcome.OK, account.last_post, None, "人工登记")
    fetched = fetcher(account.url.split("#", 1)[0])
    if fetched.outcome is not None:
        return obs(fetched.outcome, detail=fetched.detail, status=fetched.status)
    try:
        parsed = parse_source(account.source, fetched.body, fetched.charset, dict(account.selectors))
    except SourceError as exc:
        blocked = looks_blocked(fetched.body, fetched.charset)
        outcome = MediaOutcome.BLOCKED if blocked else MediaOutcome.MALFORMED
        detail = f"captcha or block page instead of the source ({exc})" if blocked else str(exc)
        return obs(outcome, detail=detail, status=fetched.status)
    if parsed.post_count == 0:
        return obs(MediaOutcome.NO_POSTS, count=0, status=fetched.status)
    limit = local_date(now) + FUTURE_SLACK
    usable = [d for d in parsed.dates if d <= limit]
    ignored = len(parsed.dates) - len(usable)
    # The newest post is unknown when it carries an impossible (future) or unreadable date:
    # judging an older post instead would be a false MED001.  MED002 (无法核验).
    if ignored:
        return obs(MediaOutcome.UNDATED, count=parsed.post_count, status=fetched.status,
                   detail=f"{ignored} post(s) dated after {limit}: the newest post's date is impossible")
    if parsed.first_undated:
        return obs(MediaOutcome.UNDATED, count=parsed.post_count, status=fetched.status,
                   detail="the newest (first) post has no readable date")
    note = ""
    if not usable:
        return obs(MediaOutcome.UNDATED, count=parsed.post_count, status=fetched.status,
                   detail=note or "no post carries a readable date")
    return obs(MediaOutcome.OK, max(usable), parsed.post_count, note, fetched.status)


def poll(accounts: Iterable[Account], now: datetime, fetcher: Fetcher, workers: int = 4) -> list[MediaObs]:
    """Read every active account once; inactive (closed) accounts are skipped."""
    active = [a for a in accounts if a.active]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda a: read_account(a, fetcher, now), active))


def config_fetcher(config: Any) -> Fetcher:
    """A fetcher with the config's nameservers and [media] limits."""
    from zwgk.config.media import media_settings

    media = media_settings(config)
    network = config.network

    def fetcher(url: str) -> Fetched:
        return fetch(url, nameservers=network["nameservers"], dns_timeout=network["dns_timeout"],
                     timeout=media["timeout"], max_bytes=media["max_response_bytes"],
                     user_agent=media["user_agent"])
    return fetcher
