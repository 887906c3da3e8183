from checks import media_duplicate as rule
from tests.checks.factory import ctx, obs
from tests.checks.media_factory import AS_OF, account
from zwgk.records.media import MediaOutcome as O


def run(*media):
    return list(rule.check(obs(media=tuple(media)), dict(rule.DEFAULTS), ctx(AS_OF)))


def test_one_account_per_unit_and_platform_passes():
    assert run(account("积石山教育"), account("积石山教育抖音", platform="抖音"),
               account("健康积石山", unit="县卫健局")) == []


def test_two_accounts_of_one_unit_on_one_platform():
    findings = run(account("积石山教育"), account("积石山县教育局", outcome=O.BLOCKED, newest_days=None),
                   account("积石山教育抖音", platform="抖音"))
    assert sorted(f.evidence["account"] for f in findings) == ["积石山县教育局", "积石山教育"]
    assert {(f.rule, f.unit, f.severity.value) for f in findings} == {("MED004", "县教育局", "notice")}
    assert "请整合" in findings[0].message and "积石山县教育局" in findings[0].message


def test_repeated_observations_of_one_account_are_not_duplicates():
    assert run(account("积石山教育", seen_days_ago=1), account("积石山教育")) == []
