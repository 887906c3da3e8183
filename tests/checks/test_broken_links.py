from checks import broken_links as rule
from checks import broken_links_home as home_rule
from tests.checks.factory import checked, ctx, link, obs
from zwgk.records import LinkOutcome as O

SRC = "/zwgk/dhjz/zcwj/t1.html"


def run(checks, hours=1.0, module=rule, source=SRC, target="/gone.html"):
    c = ctx()
    o = obs(links=(link(source, target),), link_checks=tuple(checks))
    return list(module.check(o, {**module.DEFAULTS, "confirm_after_hours": hours}, c)), c


def test_two_404s_an_hour_apart_are_confirmed():
    [f], _ = run([checked("/gone.html", O.BROKEN, 0, 404), checked("/gone.html", O.BROKEN, 65, 404)])
    assert f.rule == "LNK002" and f.unit == "大河家镇" and f.evidence["status"] == 404


def test_two_404s_ten_minutes_apart_wait_for_confirmation():
    findings, c = run([checked("/gone.html", O.BROKEN, 0, 404), checked("/gone.html", O.BROKEN, 10, 404)])
    assert findings == [] and "LNK002" in c.unverified_by_rule()


def test_failure_then_success_is_not_reported():
    assert run([checked("/gone.html", O.BROKEN, 0, 503), checked("/gone.html", O.OK, 90, 200)])[0] == []


def test_timeouts_and_blocks_never_confirm():
    checks = [checked("/gone.html", O.TIMEOUT, 0), checked("/gone.html", O.BLOCKED, 70, 403),
              checked("/gone.html", O.DNS_ERROR, 140)]
    assert run(checks)[0] == []


def test_homepage_links_belong_to_lnk001_only():
    checks = [checked("/gone.html", O.BROKEN, 0, 404), checked("/gone.html", O.BROKEN, 65, 404)]
    assert run(checks, source="/")[0] == []
    [f], _ = run(checks, source="/", module=home_rule)
    assert f.rule == "LNK001" and f.unit == "县政府办公室"


def test_soft_404_goes_to_lnk003_only():
    from checks import soft_404
    checks = [checked("/old.html", O.SOFT_404, 0, 200), checked("/old.html", O.SOFT_404, 65, 200)]
    assert run(checks, target="/old.html")[0] == []
    [f], _ = run(checks, target="/old.html", module=soft_404)
    assert f.rule == "LNK003"


def test_failing_attachment_with_chinese_name_goes_to_lnk004_only():
    from checks import attachments
    target = "/uploads/%E9%80%9A%E7%9F%A5%E9%99%84%E4%BB%B6.PDF"
    checks = [checked(target, O.BROKEN, 0, 404), checked(target, O.BROKEN, 65, 404)]
    assert run(checks, target=target)[0] == []
    [f], _ = run(checks, target=target, module=attachments)
    assert f.rule == "LNK004" and "附件" in f.message


def test_working_attachment_passes():
    from checks import attachments
    target = "/uploads/plan.docx"
    assert run([checked(target, O.OK, 0, 200)], target=target, module=attachments)[0] == []
