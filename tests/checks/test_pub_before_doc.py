from datetime import date

from checks import pub_before_doc as rule
from tests.checks.factory import ctx, doc, obs


def test_published_before_formed():
    [f] = rule.check(obs(documents=(doc(pub_date=date(2026, 9, 25)),)), {}, ctx())
    assert f.rule == "LAG003" and f.evidence["pub_date"] == "2026-09-25"


def test_same_day_and_weak_sources_pass():
    docs = (doc(pub_date=date(2026, 9, 28)), doc(pub_date=date(2026, 9, 25), pub_source="list"))
    assert list(rule.check(obs(documents=docs), {}, ctx())) == []
