"""config.toml sections of the 整改通知 e-mail: [smtp] (how to send) and [notify] (what to send).

The SMTP password is never in config.toml: ``password_env`` names the
environment variable that holds it (default ZWGK_SMTP_PASSWORD).
"""
from __future__ import annotations

from zwgk.config import Field, email_problem

TLS_MODES = ("none", "starttls", "ssl")

CONFIG_SECTIONS = {
    "smtp": {
        "host": Field(str, "localhost", doc="SMTP server"),
        "port": Field(int, 25, min=1, max=65535, doc="25 (none), 587 (starttls) or 465 (ssl)"),
        "tls": Field(str, "starttls", choices=TLS_MODES, doc="none, starttls or ssl"),
        "user": Field(str, "", doc="login name; empty = no login"),
        "password_env": Field(str, "ZWGK_SMTP_PASSWORD",
                              doc="environment variable holding the password (never in this file)"),
        "from_address": Field(str, "", check=email_problem, doc="sender address, e.g. zwgk@jishishan.gov.cn"),
        "from_name": Field(str, "县政务公开办公室", doc="sender name shown to the units"),
        "timeout": Field((int, float), 30, above=0, max=600, doc="seconds for one SMTP exchange"),
    },
    "notify": {
        "deadline_working_days": Field(int, 10, min=1, max=250, doc="整改期限: working days after the check's as_of"),
        "admin_email": Field(str, "", check=email_problem, doc="the administrator, in Cc of every notice"),
        "rate_per_minute": Field((int, float), 20, max=10_000, doc="at most this many messages a minute (0 = no limit)"),
        "sender_org": Field(str, "县政务公开工作领导小组办公室", doc="who signs the notice"),
    },
}
