"""Typed records that cross every boundary of zwgk.

Observations (what the crawler and probes saw) are kept apart from judgments
(findings).  Every observation carries its provenance: the run, the site, the
URL it came from and when it was seen.  Checks read these records and never
reach back into the crawler or the network.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from zwgk.records.probes import ResolveStatus


# HTTP answers that mean a firewall or a rate limit stood between us and the page: "could not
# verify", never "broken" (the crawler, the probes and the 政务新媒体 readers alike).
BLOCKED_STATUSES: frozenset[int] = frozenset({401, 403, 429})


class LinkOutcome(str, enum.Enum):
    """Closed set of outcomes of one link check (lychee-style).

    BROKEN, SOFT_404 and REDIRECT_LOOP can become findings.  TIMEOUT, BLOCKED,
    TLS_ERROR and ERROR may be our own network's fault or a WAF, so they are
    "could not verify", never "broken".  DNS_ERROR and CONNECT_ERROR are too,
    except an NXDOMAIN answer and a refused connection seen while our side was
    healthy (``LinkCheck.site_failure``).
    """

    OK = "OK"
    BROKEN = "BROKEN"            # the server answered with an error status (404, 410, 500 …)
    SOFT_404 = "SOFT_404"        # 200 whose page says 页面不存在, or a deep link redirected to the homepage
    BLOCKED = "BLOCKED"          # 403 from a WAF, 429 rate limit
    TIMEOUT = "TIMEOUT"
    DNS_ERROR = "DNS_ERROR"
    CONNECT_ERROR = "CONNECT_ERROR"
    TLS_ERROR = "TLS_ERROR"
    REDIRECT_LOOP = "REDIRECT_LOOP"
    EXCLUDED = "EXCLUDED"        # not checked on purpose (private address, scheme, config)
    ERROR = "ERROR"              # anything else that went wrong on our side

    @property
    def is_failure(self) -> bool:
        """A failure the site is responsible for (may become a finding once confirmed)."""
        return self in (LinkOutcome.BROKEN, LinkOutcome.SOFT_404, LinkOutcome.REDIRECT_LOOP)


class Severity(str, enum.Enum):
    VETO = "veto"            # 单项否决
    DEDUCTION = "deduction"  # 扣分
    NOTICE = "notice"        # 提示, needs a person


@dataclass(frozen=True)
class Unit:
    """A responsible unit (县政府, a 乡镇 or a 部门) from config.toml."""

    name: str
    type: str                      # 县政府 / 乡镇 / 部门
    email: str = ""
    column_prefixes: tuple[str, ...] = ()
    platform: str = ""             # the unit's 政府信息公开 platform entry: owns what it reaches


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    url: str
    unit: str
    start_urls: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()     # extra host names that belong to the site
    obey_robots_txt: bool | None = None   # None: [crawl] obey_robots_txt
    cms: str | None = None                # a crawler.profiles family name; None: detected
    exclude: tuple[str, ...] = ()         # retired paths (URL prefixes: [crawl] exclude + the site's own)

    def excludes(self, url: str | None) -> bool:
        return bool(url) and any(url.startswith(p) for p in self.exclude)   # type: ignore[union-attr]


@dataclass(frozen=True)
class PageObs:
    """One fetched page, whatever it turned out to be."""

    run_id: int
    site_id: str
    url: str
    kind: str                 # home | entry | column | detail | other
    column_url: str | None
    status: int | None
    encoding: str | None
    charset_mismatch: bool
    title: str | None
    column_name: str | None
    column_type: str | None
    item_count: int
    empty_marker: bool
    referrer: str | None
    depth: int
    fetched_at: datetime
    replacement_chars: int = 0        # U+FFFD left after decoding: mojibake evidence (ENC001)
    site_id_code: str | None = None   # <meta name="SiteIDCode">
    footer_text: str | None = None    # visible text of the page's end (homepages only): 网站标识码, ICP, 公安备案
    badge_links: tuple[str, ...] = () # links/images of the 党政机关网站标识 (conac) and 备案 sites (homepages only)


@dataclass(frozen=True)
class ListItemObs:
    """One entry of a column's list page."""

    run_id: int
    column_url: str
    page_url: str
    url: str
    title: str | None
    item_date: date | None
    item_date_raw: str | None


