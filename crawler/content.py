"""The content observer: what a page or an attachment shows for PRV001, LNK005 and CNT001.

No Scrapy here; the spider hands over each parsed page tree and each downloaded
attachment and yields what comes back.  Personal numbers are masked inside
crawler.personal_data; nothing in the returned records can give a full number back.

Each attachment is read once per content hash: the bytes' sha256 is stored with the scan,
and bytes read before (in this crawl or an earlier complete one) reuse the observations of
that read instead of being parsed again.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Callable, Iterable

from crawler import attachments as readers
from crawler.page_content import WS, blocks, hidden_links
from crawler.personal_data import Candidate, mask_text, mobiles_in, scan
from zwgk.clock import utcnow as _now
from zwgk.records.content import (AttachmentOutcome, AttachmentScan, ExternalPageObs, HiddenLinkObs,
                                  HomepageTextObs, PersonalDataObs, PhraseObs)
from zwgk.watchlists import serious_errors, words_of

# [attachments] in config.toml (zwgk.config.content); the spider's defaults when it runs alone.
DEFAULT_SETTINGS = {"read": True, "max_bytes": 10_000_000, "time_limit_s": 20.0}




@dataclass
class ContentObserver:
    run_id: int
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    extra_errors: tuple[str, ...] = ()          # [rules.CNT001] extra
    # content hash -> the personal-data observations of an earlier read of those bytes
    known_hashes: dict[str, list[PersonalDataObs]] = field(default_factory=dict)
    site_contacts: dict[str, set[str]] = field(default_factory=dict)   # site -> masked footer mobiles
    today: date = field(default_factory=date.today)
    stats: dict[str, float] = field(default_factory=lambda: {"attachments_read": 0, "attachment_bytes": 0,
                                                              "attachment_seconds": 0.0, "hash_reuses": 0})

    @property
    def phrases(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([e.wrong for e in serious_errors()] + list(self.extra_errors)))

    # -- pages -----------------------------------------------------------------------------------
    def observe_page(self, site_id: str, url: str, root: Any, outside: Callable[[str], bool],
                     homepage: bool = False) -> list[Any]:
        at = _now()
        parts = blocks(root)
        contacts = self.site_contacts.setdefault(site_id, set())
        contacts |= mobiles_in(parts.footer_text)
        out: list[Any] = self._personal(site_id, url, scan(parts.tables, [parts.text], self.today), False, None, at)
        for target, text, how in hidden_links(root, url, outside):
            out.append(HiddenLinkObs(self.run_id, site_id, url, target, mask_text(text, self.today) or None, how, at))
        # The text a visitor reads, from the blocks already walked: running text, tables, footer.
        text = WS.sub("", "\n".join([parts.text.text, *("".join(r) for t in parts.tables for r in t.rows),
                                     parts.footer_text]))
        for phrase in self.phrases:
            start = text.find(phrase)
            if start >= 0:
                excerpt = mask_text(text[max(0, start - 20):start + len(phrase) + 20], self.today)
                out.append(PhraseObs(self.run_id, site_id, url, "serious_errors", phrase, f"正文第{start + 1}字",
                                     excerpt, at))
        if homepage:
            found = words_of(text)
            out.append(HomepageTextObs(self.run_id, site_id, url, mask_text(text[:20_000], self.today),
                                       tuple(sorted(found)), tuple(w for ws in found.values() for w in ws)[:8], at))
        return out

    def _personal(self, site_id: str, url: str, found: Iterable[Candidate], in_attachment: bool,
                  source_url: str | None, at: datetime) -> list[PersonalDataObs]:
        contacts = self.site_contacts.get(site_id, set())
        seen: set[tuple[str, str]] = set()
        out = []
        for c in found:
            if (c.masked, c.position) in seen:
                continue
            seen.add((c.masked, c.position))
            out.append(PersonalDataObs(self.run_id, site_id, url, c.kind, c.masked, c.position, in_attachment,
                                       source_url, c.context, c.kind.value == "mobile" and c.number_key in contacts,
                                       at))
        return out

    # -- attachments -----------------------------------------------------------------------------
    def wants(self, url: str) -> str | None:
        """The attachment type to read at ``url``, or None (not an attachment, or reading is off)."""
        return readers.file_type(url) if self.settings["read"] else None

    def observe_attachment(self, site_id: str, url: str, source_url: str | None, body: bytes) -> list[Any]:
        ftype = readers.file_type(url) or "?"
        at = _now()
        digest = hashlib.sha256(body).hexdigest()
        started = time.monotonic()
        if digest in self.known_hashes:
            self.stats["hash_reuses"] += 1
            reused = [replace(o, run_id=self.run_id, site_id=site_id, url=url, source_url=source_url,
                              observed_at=at) for o in self.known_hashes[digest]]
            return [*reused, AttachmentScan(self.run_id, site_id, url, source_url, digest, ftype, len(body),
                                            AttachmentOutcome.READ, "same bytes read before: not read again",
                                            0.0, at)]
        got = readers.read(body, ftype, int(self.settings["max_bytes"]), float(self.settings["time_limit_s"]))
        found = self._personal(site_id, url, scan(got.tables, got.texts, self.today), True, source_url, at)
        seconds = time.monotonic() - started
        self.stats["attachments_read"] += 1
        self.stats["attachment_bytes"] += len(body)
        self.stats["attachment_seconds"] += seconds
        if got.outcome is AttachmentOutcome.READ:
            self.known_hashes[digest] = found
        return [*found, AttachmentScan(self.run_id, site_id, url, source_url, digest, ftype, len(body), got.outcome,
                                       got.detail, round(seconds, 3), at)]

    def attachment_failed(self, site_id: str, url: str, source_url: str | None, outcome: AttachmentOutcome,
                          detail: str) -> AttachmentScan:
        return AttachmentScan(self.run_id, site_id, url, source_url, None, readers.file_type(url) or "?", None,
                              outcome, detail[:300], 0.0, _now())

    # -- external link targets (LNK006) -------------------------------------------------------
    def external_page(self, site_id: str, url: str, status: int | None, title: str | None,
                      text: str) -> ExternalPageObs:
        found = words_of(text)
        words = tuple(w for ws in found.values() for w in ws)[:8]
        return ExternalPageObs(self.run_id, site_id, url, status, tuple(sorted(found)), words,
                               mask_text(title, self.today) if title else None, _now())
