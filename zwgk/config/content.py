"""config.toml section [attachments]: reading attachments' text for PRV001 (个人信息泄露).

The crawler downloads each in-site attachment it can read (.xlsx, .docx, .pdf text layer,
.xls) once per crawl, reads each content hash once, and records only masked numbers.
"""
from __future__ import annotations

from zwgk.config import Field

CONFIG_SECTIONS = {
    "attachments": {
        "read": Field(bool, True, doc="read attachments' text for personal numbers (PRV001)"),
        "max_bytes": Field(int, 10_000_000, doc="attachments larger than this are not downloaded for "
                                                "reading (listed as 无法核验)"),
        "time_limit_s": Field((int, float), 20, doc="seconds of reading per attachment; a longer one is read "
                                                   "up to there and listed as 无法核验"),
    },
}