@dataclass(frozen=True)
class ColumnObs:
    """A column (栏目) as seen on one crawl: its list pages summed up."""

    run_id: int
    site_id: str
    url: str
    name: str | None
    parent_url: str | None
    column_type: str | None
    item_count: int
    newest_date: date | None
    oldest_date: date | None
    pages_seen: int
    empty_marker: bool            # the page says 暂无信息 or similar
    observed_at: datetime


@dataclass(frozen=True)
class DocumentObs:
    """One document (detail page) with both dates and where each came from."""

    run_id: int
    site_id: str
    url: str
    column_url: str | None
    title: str | None
    doc_no: str | None
    index_no: str | None
    publisher: str | None
    doc_date: date | None
    doc_date_source: str | None
    doc_date_raw: str | None
    pub_date: date | None
    pub_date_source: str | None
    pub_date_raw: str | None
    list_date: date | None
    has_metadata_table: bool
    observed_at: datetime


@dataclass(frozen=True)
class LinkObs:
    """One link found on a page: where it sits and where it points."""

    run_id: int
    site_id: str
    source_url: str
    target_url: str
    element: str          # a, img, script, link, iframe
    text: str | None
    internal: bool


@dataclass(frozen=True)
class LinkCheck:
    """One check of one URL, with its time: confirmation compares checks over time.

    For a DNS_ERROR, ``dns`` is our resolver's verdict on the link's host (NXDOMAIN from a
    DNS answer, TIMEOUT, SERVFAIL, ERROR …; None when unknown); for a CONNECT_ERROR,
    ``refused`` says the host refused the connection (a TCP reset to our SYN), as opposed
    to a reset, a closed connection or an unreachable network.  ``healthy`` says whether
    our side was seen working at that moment: another host had answered us over HTTP and,
    for a DNS failure, our resolver had given an address for another name, within the
    crawler's health window (crawler.spiders.disclosure.HEALTH_WINDOW); None when not
    recorded (other outcomes, and rows stored before the field existed).
    """

    run_id: int
    url: str
    outcome: LinkOutcome
    status: int | None
    detail: str | None
    checked_at: datetime
    dns: ResolveStatus | None = None
    refused: bool = False
    healthy: bool | None = None

    @property
    def site_failure(self) -> bool:
        """A failure that is the site's (may become a finding once confirmed): an error
        status, a soft 404 or a redirect loop; or, seen while our side was healthy, an
        NXDOMAIN answer for the link's host or a refused connection.  Our resolver's
        timeouts, SERVFAIL and errors, resets and everything else stay "could not verify"."""
        if self.outcome.is_failure:
            return True
        if self.healthy is not True:
            return False
        if self.outcome is LinkOutcome.DNS_ERROR:
            return self.dns is ResolveStatus.NXDOMAIN
        return self.outcome is LinkOutcome.CONNECT_ERROR and self.refused


@dataclass(frozen=True)
class Finding:
    """A judgment: one rule failed, for one unit, with the evidence to act on it."""

    rule: str
    severity: Severity
    site: str
    unit: str | None
    column: str | None
    url: str | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    as_of: date | None = None

    def key(self) -> tuple[str, str, str]:
        """Identity of a finding across runs (for new / still open / resolved)."""
        return (self.rule, self.site, self.url or self.column or self.unit or "")

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "site": self.site,
            "unit": self.unit,
            "column": self.column,
            "url": self.url,
            "message": self.message,
            "evidence": self.evidence,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


