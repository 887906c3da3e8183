"""NXDOMAIN and refused connections: broken links once confirmed while our side was healthy.

Passing and failing records for LNK001/LNK002/LNK004 (checks/_links.py): an authoritative
NXDOMAIN or a refused connection at two checks at least ``confirm_after_hours`` apart, each
made while our resolver and network were seen working, is a finding; our resolver's
timeouts and SERVFAIL, resets, checks made while our side was not seen working and
degraded crawls never are (无法核验).
"""
from dataclasses import replace

from checks import attachments
from checks import broken_links as rule
from checks import broken_links_home as home_rule
from tests.checks.factory import checked, ctx, link, obs
from zwgk.records import LinkOutcome as O
from zwgk.records.probes import ResolveStatus as R

SRC = "/zwgk/dhjz/zcwj/t1.html"
TARGET = "/old-site.html"


def dns(minutes, verdict=R.NXDOMAIN, healthy=True, target=TARGET):
    return replace(checked(target, O.DNS_ERROR, minutes), dns=verdict, healthy=healthy)


def refused(minutes, healthy=True, target=TARGET, is_refused=True):
    return replace(checked(target, O.CONNECT_ERROR, minutes), refused=is_refused, healthy=healthy)


def run(checks, module=rule, source=SRC, target=TARGET, degraded=False, hours=1.0):
    c = ctx()
    o = obs(links=(link(source, target),), link_checks=tuple(checks), degraded=degraded)
    return list(module.check(o, {**module.DEFAULTS, "confirm_after_hours": hours}, c)), c


def reasons(c, rule_id="LNK002"):
    return [u.reason for u in c.unverified if u.rule == rule_id and u.subject]


# -- failing: confirmed -----------------------------------------------------------------------

def test_nxdomain_twice_an_hour_apart_is_a_broken_link():
    [f], c = run([dns(0), dns(65)])
    assert f.rule == "LNK002" and f.unit == "大河家镇"
    assert f.evidence["dns"] == "nxdomain" and f.evidence["status"] is None
    assert "域名不存在（NXDOMAIN）" in f.message and reasons(c) == []


def test_refused_twice_an_hour_apart_is_a_broken_link():
    [f], _ = run([refused(0), refused(70)])
    assert f.rule == "LNK002" and f.evidence["refused"] is True
    assert "服务器拒绝连接（connection refused）" in f.message


def test_nxdomain_on_the_homepage_is_lnk001_only():
    checks = [dns(0), dns(65)]
    assert run(checks, source="/")[0] == []
    [f], _ = run(checks, source="/", module=home_rule)
    assert f.rule == "LNK001"


def test_refused_attachment_is_lnk004_only():
    target = "/uploads/旧文件.pdf"
    checks = [refused(0, target=target), refused(65, target=target)]
    assert run(checks, target=target)[0] == []
    [f], _ = run(checks, target=target, module=attachments)
    assert f.rule == "LNK004" and "附件" in f.message


def test_a_404_then_nxdomain_confirm_each_other():
    [f], _ = run([checked(TARGET, O.BROKEN, 0, 404), dns(65)])
    assert f.evidence["dns"] == "nxdomain"


# -- passing: pending or 无法核验 -----------------------------------------------------------------

def test_nxdomain_once_is_pending():
    findings, c = run([dns(0)])
    assert findings == [] and reasons(c) == ["待复核"]


def test_nxdomain_twice_ten_minutes_apart_is_pending():
    findings, c = run([dns(0), dns(10)])
    assert findings == [] and reasons(c) == ["待复核"]


def test_nxdomain_then_our_timeout_is_no_finding():
    findings, c = run([dns(0), dns(65, verdict=R.TIMEOUT)])
    assert findings == [] and "域名解析失败" in reasons(c)
    [u] = [u for u in c.unverified if u.reason == "域名解析失败"]
    assert "TIMEOUT" in u.detail


def test_nxdomain_then_success_is_no_finding():
    assert run([dns(0), checked(TARGET, O.OK, 65, 200), dns(130)])[0] == []


def test_servfail_or_timeout_twice_is_only_unverified():
    for verdict in (R.SERVFAIL, R.TIMEOUT, R.ERROR):
        findings, c = run([dns(0, verdict=verdict), dns(65, verdict=verdict)])
        assert findings == [] and reasons(c) == ["域名解析失败"], verdict


def test_nodata_twice_is_only_unverified():
    findings, c = run([dns(0, verdict=R.NODATA), dns(65, verdict=R.NODATA)])
    assert findings == [] and reasons(c) == ["域名解析失败"]


def test_reset_or_unreachable_twice_is_only_unverified():
    findings, c = run([refused(0, is_refused=False), refused(65, is_refused=False)])
    assert findings == [] and reasons(c) == ["连接失败"]


def test_checks_made_while_our_side_was_not_seen_working_never_confirm():
    for healthy in (False, None):   # None: a row stored before the field existed
        findings, c = run([dns(0, healthy=healthy), dns(65, healthy=healthy)])
        assert findings == [] and reasons(c) == ["域名解析失败"]
        findings, c = run([refused(0, healthy=healthy), refused(65, healthy=healthy)])
        assert findings == [] and reasons(c) == ["连接失败"]


def test_one_unhealthy_check_does_not_complete_a_confirmation():
    findings, c = run([dns(0), dns(65, healthy=False)])
    assert findings == [] and sorted(reasons(c)) == sorted(["待复核", "域名解析失败"])


def test_a_degraded_crawl_judges_no_link():
    findings, c = run([dns(0), dns(65)], degraded=True)
    assert findings == [] and "LNK002" in c.unverified_by_rule()
    findings, _ = run([refused(0), refused(65)], degraded=True)
    assert findings == []


def test_a_confirmed_nxdomain_is_unverifiable_when_this_crawl_timed_out():
    # confirmed on earlier checks, but the last check of this crawl (run 1) is our timeout:
    # not re-asserted from old evidence
    old = [replace(dns(0), run_id=0), replace(dns(65), run_id=0)]
    findings, c = run([*old, dns(130, verdict=R.TIMEOUT)])
    assert findings == [] and reasons(c) == ["域名解析失败"]
