"""A small section whose figures were worked out by hand, built through the real API.

Math A (algebra, geometry), three students enrolled 30 days ago:

    exam                       s1        s2        s3
    e1 algebra /50  (-20 d)    45 = 90%  30 = 60%  40 = 80%
    e2 geometry /20 (-10 d)    19 = 95%  10 = 50%  (none)
    e3 algebra /100 unpublished: s1 10 (never counts)
    average                    92.5 A    55.0 F    80.0 B
    attendance (-3, -2, -1 d)  P P L     A A E     P L P
                               3/3       0/2       3/3

Section: average (92.5 + 55 + 80) / 3 = 75.83; pass rate 2 of 3 = 66.67; algebra
(90 + 60 + 80) / 3 = 76.67; geometry (95 + 50) / 2 = 72.5; attendance 6 / 8 = 75.0.
At risk: s2 (attendance 0% < 75, average 55 < 60), s3 (published e2 has no grade).
"""

from datetime import UTC, datetime, timedelta

from tests.helpers import auth_for, make_user


def days_ago(n):
    return (datetime.now(UTC) - timedelta(days=n)).date()


def post(client, user, path, body, expect=201):
    res = client.post(f"/api/v1{path}", json=body, headers=auth_for(user))
    assert res.status_code == expect, res.get_json()
    return res.get_json()


def put(client, user, path, body, expect=200, **kwargs):
    res = client.put(f"/api/v1{path}", json=body, headers=auth_for(user), **kwargs)
    assert res.status_code == expect, res.get_json()
    return res.get_json()


def section(client, educator, name="Math A", subjects=("algebra", "geometry"), **extra):
    return post(client, educator, "/educator/sections", {"name": name, "subjects": list(subjects), **extra})["section"]


def teaches(educator, student):
    """Put the student in a cohort assigned to the educator (an educator enrols only those)."""
    from app.extensions import db
    from app.models import Cohort, CohortMember, Role
    from app.services.performance import teaching

    if educator.role != Role.EDUCATOR:
        return
    name = f"Taught by {educator.id}"
    cohort = db.session.query(Cohort).filter_by(name=name).one_or_none()
    if cohort is None:
        cohort = Cohort(name=name)
        db.session.add(cohort)
        db.session.commit()
        teaching.assign(educator.id, cohort.id)
    if db.session.query(CohortMember).filter_by(cohort_id=cohort.id, user_id=student.id).one_or_none() is None:
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=student.id))
        db.session.commit()


def enrol(client, educator, section_id, student, days_back=30):
    teaches(educator, student)
    enrolled_at = (datetime.now(UTC) - timedelta(days=days_back)).isoformat()
    body = {"student_id": student.id, "enrolled_at": enrolled_at}
    return post(client, educator, f"/educator/sections/{section_id}/students", body)["enrolment"]


def exam(client, educator, section_id, subject, total, days_back, published=True, name=None):
    body = {
        "section_id": section_id,
        "subject": subject,
        "name": name or f"{subject} {days_back}",
        "date": days_ago(days_back).isoformat(),
        "total_marks": total,
        "published": published,
    }
    return post(client, educator, "/educator/exams", body)["exam"]


def grade(client, educator, exam_id, rows):
    return put(client, educator, f"/educator/exams/{exam_id}/grades", [{"student_id": s, "score": v} for s, v in rows])


def attendance(client, educator, section_id, days_back, rows):
    body = [{"student_id": s, "status": status} for s, status in rows]
    return put(client, educator, f"/educator/sections/{section_id}/attendance?date={days_ago(days_back)}", body)


def build(client, educator=None, mentor=None):
    educator = educator or make_user("educator")
    s1, s2, s3 = (make_user(name=n, mentor=mentor) for n in ("Ana", "Ben", "Cy"))
    math = section(client, educator)
    for s in (s1, s2, s3):
        enrol(client, educator, math["id"], s)
    e1 = exam(client, educator, math["id"], "algebra", 50, 20)
    e2 = exam(client, educator, math["id"], "geometry", 20, 10)
    e3 = exam(client, educator, math["id"], "algebra", 100, 5, published=False)
    grade(client, educator, e1["id"], [(s1.id, 45), (s2.id, 30), (s3.id, 40)])
    grade(client, educator, e2["id"], [(s1.id, 19), (s2.id, 10)])
    grade(client, educator, e3["id"], [(s1.id, 10)])
    marks = {3: ("present", "absent", "present"), 2: ("present", "absent", "late"), 1: ("late", "excused", "present")}
    for days_back, statuses in marks.items():
        attendance(client, educator, math["id"], days_back, zip((s1.id, s2.id, s3.id), statuses, strict=True))
    return {"educator": educator, "students": (s1, s2, s3), "section": math, "exams": (e1, e2, e3)}