class FindingState(str, enum.Enum):
    """Where a finding stands across checks (kept in the store, advanced by each check run).

    RESOLVED is said only when the subject was observed again, conclusively, and the
    defect was gone: a subject that could not be observed keeps its state, first-seen
    date and deadline, with ``unverifiable`` set for that check.
    """

    NEW = "new"                # 新发现: first seen in this check
    STILL_OPEN = "still_open"  # 未整改: seen again (or not verifiable this time)
    RESOLVED = "resolved"      # 已整改: observed conclusively without the defect
    EXEMPT = "exempt"          # 已豁免: an exemption covers it (not notified, not scored)
    APPEAL = "appeal"          # 申诉中: the unit appealed; a person decides
    EXCLUDED = "excluded"      # 已排除: its path was retired in config ([crawl] exclude); never 已整改

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in (FindingState.NEW, FindingState.STILL_OPEN)


STATE_LABELS = {FindingState.NEW: "新发现", FindingState.STILL_OPEN: "未整改",
                FindingState.RESOLVED: "已整改", FindingState.EXEMPT: "已豁免",
                FindingState.APPEAL: "申诉中", FindingState.EXCLUDED: "已排除"}


@dataclass(frozen=True)
class Unverified:
    """What a check could not judge this time, with where and why: never a defect.

    ``subject`` is what a finding on it would be keyed by (a URL, a column, an account
    key or the site); None for a whole-rule note (e.g. our network was down).
    ``first_seen``/``last_seen`` are the check dates over the unbroken streak of check
    runs that had the same (rule, site, subject); the store fills them in.
    """

    rule: str
    site: str | None
    unit: str | None
    subject: str | None
    reason: str                 # a short class: 网络异常 / 访问受限 / 待复核 / 未观察到 / 提醒 …
    detail: str
    first_seen: date | None = None
    last_seen: date | None = None

    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.site or "", self.subject or "")

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "site": self.site, "unit": self.unit, "subject": self.subject,
                "reason": self.reason, "detail": self.detail,
                "first_seen": self.first_seen.isoformat() if self.first_seen else None,
                "last_seen": self.last_seen.isoformat() if self.last_seen else None}


@dataclass(frozen=True)
class Capture:
    """A response as the crawler received it, kept as evidence for appeals: the body is stored
    zlib-compressed once per content hash (zwgk/store/crawl.py), however many runs saw it."""

    run_id: int
    url: str                      # the URL asked for (a finding's subject)
    final_url: str | None         # after redirects
    status: int | None            # HTTP status (304: the stored body is the one that stood)
    method: str                   # GET | HEAD
    address_family: str | None    # IPv4 | IPv6 (the peer's address), None when unknown
    content_type: str | None
    content_hash: str | None      # sha256 of the body as received; None without a body
    fetched_at: datetime
    body: bytes | None = None     # filled when read back for a report, or when handed to the store
    stored_bytes: int = 0         # compressed size in the store (read back)


@dataclass(frozen=True)
class Appeal:
    """A unit's appeal (申诉) against a finding: open until the defect is gone (已整改) or an
    admin closes it (``rejected``: the finding is open again; ``accepted``: it becomes 已豁免)."""

    rule: str
    subject: str
    reason: str
    created_by: str
    created_at: datetime
    outcome: str | None = None        # None while open | resolved | rejected | accepted
    closed_by: str | None = None
    closed_at: datetime | None = None
    note: str | None = None           # the admin's reason for closing it

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    def covers(self, finding: "Finding") -> bool:
        return self.is_open and finding.rule == self.rule and self.subject in (
            finding.url, finding.column, finding.unit, finding.site, finding.key()[2])


@dataclass(frozen=True)
class Exemption:
    """A person's decision that a finding is not to be notified or scored, until a date."""

    rule: str
    subject: str
    reason: str
    created_by: str
    created_at: datetime
    until: date | None = None

    def active(self, on: date) -> bool:
        return self.until is None or on <= self.until

    def covers(self, finding: "Finding", on: date) -> bool:
        return self.active(on) and finding.rule == self.rule and self.subject in (
            finding.url, finding.column, finding.unit, finding.site, finding.key()[2])
