import pytest

from checks import media_zombie as rule
from tests.checks.factory import ctx, obs
from tests.checks.media_factory import AS_OF, account
from zwgk.records.media import MediaOutcome as O


def run(*media, **conf):
    c = ctx(AS_OF)
    return list(rule.check(obs(media=tuple(media)), {**rule.DEFAULTS, **conf}, c)), c


@pytest.mark.parametrize("days", [1, 15, 300, 365])
def test_posted_within_a_year_passes(days):
    assert run(account(newest_days=days))[0] == []


@pytest.mark.parametrize("days", [366, 421])
def test_no_post_for_over_a_year_is_a_zombie(days):
    [f], _ = run(account(newest_days=days))
    assert (f.rule, f.severity.value, f.unit) == ("MED003", "notice", "县教育局") and "僵尸" in f.message


def test_never_posted_is_an_empty_shell():
    [f], _ = run(account(newest_days=None, outcome=O.NO_POSTS))
    assert "空壳" in f.message


@pytest.mark.parametrize("outcome", [O.BLOCKED, O.MALFORMED, O.UNREACHABLE])
def test_unreadable_is_not_empty(outcome):
    assert run(account(newest_days=None, outcome=outcome))[0] == []


def test_old_observation_and_config_threshold():
    findings, c = run(account(newest_days=None, outcome=O.NO_POSTS, seen_days_ago=10))
    assert findings == [] and "MED003" in c.unverified_by_rule()
    assert len(run(account(newest_days=200), max_days=180)[0]) == 1
