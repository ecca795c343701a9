"""The hand-checkable rules, as pure functions (no database, no clock): docs/performance.md.

Every figure is rounded to 2 decimals at the end, never in between.
"""

from datetime import timedelta
from typing import NamedTuple

BANDS = [("A+", 95), ("A", 90), ("B+", 85), ("B", 80), ("C+", 75), ("C", 70), ("D+", 65), ("D", 60), ("F", 0)]
BAND_NAMES = [name for name, _ in BANDS]
TREND_SPAN = 3


class Limits(NamedTuple):
    """The at-risk thresholds (settings PASS_MARK, AT_RISK_ATTENDANCE, AT_RISK_WINDOW_DAYS,
    AT_RISK_TREND_DROP; docs/configuration.md). The defaults are the shipped settings."""

    pass_mark: float = 60.0  # % a student's average must reach
    attendance: float = 75.0  # % attended over the last `window_days`, below it: low_attendance
    window_days: int = 30  # days (today included) of the attendance window
    trend_drop: float = -10.0  # points: a trend at or below it is falling_trend


DEFAULT_LIMITS = Limits()
# at-risk reasons, in the order they are listed
LOW_ATTENDANCE, BELOW_PASS_MARK, FALLING_TREND, MISSING_GRADE = (
    "low_attendance",
    "below_pass_mark",
    "falling_trend",
    "missing_grade",
)

REASONS = [LOW_ATTENDANCE, BELOW_PASS_MARK, FALLING_TREND, MISSING_GRADE]


def _r(value):
    return None if value is None else round(value, 2)


def percentage(score, total_marks):
    """score / total_marks x 100."""
    return score / total_marks * 100.0


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else None


def average(percentages):
    """A student's average: the mean of their published exam percentages (None without any)."""
    return _r(mean(percentages))


def average_of(total, count):
    """average() of `count` percentages summing to `total` (None when count is 0)."""
    return _r(total / count) if count else None


def band(value):
    """A+ >= 95, A >= 90, B+ >= 85, B >= 80, C+ >= 75, C >= 70, D+ >= 65, D >= 60, F below."""
    if value is None:
        return None
    for name, floor in BANDS:
        if value >= floor:
            return name
    return "F"


def distribution(averages):
    """How many students' averages fall in each band, every band present (zeros included)."""
    counts = dict.fromkeys(BAND_NAMES, 0)
    for value in averages:
        if value is not None:
            counts[band(value)] += 1
    return counts


def pass_rate(averages, pass_mark):
    """% of students (with at least one grade) whose average is at or above the pass mark."""
    graded = [a for a in averages if a is not None]
    if not graded:
        return None
    return _r(100.0 * sum(1 for a in graded if a >= pass_mark) / len(graded))


def counts_on(day, windows):
    """Whether `day` falls inside one of the enrolment windows [(first_day, last_day or None)]."""
    return any(first <= day and (last is None or day <= last) for first, last in windows)


def attendance_tally(records, windows, since=None):
    """(attended, counted) days: present and late attend; excused days and days outside
    the enrolment windows (or before `since`) are left out entirely."""
    whole, recent = attendance_tallies(records, windows, since)
    return whole if since is None else recent


def attendance_tallies(records, windows, since):
    """attendance_tally over all the records and from `since` on, in one pass."""
    attended = counted = attended_since = counted_since = 0
    for day, status in records:
        if status == "excused" or not counts_on(day, windows):
            continue
        came = status in ("present", "late")
        counted += 1
        attended += came
        if since is not None and day >= since:
            counted_since += 1
            attended_since += came
    return (attended, counted), (attended_since, counted_since)


def attendance_percentage(attended, counted):
    return _r(100.0 * attended / counted) if counted else None


def trend(percentages):
    """Mean of the last 3 percentages minus the mean of the 3 before (oldest first); None with fewer than 6."""
    if len(percentages) < 2 * TREND_SPAN:
        return None
    last, before = percentages[-TREND_SPAN:], percentages[-2 * TREND_SPAN : -TREND_SPAN]
    return _r(mean(last) - mean(before))


def ranked(items, n, best_first=True):
    """Top (or low) performers: [(key, value)] -> [(place, key, value)] for places <= n.

    Ties share a place and the next place skips (1, 1, 3); a tie at place n keeps everyone tied."""
    rows = sorted((item for item in items if item[1] is not None), key=lambda kv: kv[1], reverse=best_first)
    out, place = [], 0
    for index, (key, value) in enumerate(rows):
        if index == 0 or value != rows[index - 1][1]:
            place = index + 1
        if place > n:
            break
        out.append((place, key, value))
    return out


def at_risk_reasons(attendance_30d, average_value, trend_value, missing_exams, pass_mark, limits=DEFAULT_LIMITS):
    """Why a student is at risk (empty when they are not): the one definition every view uses."""
    reasons = []
    if attendance_30d is not None and attendance_30d < limits.attendance:
        reasons.append(LOW_ATTENDANCE)
    if average_value is not None and average_value < pass_mark:
        reasons.append(BELOW_PASS_MARK)
    if trend_value is not None and trend_value <= limits.trend_drop:
        reasons.append(FALLING_TREND)
    if missing_exams:
        reasons.append(MISSING_GRADE)
    return reasons


def window_start(today, days=DEFAULT_LIMITS.window_days):
    """The first day of the at-risk attendance window ending today (`days` days, today included)."""
    return today - timedelta(days=days - 1)


def week_start(day):
    """The Monday of `day`'s week (weekly trends)."""
    return day - timedelta(days=day.weekday())
