import pytest

from checks import media_unverifiable as rule
from tests.checks.factory import ctx, obs
from tests.checks.media_factory import AS_OF, account
from zwgk.records.media import MediaOutcome as O


def run(*media):
    return list(rule.check(obs(media=tuple(media)), dict(rule.DEFAULTS), ctx(AS_OF)))


@pytest.mark.parametrize("outcome", [O.BLOCKED, O.UNREACHABLE, O.HTTP_ERROR, O.MALFORMED, O.UNDATED])
def test_unreadable_source_is_a_notice(outcome):
    [f] = run(account(newest_days=None, outcome=outcome))
    assert (f.rule, f.severity.value, f.unit, f.site) == ("MED002", "notice", "县教育局", "media")
    assert "无法核验" in f.message and f.evidence["outcome"] == outcome.value


@pytest.mark.parametrize("outcome, days", [(O.OK, 30), (O.OK, 1), (O.NO_POSTS, None)])
def test_readable_source_is_not(outcome, days):
    assert run(account(newest_days=days, outcome=outcome)) == []


def test_blocked_then_read_again_is_resolved():
    assert run(account(outcome=O.BLOCKED, newest_days=None, seen_days_ago=1), account(newest_days=3)) == []
    assert len(run(account(newest_days=3, seen_days_ago=1), account(outcome=O.BLOCKED, newest_days=None))) == 1
