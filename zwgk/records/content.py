"""What the crawler saw in the text of pages and attachments (the veto content items).

Observations only: the crawler records where a candidate personal number, a hidden link
or a listed serious error sits; the checks (PRV001, LNK005, CNT001) judge.

Personal numbers never leave the crawler in full: ``PersonalDataObs.masked`` is the only
form of the number that exists beyond the scanner (crawler.personal_data), so the store,
reports, notices, exports and logs can only ever show the masked form.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class PersonalKind(str, enum.Enum):
    ID_CARD = "id_card"        # 居民身份证号码 (GB 11643), valid check digit and birth date
    MOBILE = "mobile"          # 手机号码 1[3-9]xxxxxxxxx, in a person context
    BANK_CARD = "bank_card"    # 银行卡号, 16-19 digits valid by Luhn, in a card context


class AttachmentOutcome(str, enum.Enum):
    """How reading one attachment's text went (closed set)."""

    READ = "READ"                  # text read; its observations are stored
    TOO_LARGE = "TOO_LARGE"        # over [attachments] max_bytes: not read (could not verify)
    TIME_LIMIT = "TIME_LIMIT"      # over [attachments] time_limit_s: read up to there
    UNREADABLE = "UNREADABLE"      # damaged or encrypted file, or not the format its name says
    NOT_SUPPORTED = "NOT_SUPPORTED"  # .doc / .wps / scanned images: no reader (could not verify)

    @property
    def complete(self) -> bool:
        return self is AttachmentOutcome.READ


@dataclass(frozen=True)
class PersonalDataObs:
    """One unmasked personal number on a page or in an attachment (shown masked only)."""

    run_id: int
    site_id: str
    url: str                  # the page, or the attachment
    kind: PersonalKind
    masked: str               # 622927********1234, 139****5678, 6222****1234
    position: str             # 表格1 第3行 第3列 / 正文第120字 / Sheet1!C4 / 第2页
    in_attachment: bool
    source_url: str | None    # the page linking the attachment (None for page text)
    context: str              # why it counts: 表头“身份证号”, 标签“手机”… (never digits)
    site_contact: bool        # the same number stands in the site's footer/contact block
    observed_at: datetime


@dataclass(frozen=True)
class HiddenLinkObs:
    """An anchor hidden by style that points outside the crawled sites."""

    run_id: int
    site_id: str
    url: str                  # the page carrying the anchor
    target_url: str
    text: str | None          # the anchor's text (untrusted)
    how: str                  # display:none, visibility:hidden, off-screen, zero size, font-size 0, colour
    observed_at: datetime


@dataclass(frozen=True)
class PhraseObs:
    """A phrase of a watched list (zwgk/data/*.toml, config extras) found in a page's text."""

    run_id: int
    site_id: str
    url: str
    list_name: str            # serious_errors | gambling | pornography | advertising
    phrase: str
    position: str             # 正文第N字
    excerpt: str              # a little text around it (digits masked)
    observed_at: datetime


@dataclass(frozen=True)
class AttachmentScan:
    """One attachment read (or not) for its text, once per content hash."""

    run_id: int
    site_id: str
    url: str
    source_url: str | None
    content_hash: str | None  # sha256 of the bytes (None when not downloaded)
    file_type: str            # xlsx docx pdf xls doc wps …
    size: int | None
    outcome: AttachmentOutcome
    detail: str | None
    seconds: float
    observed_at: datetime


@dataclass(frozen=True)
class ExternalPageObs:
    """What an external link's target page showed (LNK006), fetched at most once a week."""

    run_id: int
    site_id: str
    url: str                      # the external target
    status: int | None            # None: no answer (network error), not judged
    classes: tuple[str, ...]      # keyword classes found: gambling, pornography, advertising
    words: tuple[str, ...]        # the words found (at most a few)
    title: str | None
    observed_at: datetime


@dataclass(frozen=True)
class HomepageTextObs:
    """A homepage's visible text (personal numbers masked, at most 20,000 characters) and the
    keyword classes it carries: SEC001 compares it with an earlier clean one."""

    run_id: int
    site_id: str
    url: str
    text: str
    classes: tuple[str, ...]
    words: tuple[str, ...]
    observed_at: datetime


CONTENT_TYPES = (PersonalDataObs, HiddenLinkObs, PhraseObs, AttachmentScan, ExternalPageObs, HomepageTextObs)
