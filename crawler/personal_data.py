"""Finding personal numbers in text and tables, masked before anything leaves this module.

A candidate is recorded only when it is very likely a real person's number, because a
false 个人信息泄露 notice is worse than a missed one:

- 身份证号: 18 characters, a real province code, a real birth date (1900 … today), and the
  GB 11643-1999 MOD 11-2 check digit; not when labelled as a 文号, 索引号, 统一社会信用代码,
  编号 … (digit runs of documents and organisations);
- 手机号 ``1[3-9]\\d{9}``: only in a person context — a table whose header names persons
  (姓名, 户主, 申请人 …) in a phone column (电话, 手机, 联系方式), a text whose header line names
  姓名 and a phone, or a sentence that also says 姓名 / 身份证; never under 监督/咨询/举报/办公/
  值班 phone labels, never in a directory of officials (a 职务, 单位, 科室 or 联系人 column) and
  never beside an office landline in the same cell;
- 银行卡号: 16–19 digits valid by Luhn, in a card column (卡号, 银行卡, 账号, 一卡通 …) of a
  person table, or right after a card label in text, not after 户名/开户/单位 (accounts of
  organisations are published on purpose).

Masked forms (``622927********1234``, ``139****5678``) never match: they contain no 18 or
11-digit run.  Only :func:`mask` output is returned; the full number exists only inside
the scanning functions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Sequence

from zwgk.records.content import PersonalKind

ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9})(?![0-9A-Za-z])")
CARD_RE = re.compile(r"(?<![0-9A-Za-z])(\d{16,19})(?![0-9A-Za-z])")
# GB/T 2260 province-level codes (the first two digits of an ID number).
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
             52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

ID_LABEL = re.compile(r"身份证|证件号|公民身份")
NON_ID_LABEL = re.compile(r"文号|索引号|信用代码|统一代码|编号|编码|代码|订单|流水号|条码|登记号|注册号|"
                          r"许可证|证书号|批准号|档案号|项目号|合同号|票号|发票|序列号|账号|账户|卡号")
PERSON_HEADER = re.compile(r"姓名|户主|申请人|名字|受助|救助对象|补助对象|补贴对象|学生|患者|农户|家庭成员|"
                           r"被征收人|承包人|领取人|获奖人|参保人")
# A directory of officials and offices, published on purpose: its mobiles are contacts, not leaks.
STAFF_HEADER = re.compile(r"职务|职位|职称|分管|岗位职责|^单位$|单位名称|处室|科室|部门|联系人")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[-－—]\d{7,8}(?!\d)")
PHONE_HEADER = re.compile(r"电话|手机|联系方式|联系号码|号码")
OFFICE_PHONE = re.compile(r"监督|举报|咨询|投诉|办公|值班|服务|热线|单位|传真|受理")
CARD_HEADER = re.compile(r"卡号|银行卡|账号|账户|存折|一卡通|社保卡")
CARD_LABEL = re.compile(r"(?:银行卡号?|卡号|一卡通|社保卡号?|存折号?|银行账号)[码]?\s*[:：]?\s*$")
ORG_ACCOUNT = re.compile(r"户名|开户|单位|收款|账户名称|对公")
PERSON_TEXT = re.compile(r"姓名|身份证|户主|申请人")
LONG_DIGITS = re.compile(r"\d{11}")   # every number looked for has 11 digits or more: a cheap first test
HEADER_LINE = re.compile(r"姓名.{0,30}(?:电话|手机|联系方式)|(?:电话|手机|联系方式).{0,30}姓名")


@dataclass(frozen=True)
class Candidate:
    kind: PersonalKind
    masked: str
    position: str
    context: str
    number_key: str      # the number's masked form keyed for site-contact comparison (not the number)


def mask(kind: PersonalKind, number: str) -> str:
    """The only form a number leaves this module in (the forms sites use when they mask)."""
    if kind is PersonalKind.ID_CARD:
        return number[:6] + "*" * 8 + number[-4:]
    if kind is PersonalKind.MOBILE:
        return number[:3] + "****" + number[-4:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def valid_id(number: str, today: date) -> bool:
    """GB 11643: province code, a real birth date not in the future, the MOD 11-2 check digit."""
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in PROVINCES:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > today:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS))
    return ID_CHECK[total % 11] == number[17].upper()


def luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask_text(text: str, today: date | None = None) -> str:
    """``text`` with every ID number, mobile number and Luhn-valid card number masked (for
    excerpts, titles, footers and anchor texts that the crawler stores)."""
    today = today or date.today()
    text = ID_RE.sub(lambda m: mask(PersonalKind.ID_CARD, m.group(1)) if valid_id(m.group(1), today)
                     else m.group(1), text)
    text = CARD_RE.sub(lambda m: mask(PersonalKind.BANK_CARD, m.group(1)) if luhn(m.group(1)) else m.group(1),
                       text)
    return MOBILE_RE.sub(lambda m: mask(PersonalKind.MOBILE, m.group(1)), text)


def mobiles_in(text: str) -> set[str]:
    """Masked forms of the mobile numbers in a text (a site's own footer / contact block)."""
    return {mask(PersonalKind.MOBILE, m.group(1)) for m in MOBILE_RE.finditer(text)}


def at_cell(where: str) -> Callable[[int], str]:
    """A position naming one table cell, whatever the offset inside it."""
    def position(_offset: int) -> str:
        return where
    return position


def table_cells(n: int) -> Callable[[int, int], str]:
    """``cell(r, c)`` of the n-th table of a page or document: 表格n 第r行 第c列."""
    def cell(r: int, c: int) -> str:
        return f"表格{n} 第{r}行 第{c}列"
    return cell


@dataclass(frozen=True)
class TableBlock:
    """A table: rows of cell texts; ``cell(r, c)`` names a cell for the evidence (1-based)."""

    rows: Sequence[Sequence[str]]
    cell: Callable[[int, int], str]


@dataclass(frozen=True)
class TextBlock:
    text: str
    where: str          # 正文 / 第2页 / 第5段: the position is where + 第N字


def scan(tables: Iterable[TableBlock], texts: Iterable[TextBlock], today: date) -> list[Candidate]:
    out: list[Candidate] = []
    for table in tables:
        out += _scan_table(table, today)
    for block in texts:
        out += _scan_text(block, today)
    return out


def _ids(text: str, today: date, label: str | None, position: Callable[[int], str]) -> Iterable[Candidate]:
    for m in ID_RE.finditer(text):
        number = m.group(1)
        if not valid_id(number, today):
            continue
        before = text[max(0, m.start() - 15):m.start()]
        own_label = label or ""
        near_id = ID_LABEL.search(before) or ID_LABEL.search(own_label)
        if not near_id and (NON_ID_LABEL.search(before) or NON_ID_LABEL.search(own_label)):
            continue
        context = f"表头“{label}”" if label else ("标签“身份证”" if near_id else "18位身份证号格式")
        masked = mask(PersonalKind.ID_CARD, number)
        yield Candidate(PersonalKind.ID_CARD, masked, position(m.start()), context, masked)


def _scan_table(table: TableBlock, today: date) -> list[Candidate]:
    rows = [list(r) for r in table.rows]
    header_at, labels = -1, []
    for i, row in enumerate(rows[:5]):
        if any(PERSON_HEADER.search(c) or ID_LABEL.search(c) or PHONE_HEADER.search(c) for c in row
               if len(c) <= 20):
            header_at, labels = i, [" ".join(c.split()) for c in row]
            break
    person = any(PERSON_HEADER.search(l) for l in labels) and not any(STAFF_HEADER.search(l) for l in labels)
    out: list[Candidate] = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if r == header_at or not LONG_DIGITS.search(text):
                continue
            label = labels[c] if header_at >= 0 and r > header_at and c < len(labels) else None
            where = table.cell(r + 1, c + 1)
            out += _ids(text, today, label, at_cell(where))
            if not person or label is None:
                continue
            # A mobile beside an office landline in one cell is an office contact.
            if PHONE_HEADER.search(label) and not OFFICE_PHONE.search(label) and not LANDLINE.search(text):
                for m in MOBILE_RE.finditer(text):
                    masked = mask(PersonalKind.MOBILE, m.group(1))
                    out.append(Candidate(PersonalKind.MOBILE, masked, where, f"表头“{label}”（含姓名列的表格）",
                                         masked))
            if CARD_HEADER.search(label):
                for m in CARD_RE.finditer(text):
                    if luhn(m.group(1)) and not valid_id(m.group(1), today):
                        masked = mask(PersonalKind.BANK_CARD, m.group(1))
                        out.append(Candidate(PersonalKind.BANK_CARD, masked, where,
                                             f"表头“{label}”（含姓名列的表格）", masked))
    return out


def _scan_text(block: TextBlock, today: date) -> list[Candidate]:
    text = block.text
    position = lambda pos: f"{block.where}第{pos + 1}字"  # noqa: E731
    out = list(_ids(text, today, None, position))
    header = HEADER_LINE.search(text)
    for m in MOBILE_RE.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        after = text[m.end():m.end() + 20]
        label = before[-10:]
        if OFFICE_PHONE.search(label):
            continue
        if PERSON_TEXT.search(before) or PERSON_TEXT.search(after):
            context = "同一句中有姓名或身份证号"
        elif header and header.start() < m.start():
            context = "表头行含“姓名”和电话"
        else:
            continue
        masked = mask(PersonalKind.MOBILE, m.group(1))
        out.append(Candidate(PersonalKind.MOBILE, masked, position(m.start()), context, masked))
    for m in CARD_RE.finditer(text):
        number = m.group(1)
        before = text[max(0, m.start() - 40):m.start()]
        if not CARD_LABEL.search(before) or ORG_ACCOUNT.search(before) or not luhn(number):
            continue
        if len(number) == 18 and valid_id(number, today):
            continue   # an ID number already
        masked = mask(PersonalKind.BANK_CARD, number)
        out.append(Candidate(PersonalKind.BANK_CARD, masked, position(m.start()), "标签“卡号”", masked))
    return out
