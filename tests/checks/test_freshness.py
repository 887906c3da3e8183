"""UPD002, UPD003, UPD004: columns of a class whose newest item is older than their limit."""
from datetime import date, timedelta

from checks import cadence_columns, news_column_freshness, notice_column_freshness
from checks._columns import column_class
from tests.checks.factory import T0, ctx, obs
from zwgk.records import ColumnObs

AS_OF = date(2026, 11, 26)
BASE = "http://www.county.test"


def col(name, age, items=5, path=None, parent=None):
    newest = AS_OF - timedelta(days=age) if age is not None else None
    return ColumnObs(1, "portal", BASE + (path or f"/zwgk/dhjz/{abs(hash(name)) % 1000}/"), name,
                     BASE + parent if parent else None, None, items, newest, newest, 1, False, T0)


def run(module, *cols, **conf):
    c = ctx(AS_OF)
    return list(module.check(obs(columns=cols), {**module.DEFAULTS, **conf}, c)), c


def test_classes_by_name_and_column_type():
    assert column_class("乡镇动态") == "news" and column_class("通知公告") == "notice"
    assert column_class("规范性文件") == "policy" and column_class("人事任免") == "personnel"
    assert column_class("规划计划") == "plan" and column_class("机构职能") == "other"
    assert column_class("栏目一", "工作动态") == "news"


def test_upd002_news_column_15_days_fails_13_passes():
    [f], _ = run(news_column_freshness, col("乡镇动态", 15))
    assert f.rule == "UPD002" and f.unit == "大河家镇" and f.evidence["days"] == 15
    assert run(news_column_freshness, col("乡镇动态", 13))[0] == []


def test_upd002_ignores_other_classes_blank_and_undated_columns():
    assert run(news_column_freshness, col("通知公告", 40))[0] == []
    assert run(news_column_freshness, col("乡镇动态", 40, items=0))[0] == []     # UPD005's
    findings, c = run(news_column_freshness, col("乡镇动态", None))
    assert findings == [] and "UPD002" in c.unverified_by_rule()


def test_upd003_notice_column_7_months_fails_5_passes():
    [f], _ = run(notice_column_freshness, col("通知公告", 213))
    assert f.rule == "UPD003"
    assert run(notice_column_freshness, col("政策文件", 150))[0] == []


def test_upd003_parent_column_is_judged_by_its_children():
    parent = col("政策文件", 400, path="/zwgk/dhjz/zcwj/")
    child = col("规范性文件", 10, path="/zwgk/dhjz/zcwj/gfxwj/", parent="/zwgk/dhjz/zcwj/")
    assert run(notice_column_freshness, parent, child)[0] == []


def test_upd004_plan_column_past_a_year_fails_and_cadence_is_configurable():
    [f], _ = run(cadence_columns, col("规划计划", 420))
    assert f.rule == "UPD004"
    assert run(cadence_columns, col("规划计划", 300))[0] == []
    assert len(run(cadence_columns, col("人事信息", 200), max_days=180)[0]) == 1
