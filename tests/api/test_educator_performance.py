"""The performance figures through the API, against the hand-worked fixture (tests/educator_fixture.py)."""

from datetime import timedelta

from tests.educator_fixture import attendance, build, days_ago, enrol, grade
from tests.helpers import auth_for, make_user

BANDS = ["A+", "A", "B+", "B", "C+", "C", "D+", "D", "F"]


def get(client, user, path, expect=200):
    res = client.get(f"/api/v1{path}", headers=auth_for(user))
    assert res.status_code == expect, res.get_json()
    return res.get_json()


def test_overview_matches_the_hand_worked_figures(client):
    f = build(client)
    s1, s2, s3 = f["students"]
    first = get(client, f["educator"], "/performance/overview")
    assert set(first) == {
        "total_students", "overall_average", "pass_rate", "grade_distribution", "subject_averages",
        "section_averages", "attendance_percentage", "top_performers", "low_performers", "at_risk_count",
        "computed_at", "cached",
    }  # fmt: skip
    assert first["total_students"] == 3
    assert first["overall_average"] == 75.83
    assert first["pass_rate"] == 66.67
    assert first["grade_distribution"] == {b: (1 if b in ("A", "B", "F") else 0) for b in BANDS}
    assert list(first["grade_distribution"]) == BANDS or set(first["grade_distribution"]) == set(BANDS)
    assert first["subject_averages"] == {"algebra": 76.67, "geometry": 72.5}
    assert first["section_averages"] == [{"section_id": f["section"]["id"], "name": "Math A", "average": 75.83}]
    assert first["attendance_percentage"] == 75.0
    assert first["at_risk_count"] == 2
    assert [(p["place"], p["student_id"], p["average"]) for p in first["top_performers"]] == [
        (1, s1.id, 92.5),
        (2, s3.id, 80.0),
        (3, s2.id, 55.0),
    ]
    assert [(p["place"], p["student_id"]) for p in first["low_performers"]][:1] == [(1, s2.id)]
    assert [p["student_id"] for p in get(client, f["educator"], "/performance/overview?n=1")["top_performers"]] == [
        s1.id
    ]
    assert first["cached"] is False and first["computed_at"].endswith("Z")
    again = get(client, f["educator"], "/performance/overview")
    assert again["cached"] is True and again["overall_average"] == 75.83
    # a write makes it stale at once: the next read is computed, with the new figure
    grade(client, f["educator"], f["exams"][1]["id"], [(s3.id, 20)])  # s3: (80 + 100) / 2 = 90
    after = get(client, f["educator"], "/performance/overview")
    assert after["cached"] is False
    assert after["overall_average"] == 79.17  # (92.5 + 55 + 90) / 3 = 79.1666...
    assert after["at_risk_count"] == 1  # s3 no longer misses a grade


def test_section_subject_and_student_figures(client):
    f = build(client)
    s1, s2, s3 = f["students"]
    sid = f["section"]["id"]
    one = get(client, f["educator"], f"/performance/sections/{sid}")
    assert one["section"]["average"] == 75.83 and one["section"]["pass_rate"] == 66.67
    assert one["section"]["attendance_percentage"] == 75.0
    assert one["section"]["exams"] == {"total": 3, "published": 2}
    rows = {r["student_id"]: r for r in one["students"]}
    assert rows[s2.id]["at_risk_reasons"] == ["low_attendance", "below_pass_mark"]
    assert rows[s3.id]["at_risk_reasons"] == ["missing_grade"]
    assert rows[s1.id]["at_risk_reasons"] == [] and rows[s1.id]["band"] == "A"
    assert rows[s2.id]["attendance_percentage"] == 0.0

    listed = get(client, f["educator"], "/performance/sections?sort=-average")["items"]
    assert [s["section_id"] for s in listed] == [sid]
    subjects = {s["subject"]: s for s in get(client, f["educator"], "/performance/subjects")["items"]}
    assert subjects["algebra"]["average"] == 76.67 and subjects["algebra"]["students"] == 3
    assert subjects["geometry"]["pass_rate"] == 50.0  # 95 passes, 50 fails
    assert subjects["algebra"]["grade_distribution"]["D"] == 1  # Ben's 60

    ben = get(client, f["educator"], f"/performance/students/{s2.id}")
    assert ben["average"] == 55.0 and ben["band"] == "F"
    assert ben["subjects"] == {
        "algebra": {"average": 60.0, "band": "D", "exams": 1},
        "geometry": {"average": 50.0, "band": "F", "exams": 1},
    }
    assert [e["percentage"] for e in ben["exams"]] == [60.0, 50.0]  # the unpublished exam is not listed
    assert ben["attendance"]["percentage"] == 0.0 and len(ben["attendance"]["history"]) == 3
    assert ben["trend"] is None
    assert ben["at_risk_reasons"] == ["low_attendance", "below_pass_mark"]

    own = get(client, s1, "/student/performance")
    assert own["average"] == 92.5 and own["attendance"]["percentage"] == 100.0
    assert own["student"]["id"] == s1.id


