"""Every performance rule on small numbers worked out by hand (docs/performance.md)."""

from datetime import date

from app.services.performance import rules


def test_percentage_and_average():
    assert rules.percentage(45, 50) == 90.0
    assert rules.percentage(7, 8) == 87.5
    # (90 + 87.5 + 60) / 3 = 79.1666... -> 79.17
    assert rules.average([90, 87.5, 60]) == 79.17
    assert rules.average([]) is None


def test_bands_at_every_boundary():
    cases = {
        100: "A+", 95: "A+", 94.99: "A", 90: "A", 89.99: "B+", 85: "B+", 80: "B", 79.99: "C+",
        75: "C+", 70: "C", 65: "D+", 64.99: "D", 60: "D", 59.99: "F", 0: "F",
    }  # fmt: skip
    for value, band in cases.items():
        assert rules.band(value) == band, value
    assert rules.band(None) is None


def test_distribution_lists_every_band_with_zeros():
    assert rules.distribution([96, 91, 59, 60, None]) == {
        "A+": 1, "A": 1, "B+": 0, "B": 0, "C+": 0, "C": 0, "D+": 0, "D": 1, "F": 1,
    }  # fmt: skip
    assert rules.distribution([]) == dict.fromkeys(["A+", "A", "B+", "B", "C+", "C", "D+", "D", "F"], 0)


def test_pass_rate_counts_only_students_with_a_grade():
    # 60 passes, 59.99 fails, 80 passes; the ungraded student is left out: 2 of 3
    assert rules.pass_rate([60, 59.99, 80, None], 60) == 66.67
    assert rules.pass_rate([55, 45], 50) == 50.0  # another PASS_MARK
    assert rules.pass_rate([None], 60) is None


def test_attendance_leaves_out_excused_days_and_days_outside_the_enrolment():
    records = [
        (date(2026, 11, 9), "present"),  # before enrolment: never counts
        (date(2026, 11, 10), "present"),
        (date(2026, 11, 11), "late"),  # late attends
        (date(2026, 11, 12), "absent"),
        (date(2026, 11, 13), "excused"),  # left out
    ]
    enrolled = [(date(2026, 11, 10), None)]
    assert rules.attendance_tally(records, enrolled) == (2, 3)
    assert rules.attendance_percentage(2, 3) == 66.67
    left = [(date(2026, 11, 10), date(2026, 11, 11))]  # left on the 11th: the 12th does not count
    assert rules.attendance_tally(records, left) == (2, 2)
    # the at-risk window: only days since the 11th
    assert rules.attendance_tally(records, enrolled, since=date(2026, 11, 11)) == (1, 2)
    assert rules.attendance_percentage(0, 0) is None


def test_the_at_risk_window_is_the_last_30_days_including_today():
    assert rules.window_start(date(2026, 11, 30)) == date(2026, 11, 1)


def test_trend_is_last_three_minus_the_three_before():
    # (80 + 90 + 100) / 3 - (50 + 60 + 70) / 3 = 90 - 60 = 30
    assert rules.trend([50, 60, 70, 80, 90, 100]) == 30.0
    assert rules.trend([10, 50, 60, 70, 80, 90, 100]) == 30.0  # older exams do not matter
    # (40 + 50 + 45) / 3 - (70 + 80 + 75) / 3 = 45 - 75 = -30
    assert rules.trend([70, 80, 75, 40, 50, 45]) == -30.0
    assert rules.trend([50, 60, 70, 80, 90]) is None


def test_top_and_low_performers_share_places_on_ties():
    items = [(1, 90.0), (2, 95.0), (3, 90.0), (4, 70.0), (5, 60.0), (6, 50.0), (7, None)]
    assert rules.ranked(items, 2) == [(1, 2, 95.0), (2, 1, 90.0), (2, 3, 90.0)]
    # place 4 (student 4) is beyond n = 3: students 1 and 3 share place 2, so nobody is third
    assert rules.ranked(items, 3) == [(1, 2, 95.0), (2, 1, 90.0), (2, 3, 90.0)]
    assert rules.ranked(items, 4)[-1] == (4, 4, 70.0)
    assert rules.ranked(items, 2, best_first=False) == [(1, 6, 50.0), (2, 5, 60.0)]


def test_at_risk_reasons():
    assert rules.at_risk_reasons(74.99, 59.0, -10.0, 1, 60) == [
        "low_attendance",
        "below_pass_mark",
        "falling_trend",
        "missing_grade",
    ]
    assert rules.at_risk_reasons(75.0, 60.0, -9.99, 0, 60) == []
    assert rules.at_risk_reasons(None, None, None, 0, 60) == []
    assert rules.at_risk_reasons(90.0, 65.0, None, 0, 70) == ["below_pass_mark"]  # PASS_MARK 70


def test_the_thresholds_are_settings():
    """AT_RISK_ATTENDANCE, AT_RISK_WINDOW_DAYS, AT_RISK_TREND_DROP: the defaults are the shipped ones."""
    assert rules.DEFAULT_LIMITS == rules.Limits(60.0, 75.0, 30, -10.0)
    strict = rules.Limits(pass_mark=60.0, attendance=90.0, window_days=7, trend_drop=-5.0)
    assert rules.at_risk_reasons(89.99, 70.0, -5.0, 0, 60, strict) == ["low_attendance", "falling_trend"]
    assert rules.at_risk_reasons(90.0, 70.0, -4.99, 0, 60, strict) == []
    assert rules.window_start(date(2026, 11, 30), strict.window_days) == date(2026, 11, 24)
