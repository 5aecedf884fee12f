"""Table-driven tests of core.calendar: China working days, 调休, months, ISO weeks, quarters.

National Day 2026: Oct 1–7 off; make-up working days (调休) Sun 2026-09-20 and Sat 2026-10-10.
Mid-Autumn 2026: Fri 2026-09-25 off.
"""
from __future__ import annotations

import datetime as dt

import pytest

from core import calendar as cal

D = dt.date


@pytest.mark.parametrize("day, expected", [
    (D(2026, 9, 18), True),    # Friday, ordinary working day
    (D(2026, 9, 19), False),   # Saturday
    (D(2026, 9, 20), True),    # Sunday, but 调休 working day before National Day
    (D(2026, 9, 25), False),   # Friday, Mid-Autumn Festival
    (D(2026, 9, 30), True),    # Wednesday before the holiday
    (D(2026, 10, 1), False),   # National Day
    (D(2026, 10, 5), False),   # Monday inside the National Day holiday
    (D(2026, 10, 7), False),   # last day of the holiday
    (D(2026, 10, 8), True),    # Thursday, back to work
    (D(2026, 10, 10), True),   # Saturday, 调休 working day
    (D(2026, 10, 11), False),  # Sunday
    (D(2026, 10, 12), True),   # Monday
])
def test_is_workday(day, expected):
    assert cal.is_workday(day) is expected
    # the same answer for a Timestamp and an ISO string
    assert cal.is_workday(day.isoformat()) is expected


@pytest.mark.parametrize("day, makeup, holiday", [
    (D(2026, 9, 20), True, None),
    (D(2026, 10, 10), True, None),
    (D(2026, 10, 11), False, None),
    (D(2026, 10, 8), False, None),
    (D(2026, 10, 1), False, "National Day"),
    (D(2026, 10, 3), False, "National Day"),
])
def test_makeup_and_holiday_name(day, makeup, holiday):
    assert cal.is_makeup_workday(day) is makeup
    assert cal.holiday_name(day) == holiday


@pytest.mark.parametrize("start, end, expected", [
    # ISO week 2026-W38, Mon 09-14 … Sun 09-20: Mon–Fri 5 + 调休 Sunday 09-20 = 6
    (D(2026, 9, 14), D(2026, 9, 20), [D(2026, 9, d) for d in (14, 15, 16, 17, 18, 20)]),
    # 2026-W40, Mon 09-28 … Sun 10-04, spans National Day: only 09-28, 09-29, 09-30 = 3
    (D(2026, 9, 28), D(2026, 10, 4), [D(2026, 9, 28), D(2026, 9, 29), D(2026, 9, 30)]),
    # 2026-W41, Mon 10-05 … Sun 10-11: 10-05..10-07 holiday, 10-08, 10-09, 调休 Sat 10-10 = 3
    (D(2026, 10, 5), D(2026, 10, 11), [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]),
    # a single day off → none
    (D(2026, 10, 1), D(2026, 10, 1), []),
    # end before start → none
    (D(2026, 10, 9), D(2026, 10, 8), []),
])
def test_workdays_across_national_day(start, end, expected):
    assert cal.workdays(start, end) == expected
    assert cal.count_workdays(start, end) == len(expected)


@pytest.mark.parametrize("month, expected", [
    # Sep 2026: weekdays 4+5+5+5+3 = 22, − Mid-Autumn Fri 09-25 = 21, + 调休 Sun 09-20 = 22
    ("2026-09", 22),
    # Oct 2026: weekdays 2+5+5+5+5 = 22, − holidays on weekdays 10-01, 10-02, 10-05, 10-06, 10-07 = 17,
    #           + 调休 Sat 10-10 = 18
    ("2026-10", 18),
    # Nov 2026: Mon–Fri 2-6, 9-13, 16-20, 23-27, 30 = 21, no holiday
    ("2026-11", 21),
    # Dec 2026: 1-4, 7-11, 14-18, 21-25, 28-31 = 4+5+5+5+4 = 23
    ("2026-12", 23),
    # Feb 2026: weekdays 20 − Spring Festival weekdays 02-16..02-20 and 02-23 (6) + 调休 Sat 02-14, 02-28 (2) = 16
    ("2026-02", 16),
])
def test_month_workday_counts(month, expected):
    assert len(cal.month_workdays(month)) == expected
    assert len(cal.month_workdays(D(int(month[:4]), int(month[5:]), 15))) == expected


