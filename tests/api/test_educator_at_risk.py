"""At risk: the educator and the mentor are notified, once per reason per week (time passed in)."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, StudentPerformanceSummary, utcnow
from app.services.performance import recompute
from tests.educator_fixture import build, exam, grade
from tests.helpers import make_user


def notices(user):
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id, Notification.type == "at_risk")
        .order_by(Notification.id)
    ).all()
    return [(n.data["student_id"], n.data["reason"]) for n in rows]


def test_at_risk_is_notified_once_per_reason_per_week(client):
    mentor = make_user("mentor")
    f = build(client, mentor=mentor)
    educator, section_id = f["educator"], f["section"]["id"]
    s1, s2, s3 = f["students"]
    now = utcnow()
    recompute.recompute_section(section_id, now=now, summaries_now=True)
    expected = [(s2.id, "low_attendance"), (s2.id, "below_pass_mark"), (s3.id, "missing_grade")]
    assert sorted(notices(educator)) == sorted(expected)
    assert sorted(notices(mentor)) == sorted(expected)
    summary = db.session.get(StudentPerformanceSummary, s2.id)
    assert summary.average == 55.0 and summary.band == "F" and summary.attendance_percentage == 0.0
    assert summary.at_risk_reasons == ["low_attendance", "below_pass_mark"]

    # three days later: nothing new, even though the same reasons still hold
    recompute.recompute_section(section_id, now=now + timedelta(days=3), summaries_now=True)
    assert len(notices(educator)) == 3 and len(notices(mentor)) == 3

    # a new reason is told at once: Ana drops to (0 + 95) / 2 = 47.5
    grade(client, educator, f["exams"][0]["id"], [(s1.id, 0)])
    recompute.recompute_section(section_id, now=now + timedelta(days=4), summaries_now=True)
    assert notices(educator)[-1] == (s1.id, "below_pass_mark") and len(notices(educator)) == 4

    # a week after the first notices, the standing reasons are told again (once)
    recompute.recompute_section(section_id, now=now + timedelta(days=7, minutes=1), summaries_now=True)
    recompute.recompute_section(section_id, now=now + timedelta(days=7, minutes=2), summaries_now=True)
    assert len(notices(educator)) == 7 and len(notices(mentor)) == 7
    note = db.session.scalars(select(Notification).where(Notification.user_id == mentor.id)).first()
    assert note.data["student_name"] in ("Ben", "Cy") and note.title.startswith(note.data["student_name"])


def test_a_falling_trend_is_a_reason(client):
    f = build(client)
    educator, section_id = f["educator"], f["section"]["id"]
    s1 = f["students"][0]

    # Ana's percentages by date: 90, 95 (fixture) then 100, 70, 70, 70:
    # mean of the last three (70) minus the three before (90, 95, 100: 95) = -25
    for days_back, pct in ((9, 100), (8, 70), (7, 70), (6, 70)):
        e = exam(client, educator, section_id, "algebra", 100, days_back)
        grade(client, educator, e["id"], [(s1.id, pct)])
    recompute.recompute_section(section_id, now=utcnow(), summaries_now=True)
    assert (s1.id, "falling_trend") in notices(educator)
    summary = db.session.get(StudentPerformanceSummary, s1.id)
    assert summary.trend == -25.0