def test_attendance_before_enrolment_does_not_count(client):
    f = build(client)
    late = make_user(name="Dee")
    enrol(client, f["educator"], f["section"]["id"], late, days_back=2)  # joined 2 days ago
    # 3 days ago (before joining) absent; 2 days ago and yesterday present
    attendance(client, f["educator"], f["section"]["id"], 3, [(late.id, "absent")])
    attendance(client, f["educator"], f["section"]["id"], 2, [(late.id, "present")])
    attendance(client, f["educator"], f["section"]["id"], 1, [(late.id, "present")])
    dee = get(client, f["educator"], f"/performance/students/{late.id}")
    assert dee["attendance"]["percentage"] == 100.0
    assert [h["counted"] for h in dee["attendance"]["history"]] == [False, True, True]
    # the section: 6 + 2 attended of 8 + 2 counted = 80%
    assert (
        get(client, f["educator"], f"/performance/sections/{f['section']['id']}")["section"]["attendance_percentage"]
        == 80.0
    )


def test_weekly_trends(client):
    f = build(client)
    weeks = get(client, f["educator"], f"/performance/trends?section_id={f['section']['id']}&weeks=6")["weeks"]
    assert len(weeks) == 6
    by_week = {w["week_start"]: w for w in weeks}

    def monday(days_back):
        day = days_ago(days_back)
        return (day - timedelta(days=day.weekday())).isoformat()

    # e1 (20 days ago): 90, 60, 80 -> 76.67; e2 (10 days ago): 95, 50 -> 72.5; attendance in the last 3 days
    assert (by_week[monday(20)]["average"], by_week[monday(20)]["grades"]) == (76.67, 3)
    assert (by_week[monday(10)]["average"], by_week[monday(10)]["grades"]) == (72.5, 2)
    assert sum(w["grades"] for w in weeks) == 5
    assert all(w["average"] is None for w in weeks if w["week_start"] not in (monday(20), monday(10)))
    assert get(client, f["educator"], "/performance/trends?weeks=0", expect=422)["error"]["details"]["weeks"]


def test_another_educator_sees_none_of_it(client):
    f = build(client)
    other = make_user("educator")
    s1 = f["students"][0]
    empty = get(client, other, "/performance/overview")
    assert empty["total_students"] == 0 and empty["overall_average"] is None
    assert empty["grade_distribution"] == dict.fromkeys(BANDS, 0)
    assert get(client, other, "/performance/sections")["items"] == []
    assert get(client, other, f"/performance/sections/{f['section']['id']}", expect=404)
    assert get(client, other, f"/performance/students/{s1.id}", expect=404)
    assert get(client, other, f"/performance/trends?section_id={f['section']['id']}", expect=404)
    admin = make_user("admin")
    assert get(client, admin, "/performance/overview")["overall_average"] == 75.83
    for role in ("mentor", "student"):
        user = make_user(role)
        for path in ("/performance/overview", "/performance/sections", "/performance/subjects", "/performance/trends"):
            assert get(client, user, path, expect=403)["error"]["code"] == "forbidden"
    assert get(client, make_user("educator"), "/student/performance", expect=403)


def test_performance_section_in_the_mentors_insights_and_readiness_evidence(client, run_worker):
    mentor = make_user("mentor")
    f = build(client, mentor=mentor)
    run_worker()  # the recompute jobs keep the student summaries
    s1, s2, _ = f["students"]
    get(client, mentor, f"/mentor/student/{s2.id}/insights")  # a cold cache queues the full insights
    run_worker()
    insights = get(client, mentor, f"/mentor/student/{s2.id}/insights")["insights"]
    assert insights["performance"]["average"] == 55.0
    assert insights["performance"]["at_risk_reasons"] == ["low_attendance", "below_pass_mark"]
    from app.services.performance import hooks

    # each graded published exam adds percentage / 100 to its subject: Ana 0.9 algebra, 0.95 geometry
    assert hooks.grade_evidence(s1.id) == {"algebra": 0.9, "geometry": 0.95}


def test_several_sections_are_computed_at_once_as_each_alone(client, app):
    """The cold overview computes every stale section in one pass (figures.compute_sections):
    the same figures as one section at a time, and an overview over both sections."""
    from app.models import utcnow
    from app.services.performance import figures as fig

    educator = make_user("educator")
    first, second = build(client, educator), build(client, educator)
    s1 = first["students"][0]
    enrol(client, educator, second["section"]["id"], s1)  # one student in both sections
    ids = [first["section"]["id"], second["section"]["id"]]
    now = utcnow()
    with app.app_context():
        together = fig.compute_sections(ids, now)
        alone = {sid: fig.compute_sections([sid], now)[sid] for sid in ids}
        assert fig.compute_sections([max(ids) + 1000], now) == {}
    assert together == alone
    both = get(client, educator, "/performance/overview")
    assert both["total_students"] == 6 and len(both["section_averages"]) == 2
    # top/low performers: the default N is stored with the figures, another N is computed
    top = get(client, educator, "/performance/overview?n=2")["top_performers"]
    assert [p["student_id"] for p in top] == [p["student_id"] for p in both["top_performers"]][:2]
    assert get(client, educator, "/performance/overview?n=2")["cached"] is True
