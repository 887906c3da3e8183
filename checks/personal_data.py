"""PRV001 个人信息泄露: a page or an attachment shows an unmasked personal number.

The crawler (crawler.personal_data) records, masked, each candidate it is sure of: an
18-digit 身份证号 with a real province code and birth date and a valid GB 11643 MOD 11-2
check digit (not a 文号, 索引号 or 统一社会信用代码 digit run); a mobile number
``1[3-9]\\d{9}`` in a person context (a phone column of a table whose header names persons,
a text whose header line names 姓名 and a phone, a sentence that also names 姓名/身份证);
a 16–19-digit bank card number valid by Luhn in a card column of a person table or after a
card label.  Masked forms (``622927********1234``, ``139****5678``) are never candidates.
This check drops the office's own numbers — those in the site's footer or contact block, and
``own_numbers`` from config — and reports one finding per page or attachment.  Evidence
shows only masked numbers and where they stand (page or attachment, table cell, sheet
cell, page of a PDF).  Attachments that could not be read (too large, over the time limit,
.doc/.wps, damaged) are listed as 无法核验; scanned images are not read at all.

Options: ``kinds`` (id_card, mobile, bank_card); ``own_numbers`` ([]: the unit's published
contact mobiles, compared in their masked form, so a collision can only hide a finding);
``min_numbers`` (1) — unmasked numbers on one page or attachment that make a finding.
Source: 《政府信息公开条例》第十五条; provincial 政务公开 通报 2022–2025 (exposed 身份证号, phone
numbers in 公示 pages and their attachments).  A person decides on a 通报.

Passing: a 低保 公示 table with 身份证号 ``622927********1234`` and 电话 ``139****5678``; a
notice giving 监督电话 13993012345 that also stands in the site's footer; 索引号
``622927199001011234/2026-001`` (a digit run labelled 索引号).
Failing: the same table with ``622927199001011237`` (a valid ID) in its 身份证号 column, or an
.xlsx 名单 whose 手机号码 column, beside a 姓名 column, holds ``13993056789``.
"""
from __future__ import annotations

from typing import Any, Iterator

from checks.base import CheckContext, Observations
from zwgk.records import Finding, Severity
from zwgk.records.content import PersonalDataObs, PersonalKind

ID = "PRV001"
NAME = "personal-data"
TITLE = "个人信息泄露"
SEVERITY = Severity.DEDUCTION
SOURCE = "《政府信息公开条例》第十五条；省级政务公开通报（2022–2025）"
READS = PersonalDataObs
DEFAULTS: dict[str, Any] = {"kinds": ["id_card", "mobile", "bank_card"], "own_numbers": [], "min_numbers": 1}

KIND_NAMES = {PersonalKind.ID_CARD: "身份证号", PersonalKind.MOBILE: "手机号", PersonalKind.BANK_CARD: "银行卡号"}


def _masked_mobile(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[:3] + "****" + digits[-4:] if len(digits) == 11 else digits


def check(obs: Observations, conf: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    for scan in obs.attachment_scans:
        if not scan.outcome.complete:
            ctx.could_not_verify(ID, f"附件 {scan.url}: {scan.outcome.value} ({scan.detail or ''})")
    kinds = set(conf["kinds"])
    own = {_masked_mobile(n) for n in conf["own_numbers"]}
    by_url: dict[str, list[PersonalDataObs]] = {}
    for o in obs.personal_data:
        if o.kind.value not in kinds or o.site_contact:
            continue
        if o.kind is PersonalKind.MOBILE and o.masked in own:
            continue
        by_url.setdefault(o.url, []).append(o)
    for url, items in sorted(by_url.items()):
        if len(items) < conf["min_numbers"]:
            continue
        first = items[0]
        where = "附件" if first.in_attachment else "页面"
        counts = {KIND_NAMES[k]: sum(1 for o in items if o.kind is k) for k in PersonalKind}
        said = "、".join(f"{name}{n}个" for name, n in counts.items() if n)
        unit = obs.owner(first.source_url or url, first.site_id)
        yield Finding(
            rule=ID, severity=SEVERITY, site=first.site_id, unit=unit, column=None, url=url,
            message=(f"{where}公开了未脱敏的个人信息：{said}（例如 {first.masked}，位于{first.position}）。"
                     f"请立即撤下或脱敏（如 622927********1234、139****5678）后重新发布。"),
            evidence={"in_attachment": first.in_attachment, "source_page": first.source_url, "counts": counts,
                      "items": [{"kind": o.kind.value, "masked": o.masked, "position": o.position,
                                 "context": o.context} for o in items[:50]]},
            as_of=ctx.as_of)
