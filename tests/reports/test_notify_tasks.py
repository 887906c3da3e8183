"""方案 tasks: a finding under a task's rules also reaches the task's 牵头单位, marked as such."""
from __future__ import annotations

from reports.lifecycle import track
from reports.notify import build_notices, render_notice_html, render_notice_text
from tests.reports.test_notify import RULES, RUN2, UNITS, history
from zwgk.workdays import WorkdayCalendar

TASKS = ({"name": "第26项 20个工作日内公开", "rules": ["LAG001"], "lead_units": ["县教育局"]},)


def notices(tasks=()):
    views, _ = build_notices(lifecycle=track(history()), units=UNITS, county="积石山县", check_run_id=2, as_of=RUN2,
                             calendar=WorkdayCalendar(), deadline_working_days=10, sender_org="县政务公开办公室",
                             rules=RULES, tasks=tasks)
    return {v.unit: v for v in views}


def test_without_tasks_the_lead_unit_gets_nothing():
    assert "县教育局" not in notices()


def test_lead_unit_gets_the_task_findings_of_other_units():
    views = notices(TASKS)
    lead = views["县教育局"]
    assert [(i.rule, i.lead_task, i.responsible) for i in lead.items] == [("LAG001", "第26项 20个工作日内公开", "县政府办公室")]
    assert "请督促整改" in render_notice_html(lead) and "责任单位：县政府办公室" in render_notice_text(lead)
    # The responsible unit's own notice is unchanged: the finding is its own, not a task copy.
    own = [i for i in views["县政府办公室"].items if i.rule == "LAG001"]
    assert own and own[0].lead_task is None
