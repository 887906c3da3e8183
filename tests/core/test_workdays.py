"""Working-day calendar (LAG001). Holiday facts are from the 国务院办公厅 notices as carried by
chinesecalendar 1.11.0 and FIELD-NOTES.md; each expected deadline was also counted by hand."""

import tomllib
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from zwgk.workdays import WorkdayCalendar, YearOverride, parse_overrides

D = date.fromisoformat


def days(first: str, last: str) -> list[date]:
    start, end = D(first), D(last)
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# --- 2026 National Day: 10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) 调休 -------------------


def test_national_day_2026_break_is_off():
    cal = WorkdayCalendar()
    assert not any(cal.is_workday(d) for d in days("2026-10-01", "2026-10-07"))


def test_national_day_2026_make_up_weekend_days_are_workdays():
    cal = WorkdayCalendar()
    assert D("2026-09-20").weekday() == 6 and cal.is_workday(D("2026-09-20"))
    assert D("2026-10-10").weekday() == 5 and cal.is_workday(D("2026-10-10"))
    assert cal.is_workday(D("2026-10-08"))
    assert not cal.is_workday(D("2026-10-11"))  # the Sunday after stays a rest day


def test_deadline_from_just_before_national_day_2026():
    # 09-29, 09-30, 10-08, 10-09, 10-10 (Sat 调休) = 5; 10-12..10-30 = 15 more.
    # Ignoring 调休 would give 2026-11-02; ignoring the holidays would give 2026-10-23.
    assert WorkdayCalendar().add_workdays(D("2026-09-28"), 20) == D("2026-10-30")


def test_deadline_across_national_day_2024():
    # 2024: 09-29 (Sun) and 10-12 (Sat) 调休, 10-01..10-07 off.
    # 09-29, 09-30, 10-08..10-11, 10-12 = 7; 10-14..10-25 = 10; 10-28..10-30 = 3.
    cal = WorkdayCalendar()
    assert cal.is_workday(D("2024-10-12"))
    assert cal.add_workdays(D("2024-09-27"), 20) == D("2024-10-30")


# --- 春节 -----------------------------------------------------------------------------------


def test_spring_festival_2024():
    cal = WorkdayCalendar()
    assert not any(cal.is_workday(d) for d in days("2024-02-10", "2024-02-17"))
    assert cal.is_workday(D("2024-02-04")) and cal.is_workday(D("2024-02-18"))  # Sundays
    # 02-09, 02-18 (Sun) = 2; 02-19..03-08 = 15; 03-11..03-13 = 3.
    assert cal.add_workdays(D("2024-02-08"), 20) == D("2024-03-13")


def test_spring_festival_2026():
    cal = WorkdayCalendar()
    assert not any(cal.is_workday(d) for d in days("2026-02-15", "2026-02-23"))
    assert cal.is_workday(D("2026-02-14")) and cal.is_workday(D("2026-02-28"))  # Saturdays
    # 02-14 (Sat) = 1; 02-24..02-27 = 4; 02-28 (Sat) = 1; 03-02..03-13 = 10; 03-16..03-19 = 4.
    # Ignoring 调休 would give 2026-03-23; ignoring the holidays, 2026-03-11.
    assert cal.add_workdays(D("2026-02-13"), 20) == D("2026-03-19")


def test_deadline_across_new_year_2026():
    # 2026-01-01..01-03 off, 01-04 (Sun) 调休: 12-16..12-31 = 12; 01-04..01-09 = 6; 01-12, 01-13.
    assert WorkdayCalendar().add_workdays(D("2025-12-15"), 20) == D("2026-01-13")


# --- workdays_between edge cases --------------------------------------------------------------


def test_workdays_between_same_day_is_zero():
    cal = WorkdayCalendar()
    assert cal.workdays_between(D("2026-10-08"), D("2026-10-08")) == 0


def test_workdays_between_counts_end_not_start():
    cal = WorkdayCalendar()
    assert cal.workdays_between(D("2026-10-08"), D("2026-10-09")) == 1  # start Thu not counted
    assert cal.workdays_between(D("2026-10-07"), D("2026-10-08")) == 1  # end Thu counted
    assert cal.workdays_between(D("2026-10-08"), D("2026-10-10")) == 2  # Fri + 调休 Sat


def test_workdays_between_holiday_span_is_zero():
    # Would be 5 if holidays were ignored.
    assert WorkdayCalendar().workdays_between(D("2026-09-30"), D("2026-10-07")) == 0


def test_workdays_between_reversed_is_negative():
    cal = WorkdayCalendar()
    assert cal.workdays_between(D("2026-10-10"), D("2026-10-08")) == -2


def test_workdays_between_across_years():
    cal = WorkdayCalendar()
    # 2025-12-31 (Wed) counted; 2026-01-01..03 off; 2026-01-04 (Sun) 调休, 01-05 (Mon).
    assert cal.workdays_between(D("2025-12-30"), D("2026-01-05")) == 3
    expected = sum(chinese_calendar.is_workday(d) for d in days("2024-03-02", "2026-11-20"))
    assert cal.workdays_between(D("2024-03-01"), D("2026-11-20")) == expected


def test_add_workdays_zero_and_negative():
    cal = WorkdayCalendar()
    assert cal.add_workdays(D("2026-10-03"), 0) == D("2026-10-03")
    with pytest.raises(ValueError):
        cal.add_workdays(D("2026-10-03"), -1)


