"""`zwgk notify`: one 整改通知 per unit by e-mail, through a persistent outbox.

For the latest complete check run, each unit's findings (all of them are new
or still open: see reports/lifecycle.py) become one notice, HTML and plain
text, To: the unit's address from config.toml, Cc: [notify] admin_email.

The outbox lives in the store (reports/outbox_schema.py).  A notice is queued
once per (unit, check run); queuing the notices of a newer run supersedes the
older ones still waiting.  Sending claims a queued message (status
``claimed``, after any rate-limit wait), marks it ``sending`` once the server
accepted MAIL FROM, hands it over, and marks it ``sent``
in the transaction that follows the server's 250.  A refusal or a connection
failure before the message content went out puts it back in the queue with
the error and the attempt count; the next `zwgk notify` retries it.  If the
connection breaks while the content is on its way, nobody knows whether the
server took it: the message stays ``sending`` ("uncertain"), is never
retried automatically, and its stable Message-ID is in the log so the mail
server's log can tell; ``--requeue-uncertain`` puts such messages back.

Untrusted text (crawled titles, unit names) is escaped in the HTML and can
never make a header: every header value goes through ``one_line``.
The SMTP password comes only from the environment variable named by
[smtp] password_env, and is never printed or logged.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlsplit

from reports import _env, severity_label
from reports.lifecycle import Lifecycle, State, load_lifecycle
from zwgk.config.notify import TLS_MODES
from zwgk.config import Config, ConfigError
from zwgk.records import Finding, Severity
from reports.routing import leads
from zwgk.store.outbox import OutboxTable
from zwgk.workdays import WorkdayCalendar, calendar_for

UNASSIGNED = "（未归属单位）"
_SEVERITY_ORDER = {Severity.VETO: 0, Severity.DEDUCTION: 1, Severity.NOTICE: 2}
# Everything that could end a header line or confuse a mail client.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_ADDR = re.compile(r"[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\]+")


def one_line(text: str | None) -> str:
    """Control characters (CR, LF, TAB …) become one space: the text cannot start a header line."""
    return _CONTROL.sub(" ", text or "").strip()


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# -- view-models --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoticeItem:
    rule: str
    rule_title: str
    severity: str
    state: str                 # new | still_open
    message: str
    link: str | None           # an http(s) URL, the only kind that becomes a link
    location: str | None       # anything else that says where (column URL, site)
    first_seen_text: str
    days_open: int
    lead_task: str | None = None     # set on a 牵头单位's copy of another unit's finding
    responsible: str | None = None   # the unit that must fix it, on such a copy
    deadline_text: str = ""          # 整改期限: set at the first notice, never moved
    overdue_days: int = 0            # 逾期 N 个工作日
    unverifiable: bool = False       # 本次无法核验: kept open, not resolved
    key: tuple[str, str, str] = ("", "", "")
    deadline: date | None = None


@dataclass(frozen=True)
class ResolvedItem:
    rule: str
    rule_title: str
    message: str


@dataclass(frozen=True)
class NoticeView:
    county: str
    unit: str
    unit_type: str
    email: str
    as_of: date
    as_of_text: str
    deadline: date
    deadline_text: str
    deadline_working_days: int
    sender_org: str
    check_run_id: int
    items: tuple[NoticeItem, ...]
    resolved: tuple[ResolvedItem, ...]
    unknown_years: tuple[int, ...]
    check_number: int = 0            # 第 N 次检查: counted among check runs only
    lead_emails: tuple[str, ...] = ()  # 牵头单位 copied on an overdue notice

    @property
    def own(self) -> tuple[NoticeItem, ...]:
        return tuple(i for i in self.items if not i.lead_task)

    @property
    def supervised(self) -> tuple[NoticeItem, ...]:
        return tuple(i for i in self.items if i.lead_task)

    @property
    def new_count(self) -> int:
        return sum(i.state == State.NEW.value for i in self.own)

    @property
    def still_open_count(self) -> int:
        return sum(i.state == State.STILL_OPEN.value for i in self.own)

    @property
    def unverifiable_count(self) -> int:
        return sum(i.unverifiable for i in self.own)

    @property
    def overdue(self) -> tuple[NoticeItem, ...]:
        return tuple(i for i in self.own if i.overdue_days > 0)

    @property
    def subject(self) -> str:
        if self.overdue:
            return one_line(f"督办通知：{self.unit}有{len(self.overdue)}项问题逾期未整改"
                            f"（最长逾期{max(i.overdue_days for i in self.overdue)}个工作日，{self.as_of_text}）")
        supervised = f"，督促整改{len(self.supervised)}项" if self.supervised else ""
        return one_line(f"整改通知：{self.unit}政府网站与政务公开检查发现问题{len(self.own)}项{supervised}"
                        f"（{self.as_of_text}，请于{self.deadline_text}前整改）")


@dataclass(frozen=True)
class Skipped:
    unit: str
    findings: int
    reason: str


def _rule_title(rule: str, rules: Mapping[str, Any]) -> str:
    module = rules.get(rule)
    return getattr(module, "TITLE", "") if module is not None else ""


def _link(url: str | None) -> str | None:
    if url and urlsplit(url).scheme in ("http", "https"):
        return one_line(url)
    return None


def build_notices(*, lifecycle: Lifecycle, units: Sequence[Any], county: str, check_run_id: int,
                  as_of: date, calendar: WorkdayCalendar, deadline_working_days: int, sender_org: str,
                  rules: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]] = (), check_number: int = 0
                  ) -> tuple[list[NoticeView], list[Skipped]]:
    """One NoticeView per unit with open findings, in config order; the rest are Skipped with why.

    A finding under a 方案 task's rules also goes, marked as such, to the task's 牵头单位
    (config [[tasks]]), which supervises the rectification."""
    deadline = calendar.add_workdays(as_of, deadline_working_days)
    unknown = tuple(sorted(y for y in calendar.unknown_years() if y >= as_of.year))
    by_unit: dict[str, list[tuple[Any, str | None]]] = {}   # unit -> (tracked finding, 牵头任务 or None)
    for t in lifecycle.open:
        if getattr(rules.get(t.finding.rule), "NOTIFY", True) is False:
            continue   # e.g. MED002 无法核验: shown in the report, never sent as a defect
        by_unit.setdefault(t.finding.unit or UNASSIGNED, []).append((t, None))
        for lead_unit, task_name in leads(t.finding, tasks):
            by_unit.setdefault(lead_unit, []).append((t, task_name))
    resolved_by_unit: dict[str, list[Finding]] = {}
    for f in lifecycle.resolved:
        resolved_by_unit.setdefault(f.unit or UNASSIGNED, []).append(f)
    config_units = {u.name: u for u in units}
    order = {u.name: i for i, u in enumerate(units)}
    notices: list[NoticeView] = []
    skipped: list[Skipped] = []
    for name in sorted(by_unit, key=lambda n: (order.get(n, 10_000), n)):
        tracked = by_unit[name]
        unit = config_units.get(name)
        if unit is None:
            skipped.append(Skipped(one_line(name), len(tracked), "单位未在 config.toml 中配置"))
            continue
        if not _ADDR.fullmatch(unit.email or ""):
            skipped.append(Skipped(one_line(name), len(tracked), "单位未配置有效的 email"))
            continue
        tracked = sorted(tracked, key=lambda e: (e[1] is not None, _SEVERITY_ORDER.get(e[0].finding.severity, 9), e[0].finding.rule,
                                                 e[0].finding.url or e[0].finding.column or ""))
        def due(t: Any) -> date:
            return t.deadline or deadline

        def overdue(t: Any) -> int:
            return calendar.workdays_between(due(t), as_of) if as_of > due(t) else 0

        items = tuple(
            NoticeItem(rule=t.finding.rule, rule_title=_rule_title(t.finding.rule, rules),
                       severity=severity_label(t.finding.severity), state=t.state.value,
                       message=one_line(t.finding.message), link=_link(t.finding.url),
                       location=None if _link(t.finding.url) else one_line(
                           t.finding.url or t.finding.column or t.finding.site) or None,
                       first_seen_text=cn_date(t.first_seen), days_open=t.days_open(as_of),
                       lead_task=one_line(task) if task else None,
                       responsible=one_line(t.finding.unit) if task else None,
                       deadline_text=cn_date(due(t)), overdue_days=overdue(t), unverifiable=t.unverifiable,
                       key=t.finding.key(), deadline=t.deadline)
            for t, task in tracked)
        lead_emails = tuple(sorted({config_units[lu].email for t, task in tracked if not task and overdue(t)
                                    for lu, _ in leads(t.finding, tasks)
                                    if lu in config_units and lu != name and _ADDR.fullmatch(config_units[lu].email or "")}))
        resolved = tuple(ResolvedItem(f.rule, _rule_title(f.rule, rules), one_line(f.message))
                         for f in resolved_by_unit.get(name, []))
        notices.append(NoticeView(
            county=one_line(county), unit=one_line(name), unit_type=unit.type, email=unit.email,
            as_of=as_of, as_of_text=cn_date(as_of), deadline=deadline, deadline_text=cn_date(deadline),
            deadline_working_days=deadline_working_days, sender_org=one_line(sender_org),
            check_run_id=check_run_id, items=items, resolved=resolved, unknown_years=unknown,
            check_number=check_number or check_run_id, lead_emails=lead_emails))
    return notices, skipped


def render_notice_html(view: NoticeView) -> str:
    return _env.get_template("notice.html.j2").render(n=view)


def render_notice_text(view: NoticeView) -> str:
    return _env.get_template("notice.txt.j2").render(n=view)


# -- the message ----------------------------------------------------------------------------------
def message_id(check_run_id: int, unit: str, as_of: date, sender: str) -> str:
    """Stable for one (check run, unit): a message queued again is recognisably the same one."""
    digest = hashlib.sha256(unit.encode("utf-8")).hexdigest()[:16]
    domain = sender.rsplit("@", 1)[1] if "@" in sender else "zwgk.invalid"
    return f"<zwgk-notice.{as_of:%Y%m%d}.run{check_run_id}.{digest}@{one_line(domain)}>"


def compose(view: NoticeView, *, sender: str, sender_name: str, admin: str, msgid: str,
            now: datetime) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = view.subject
    msg["From"] = Address(display_name=one_line(sender_name), addr_spec=sender)
    msg["To"] = Address(display_name=view.unit, addr_spec=view.email)
    cc = ([admin] if admin and admin != view.email else []) + [e for e in view.lead_emails
                                                              if e not in (view.email, admin)]
    if cc:
        msg["Cc"] = ", ".join(str(Address(addr_spec=a)) for a in cc)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = msgid
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render_notice_text(view), subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(render_notice_html(view), subtype="html", charset="utf-8", cte="base64")
    return msg


def recipients_of(view: NoticeView, admin: str) -> list[str]:
    out = [view.email] + ([admin] if admin and admin != view.email else [])
    # An overdue notice goes also to the 牵头单位 of the overdue items' tasks.
    return out + [e for e in view.lead_emails if e not in out]


# -- the outbox -------------------------------------------------------------------------------------
@dataclass
class SendResult:
    sent: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _Rejected(Exception):
    """The server refused before taking the content: safe to try again later."""


class _Uncertain(Exception):
    """The connection failed while the content was on its way: it may have been delivered."""




class Outbox(OutboxTable):
    """The outbox with its sender: ``queue`` takes a composed message, ``send`` hands every
    queued one to the SMTP server once (the rows' states live in zwgk.store.outbox)."""

    def queue(self, unit: str, check_run_id: int, msg: EmailMessage, recipients: list[str],
              findings: int) -> bool:
        """Queue a notice unless this (unit, run) already has one; True when newly queued."""
        return self.add(unit, check_run_id, msg["Message-ID"], msg["From"].addresses[0].addr_spec, recipients,
                        str(msg["Subject"]), msg.as_bytes(policy=policy.SMTP), findings)

    def send(self, smtp_conf: Mapping[str, Any], password: str | None, *, rate_per_minute: float = 0,
             connect: Callable[[Mapping[str, Any], str | None], Any] | None = None,
             sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.monotonic) -> SendResult:
        """Send every queued message once; see the module docstring for what a failure does."""
        result = SendResult()
        self.release_dead_claims()
        rows = self.rows("queued")
        if not rows:
            return result
        connect = connect or smtp_connect
        try:
            conn = connect(smtp_conf, password)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"connect {smtp_conf['host']}:{smtp_conf['port']}: {_describe(exc)}"
            result.errors.append(error)
            for row in rows:
                self.fail(row, error, claimed=False)
                result.failed.append({"unit": row["unit"], "message_id": row["message_id"], "error": error})
            return result
        interval = 60.0 / rate_per_minute if rate_per_minute else 0.0
        last: float | None = None
        try:
            for i, row in enumerate(rows):
                # The rate limit waits before the claim: a notify killed while waiting leaves
                # the notice queued, untouched.
                if last is not None and interval:
                    wait = last + interval - clock()
                    if wait > 0:
                        sleep(wait)
                if not self.claim(row, os.getpid()):
                    continue   # another `zwgk notify` took it
                last = clock()

                def started(row: Any = row) -> None:
                    self.mark_sending(row)
                entry = {"unit": row["unit"], "message_id": row["message_id"]}
                try:
                    accepted, refused = _transmit(conn, row["sender"], json.loads(row["recipients"]),
                                                  bytes(row["message"]), started)
                except _Rejected as exc:
                    self.fail(row, str(exc), claimed=True)
                    result.failed.append({**entry, "error": str(exc)})
                    continue
                except _Uncertain as exc:
                    self.mark_uncertain(row, str(exc))
                    result.uncertain.append({**entry, "error": str(exc)})
                    result.errors.append(f"{row['unit']}: {exc}")
                    break
                except (OSError, smtplib.SMTPException) as exc:
                    # Before the content: the server went away; the rest waits for the next run.
                    error = _describe(exc)
                    self.fail(row, error, claimed=True)
                    result.failed.append({**entry, "error": error})
                    result.errors.append(f"{row['unit']}: {error}")
                    for rest in rows[i + 1:]:
                        self.fail(rest, f"not tried: {error}", claimed=False)
                        result.failed.append({"unit": rest["unit"], "message_id": rest["message_id"],
                                              "error": f"not tried: {error}"})
                    break
                detail = ("refused: " + "; ".join(f"{a} {c}" for a, c in refused.items())) if refused else None
                self.mark_sent(row, accepted, detail)
                result.sent.append({**entry, "to": accepted})
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
        return result


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


def _transmit(conn: Any, sender: str, recipients: list[str], data: bytes,
              started: Callable[[], None] = lambda: None) -> tuple[list[str], dict[str, int]]:
    """MAIL, RCPT, DATA by hand, so that we know whether the content had started to go out.
    ``started`` is called once the server accepted MAIL FROM (the transaction began)."""
    conn.ehlo_or_helo_if_needed()
    code, resp = conn.mail(sender)
    if code != 250:
        conn.rset()
        raise _Rejected(f"MAIL FROM refused: {code} {resp!r}")
    started()
    accepted: list[str] = []
    refused: dict[str, int] = {}
    for rcpt in recipients:
        code, resp = conn.rcpt(rcpt)
        if code in (250, 251):
            accepted.append(rcpt)
        else:
            refused[rcpt] = code
    if not accepted:
        conn.rset()
        raise _Rejected(f"every recipient refused: {refused}")
    try:
        code, resp = conn.data(data)
    except smtplib.SMTPDataError as exc:     # DATA itself refused: nothing sent yet
        conn.rset()
        raise _Rejected(f"DATA refused: {exc}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _Uncertain(f"connection lost while sending the content ({_describe(exc)}); "
                         "check the mail server's log for this Message-ID") from None
    if code != 250:
        conn.rset()
        raise _Rejected(f"message refused: {code} {resp!r}")
    return accepted, refused


def smtp_connect(conf: Mapping[str, Any], password: str | None) -> smtplib.SMTP:
    host, port, timeout = conf["host"], conf["port"], conf["timeout"]
    if conf["tls"] == "ssl":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(host, port, timeout=timeout)
        if conf["tls"] == "starttls":
            conn.starttls(context=ssl.create_default_context())
    if conf["user"]:
        conn.login(conf["user"], password or "")
    return conn


# -- the command -------------------------------------------------------------------------------------
def _settings(config: Config) -> tuple[dict[str, Any], dict[str, Any]]:
    smtp, notify = config.section("smtp"), config.section("notify")
    if smtp["tls"] not in TLS_MODES:
        raise ConfigError(f"{config.path}: smtp.tls: expected one of {', '.join(TLS_MODES)}, got {smtp['tls']!r}")
    for key, value in (("smtp.from_address", smtp["from_address"]), ("notify.admin_email", notify["admin_email"])):
        if value and not _ADDR.fullmatch(value):
            raise ConfigError(f"{config.path}: {key}: not an e-mail address: {value!r}")
    return smtp, notify


def prepare(config: Config, store: Any, as_of: date | None, now: datetime
            ) -> tuple[Any, Lifecycle, list[tuple[NoticeView, EmailMessage, list[str]]], list[Skipped]]:
    """The notices of the latest complete check run, composed (nothing stored)."""
    from checks import REGISTRY

    smtp, notify = _settings(config)
    run = store.latest_run("check")
    if run is None:
        return None, Lifecycle(None, (), ()), [], []
    lifecycle = load_lifecycle(store, run)
    notice_day = as_of or run.as_of
    views, skipped = build_notices(
        lifecycle=lifecycle, units=config.units, county=config.county, check_run_id=run.id, as_of=notice_day,
        calendar=calendar_for(config), deadline_working_days=notify["deadline_working_days"],
        sender_org=notify["sender_org"], rules=REGISTRY, tasks=config.array("tasks"),
        check_number=store.check_number(run.id))
    sender = smtp["from_address"] or "zwgk@localhost"
    out = []
    for view in views:
        msgid = message_id(run.id, view.unit, notice_day, sender)
        msg = compose(view, sender=sender, sender_name=smtp["from_name"], admin=notify["admin_email"],
                      msgid=msgid, now=now)
        out.append((view, msg, recipients_of(view, notify["admin_email"])))
    return run, lifecycle, out, skipped


def record_deadlines(store: Any, view: NoticeView, now: datetime) -> None:
    """The first notice of a finding fixes its 整改期限; later notices never move it."""
    for item in view.own:
        store.set_deadline(item.key, item.deadline or view.deadline, now)


def eml_name(view: NoticeView) -> str:
    safe = re.sub(r"[\\/:*?\"<>|\s]+", "_", view.unit).strip("_.") or "unit"
    return f"notice-run{view.check_run_id}-{safe}.eml"


def notify(config: Config, *, as_of: date | None = None, dry_run: bool = False, out: Path | None = None,
           requeue_uncertain: bool = False, now: datetime | None = None,
           connect: Callable[[Mapping[str, Any], str | None], Any] | None = None,
           sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    from zwgk.store import Store

    now = now or datetime.now(timezone.utc).astimezone()
    smtp, notify_conf = _settings(config)
    summary: dict[str, Any] = {"command": "notify", "dry_run": dry_run, "check_run_id": None, "queued": 0,
                               "sent": 0, "failed": 0, "uncertain": 0, "waiting": 0, "files": [],
                               "skipped": [], "lifecycle": {}, "errors": []}
    with Store(config.database) as store:
        run, lifecycle, notices, skipped = prepare(config, store, as_of, now)
        if run is None:
            summary["errors"].append(f"{config.database}: no complete check run yet; run `zwgk check` first")
            return summary
        summary["check_run_id"] = run.id
        summary["lifecycle"] = lifecycle.counts()
        summary["skipped"] = [s.__dict__ for s in skipped]
        if dry_run:
            folder = out or (config.report_dir / "notices")
            folder.mkdir(parents=True, exist_ok=True)
            for view, msg, _ in notices:
                path = folder / eml_name(view)
                path.write_bytes(msg.as_bytes(policy=policy.SMTP))
                summary["files"].append(str(path))
            return summary
        if not smtp["from_address"]:
            raise ConfigError(f"{config.path}: smtp.from_address: needed to send (or use --dry-run)")
        outbox = Outbox(store)
        if requeue_uncertain:
            summary["requeued"] = outbox.requeue_uncertain()
        summary["superseded"] = outbox.supersede_older(run.id)
        for view, msg, recipients in notices:
            summary["queued"] += outbox.queue(view.unit, run.id, msg, recipients, len(view.items))
            record_deadlines(store, view, now)
        password = None
        if smtp["user"]:
            password = os.environ.get(smtp["password_env"])
            if password is None:
                summary["errors"].append(f"environment variable {smtp['password_env']} is not set: "
                                         "nothing sent, the notices wait in the outbox")
        if password is not None or not smtp["user"]:
            result = outbox.send(smtp, password, rate_per_minute=notify_conf["rate_per_minute"],
                                 connect=connect, sleep=sleep)
            summary["sent"] = len(result.sent)
            summary["failed"] = len(result.failed)
            summary["errors"] += result.errors
            summary["sent_to"] = result.sent
        summary["uncertain"] = len(outbox.rows("sending"))
        summary["waiting"] = len(outbox.rows("queued"))
        if summary["uncertain"]:
            summary["errors"].append(
                f"{summary['uncertain']} notice(s) may or may not have gone out (connection lost during "
                "sending): see notify_log for their Message-IDs; --requeue-uncertain sends them again")
    return summary
