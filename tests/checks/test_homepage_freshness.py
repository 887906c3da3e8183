from datetime import date, timedelta

from checks import homepage_freshness as rule
from tests.checks.factory import BASE, T0, ctx, obs, page
from zwgk.records import ColumnObs, ListItemObs

AS_OF = date(2026, 11, 26)
HOME = BASE + "/"


def item(age):
    d = AS_OF - timedelta(days=age) if age is not None else None
    return ListItemObs(1, HOME, HOME, f"{BASE}/xwdt/{age}.html", "要闻", d, None)


def run(*items, home_status=200, columns=()):
    c = ctx(AS_OF)
    o = obs(pages=(page("/", status=home_status, kind="home"),), list_items=items, columns=columns)
    return list(rule.check(o, dict(rule.DEFAULTS), c)), c


def test_newest_item_13_days_passes_with_a_warning():
    findings, c = run(item(13), item(30))
    assert findings == [] and any("提醒" in w for w in c.unverified_by_rule()["UPD001"])


def test_newest_item_20_days_is_a_veto():
    [f], _ = run(item(20), item(40))
    assert f.rule == "UPD001" and f.severity.value == "veto" and f.evidence["days"] == 20


def test_undated_items_count_as_not_updated():
    [f], _ = run(item(None), item(None))
    assert "未标注日期" in f.message


def test_fresh_homepage_is_silent():
    findings, c = run(item(2))
    assert findings == [] and "UPD001" not in c.unverified_by_rule()


def test_homepage_that_did_not_load_is_could_not_verify():
    findings, c = run(item(40), home_status=503)
    assert findings == [] and "UPD001" in c.unverified_by_rule()


def test_navigation_only_homepage_is_judged_by_its_columns():
    fresh = ColumnObs(1, "portal", BASE + "/xwdt/", "工作动态", None, None, 3, AS_OF - timedelta(days=3), None, 1,
                      False, T0)
    assert run(columns=(fresh,))[0] == []
    stale = ColumnObs(1, "portal", BASE + "/xwdt/", "工作动态", None, None, 3, AS_OF - timedelta(days=30), None, 1,
                      False, T0)
    assert len(run(columns=(stale,))[0]) == 1