def test_datetime_is_treated_as_its_day():
    cal = WorkdayCalendar()
    assert cal.add_workdays(datetime(2026, 9, 28, 17, 30), 20) == D("2026-10-30")
    assert cal.workdays_between(datetime(2026, 10, 8, 9), D("2026-10-09")) == 1


def test_matches_package_day_by_day_2024_to_2026():
    cal = WorkdayCalendar()
    all_days = days("2024-01-01", "2026-12-31")
    expected = [chinese_calendar.is_workday(d) for d in all_days]
    assert [cal.is_workday(d) for d in all_days] == expected
    for start in all_days[:-60:7]:
        deadline = cal.add_workdays(start, 20)
        assert cal.workdays_between(start, deadline) == 20
        assert cal.is_workday(deadline)
        assert cal.workdays_between(start, deadline - timedelta(1)) == 19
    assert cal.unknown_years() == frozenset()


# --- years the package does not know ----------------------------------------------------------


def test_2027_without_override_falls_back_to_monday_to_friday():
    cal = WorkdayCalendar()
    assert not cal.is_known_year(2027)
    assert cal.is_known_year(2026)
    assert cal.unknown_years() == frozenset()
    assert cal.is_workday(D("2027-01-01"))  # Friday; surely 元旦, but there is no notice yet
    assert not cal.is_workday(D("2027-01-02"))  # Saturday
    assert cal.unknown_years() == {2027}


def test_deadline_into_2027_records_the_unknown_year():
    cal = WorkdayCalendar()
    # 2026-12-21..12-31 = 9 (package); 2027-01-01..01-15 Mon–Fri = 11 (元旦 not known).
    assert cal.add_workdays(D("2026-12-18"), 20) == D("2027-01-15")
    assert cal.unknown_years() == {2027}


def test_2027_with_override():
    # Hypothetical notice for the test: 元旦 2027-01-01 (Fri) off, 2027-02-07 (Sun) 调休.
    override = YearOverride(2027, frozenset({D("2027-01-01")}), frozenset({D("2027-02-07")}))
    cal = WorkdayCalendar([override])
    assert cal.is_known_year(2027)
    assert not cal.is_workday(D("2027-01-01"))
    assert cal.is_workday(D("2027-02-07"))
    assert cal.is_workday(D("2027-01-04"))  # unlisted weekday
    assert not cal.is_workday(D("2027-01-09"))  # unlisted Saturday
    assert cal.workdays_between(D("2026-12-31"), D("2027-01-04")) == 1
    assert cal.unknown_years() == frozenset()


def test_override_replaces_the_package_for_its_year():
    cal = WorkdayCalendar([YearOverride(2026, frozenset(), frozenset())])
    assert cal.is_workday(D("2026-10-01"))
    assert not cal.is_workday(D("2026-10-10"))
    assert not WorkdayCalendar().is_workday(D("2026-10-01"))  # the package still says otherwise


def test_duplicate_override_year_is_an_error():
    override = YearOverride(2027, frozenset(), frozenset())
    with pytest.raises(ValueError, match="2027"):
        WorkdayCalendar([override, override])


# --- parse_overrides ------------------------------------------------------------------------

SOURCE = "config.toml [workdays]"


def test_parse_overrides_from_toml():
    text = """
    [workdays.2027]
    holidays = ["2027-01-01", 2027-02-08]
    workdays = ["2027-02-07"]
    [workdays.2028]
    holidays = ["2028-01-03"]
    """
    (y2027, y2028) = parse_overrides(tomllib.loads(text)["workdays"], SOURCE)
    assert y2027 == YearOverride(
        2027, frozenset({D("2027-01-01"), D("2027-02-08")}), frozenset({D("2027-02-07")})
    )
    assert y2028 == YearOverride(2028, frozenset({D("2028-01-03")}), frozenset())


@pytest.mark.parametrize(
    ("table", "bad"),
    [
        ({"2027": {"holidays": ["2027-02-30"]}}, "2027-02-30"),
        ({"2027": {"holidays": ["2027/01/01"]}}, "2027/01/01"),
        ({"2027": {"holidays": ["20270101"]}}, "20270101"),
        ({"2027": {"workdays": ["2026-10-10"]}}, "2026-10-10"),
        ({"2027": {"holidays": ["2027-02-07"], "workdays": ["2027-02-07"]}}, "2027-02-07"),
        ({"2027": {"holidays": "2027-01-01"}}, "2027-01-01"),
        ({"2027": {"holidays": [20270101]}}, "20270101"),
        ({"2027": {"holiday": ["2027-01-01"]}}, "holiday"),
        ({"2027": ["2027-01-01"]}, "2027-01-01"),
    ],
)
def test_parse_overrides_errors_name_source_year_and_value(table, bad):
    with pytest.raises(ValueError) as excinfo:
        parse_overrides(table, SOURCE)
    message = str(excinfo.value)
    assert SOURCE in message and "'2027'" in message and bad in message


def test_parse_overrides_rejects_a_key_that_is_not_a_year():
    with pytest.raises(ValueError, match=r"config.toml \[workdays\].*'next'"):
        parse_overrides({"next": {"holidays": []}}, SOURCE)
