from datetime import timedelta

import pytest

from checks import media_stale as rule
from tests.checks.factory import ctx, obs
from tests.checks.media_factory import AS_OF, account
from zwgk.records.media import MediaOutcome as O


def run(*media, **conf):
    c = ctx(AS_OF)
    return list(rule.check(obs(media=tuple(media)), {**rule.DEFAULTS, **conf}, c)), c


@pytest.mark.parametrize("days", [0, 2, 10, 13, 14])
def test_a_post_within_14_days_passes(days):
    assert run(account(newest_days=days))[0] == []


@pytest.mark.parametrize("days", [15, 30, 400])
def test_no_post_for_more_than_14_days_is_a_veto(days):
    [f], _ = run(account(newest_days=days))
    assert (f.rule, f.severity.value, f.site, f.unit) == ("MED001", "veto", "media", "县教育局")
    assert f.url == "https://feeds.example.cn/积石山教育.xml" and f"已{days}天未更新" in f.message
    assert f.evidence["newest_date"] == (AS_OF - timedelta(days=days)).isoformat()


def test_never_posted_is_stale_too():
    [f], _ = run(account(newest_days=None, outcome=O.NO_POSTS))
    assert "从未发布" in f.message


@pytest.mark.parametrize("outcome", [O.BLOCKED, O.UNREACHABLE, O.HTTP_ERROR, O.MALFORMED, O.UNDATED])
def test_a_source_that_could_not_be_read_is_never_stale(outcome):
    assert run(account(newest_days=None, outcome=outcome))[0] == []


def test_only_the_latest_observation_on_or_before_as_of_counts():
    old_fresh = account(newest_days=20, seen_days_ago=1)
    blocked_now = account(newest_days=None, outcome=O.BLOCKED, seen_days_ago=0)
    assert run(old_fresh, blocked_now)[0] == []          # latest is blocked: MED002, not stale
    stale_now = account(newest_days=20, seen_days_ago=0)
    fresh_before = account(newest_days=1, seen_days_ago=2)
    assert len(run(fresh_before, stale_now)[0]) == 1
    tomorrow = account(newest_days=30, seen_days_ago=-1)  # after as_of: not read
    assert run(fresh_before, tomorrow)[0] == []


def test_an_old_observation_is_could_not_verify():
    findings, c = run(account(newest_days=30, seen_days_ago=5))
    assert findings == [] and "MED001" in c.unverified_by_rule()
    assert len(run(account(newest_days=30, seen_days_ago=5), max_observation_age_days=7)[0]) == 1


def test_threshold_from_config():
    assert run(account(newest_days=8), max_days=7)[0] != []


def test_warning_zone_is_listed_not_found():
    media = (account("a", newest_days=9), account("b", newest_days=10), account("c", newest_days=14),
             account("d", newest_days=15))
    c = ctx(AS_OF)
    warned = rule.approaching(obs(media=media), dict(rule.DEFAULTS), c)
    assert [o.account for o in warned] == ["b", "c"]
    findings, c = run(*media)
    assert [f.evidence["account"] for f in findings] == ["d"]
    assert len(c.unverified_by_rule()["MED001"]) == 2 and all(w.startswith("提醒") for w in c.unverified_by_rule()["MED001"])


def test_no_media_observations_no_findings():
    assert run()[0] == []
