from datetime import date

from checks import publication_lag as rule
from tests.checks.factory import ctx, doc, obs

CONF = dict(rule.DEFAULTS)


def run(*docs, as_of=date(2026, 11, 26), **conf):
    return list(rule.check(obs(documents=docs), {**CONF, **conf}, ctx(as_of)))


def test_twentieth_working_day_across_guoqing_is_on_time():
    # 2026-09-28 → 10-30: 国庆 10-01..07 off, Saturday 10-10 a 调休 workday.
    assert run(doc(pub_date=date(2026, 10, 30))) == []


def test_twenty_first_working_day_is_late_with_lag_and_unit():
    [f] = run(doc(pub_date=date(2026, 11, 2)))
    assert f.rule == "LAG001" and f.unit == "大河家镇"
    assert f.evidence["working_days"] == 21 and f.evidence["deadline"] == "2026-10-30"
    assert "21个工作日" in f.message


def test_configured_shorter_limit():
    assert len(run(doc(pub_date=date(2026, 10, 30)), max_working_days=15)) == 1


def test_url_only_pub_date_is_not_judged():
    c = ctx()
    assert list(rule.check(obs(documents=(doc(pub_date=date(2026, 11, 20), pub_source="url"),)), CONF, c)) == []
    assert "LAG001" in c.unverified_by_rule()


def test_outside_window_and_future_and_missing_dates_are_skipped():
    assert run(doc(doc_date=date(2024, 1, 2), pub_date=date(2024, 6, 1))) == []
    assert run(doc(pub_date=date(2026, 12, 30))) == []
    assert run(doc(doc_date=None)) == []
    assert len(run(doc(doc_date=date(2024, 1, 2), pub_date=date(2024, 6, 1)), window_days=0)) == 1


def test_forwarded_document_dated_only_by_its_signature_is_not_judged():
    from dataclasses import replace
    forwarded = replace(doc(pub_date=date(2026, 11, 20)), doc_date_source="signature",
                        title="关于转发《甘肃省某某工作方案》的通知")
    c = ctx()
    assert list(rule.check(obs(documents=(forwarded,)), CONF, c)) == []
    assert "LAG001" in c.unverified_by_rule()
    from_table = replace(forwarded, doc_date_source="table:成文日期")
    assert len(list(rule.check(obs(documents=(from_table,)), CONF, ctx()))) == 1