@pytest.mark.parametrize("as_of, elapsed, left", [
    (D(2026, 9, 30), 0, 18),    # before the month: nothing elapsed, all 18 left
    (D(2026, 10, 4), 0, 18),    # inside the holiday: still nothing elapsed
    (D(2026, 10, 8), 1, 17),    # first working day counts as elapsed (inclusive)
    (D(2026, 10, 9), 2, 16),
    (D(2026, 10, 10), 3, 15),   # 调休 Saturday counts
    (D(2026, 10, 11), 3, 15),   # Sunday adds nothing
    (D(2026, 10, 30), 18, 0),   # last working day (Fri 10-30)
    (D(2026, 11, 2), 18, 0),    # after the month
])
def test_elapsed_and_left(as_of, elapsed, left):
    assert cal.elapsed_workdays("2026-10", as_of) == elapsed
    assert cal.workdays_left("2026-10", as_of) == left
    assert elapsed + left == 18


@pytest.mark.parametrize("overrides, expected", [
    (None, 18),
    ({D(2026, 10, 9): False}, 17),                         # the bank closes Friday 10-09
    ({D(2026, 10, 3): True}, 19),                          # the bank opens holiday Saturday 10-03
    ({D(2026, 10, 3): True, D(2026, 10, 10): False}, 18),  # swap the 调休 day
])
def test_overrides_win(overrides, expected):
    assert len(cal.month_workdays("2026-10", overrides)) == expected


@pytest.mark.parametrize("day, expected", [
    (D(2026, 10, 8), D(2026, 9, 30)),   # after National Day, "yesterday" is 09-30
    (D(2026, 10, 12), D(2026, 10, 10)),  # Monday after a 调休 Saturday
    (D(2026, 10, 11), D(2026, 10, 10)),
    (D(2026, 9, 21), D(2026, 9, 20)),   # Monday after a 调休 Sunday
    (D(2026, 9, 28), D(2026, 9, 24)),   # Monday after Mid-Autumn Fri + weekend (09-20 Sun is before)
])
def test_previous_workday(day, expected):
    assert cal.previous_workday(day) == expected


@pytest.mark.parametrize("week, monday, sunday", [
    ("2026-W40", D(2026, 9, 28), D(2026, 10, 4)),
    ("2026-W41", D(2026, 10, 5), D(2026, 10, 11)),
    ("2026W01", D(2025, 12, 29), D(2026, 1, 4)),    # ISO week 1 starts in the previous year
    ("2026-W53", D(2026, 12, 28), D(2027, 1, 3)),   # 2026 has 53 ISO weeks
])
def test_week_bounds(week, monday, sunday):
    assert cal.week_bounds(week) == (monday, sunday)


@pytest.mark.parametrize("day, week", [
    (D(2026, 10, 1), "2026-W40"),
    (D(2025, 12, 29), "2026-W01"),
    (D(2026, 12, 31), "2026-W53"),
    (D(2027, 1, 3), "2026-W53"),
    (D(2027, 1, 4), "2027-W01"),
])
def test_week_key(day, week):
    assert cal.week_key(day) == week


@pytest.mark.parametrize("bad", ["2026-40", "W40", "2026-W"])
def test_week_bounds_rejects(bad):
    with pytest.raises(ValueError):
        cal.week_bounds(bad)


@pytest.mark.parametrize("period, months", [
    ("2026-Q1", ["2026-01", "2026-02", "2026-03"]),
    ("2026-Q3", ["2026-07", "2026-08", "2026-09"]),
    ("2026Q4", ["2026-10", "2026-11", "2026-12"]),
])
def test_quarter_months(period, months):
    assert cal.quarter_months(period) == months


@pytest.mark.parametrize("bad", ["2026-Q5", "2026-Q0", "Q3"])
def test_quarter_rejects(bad):
    with pytest.raises(ValueError):
        cal.quarter_months(bad)


@pytest.mark.parametrize("text, expected", [
    ("2026-10", (2026, 10)), ("2026/10", (2026, 10)), ("2026年10月", (2026, 10)), ("2026.1", (2026, 1)),
])
def test_parse_month(text, expected):
    assert cal.parse_month(text) == expected


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "October", "2026"])
def test_parse_month_rejects(bad):
    with pytest.raises(ValueError):
        cal.parse_month(bad)


@pytest.mark.parametrize("month, n, expected", [
    ("2026-11", 2, "2027-01"), ("2026-01", -1, "2025-12"), ("2026-10", -12, "2025-10"), ("2026-10", 0, "2026-10"),
])
def test_add_months(month, n, expected):
    assert cal.add_months(month, n) == expected


@pytest.mark.parametrize("month, first, last", [
    ("2026-02", D(2026, 2, 1), D(2026, 2, 28)),
    ("2028-02", D(2028, 2, 1), D(2028, 2, 29)),   # leap year
    ("2026-12", D(2026, 12, 1), D(2026, 12, 31)),
])
def test_month_bounds(month, first, last):
    assert cal.month_bounds(month) == (first, last)


def test_workday_flags_week_41():
    days = [D(2026, 10, 5) + dt.timedelta(days=i) for i in range(7)]
    # Mon–Wed holiday, Thu, Fri working, Sat 调休 working, Sun off
    assert cal.workday_flags(days) == [False, False, False, True, True, True, False]
