"""Idempotency-Key on every POST that creates something, present and future.

The first test walks the app's URL map: every POST under /api/ either honours the key
(app/api/idempotent.py: @idempotent, or @honours_idempotency_key where the service applies
it) or is listed in EXEMPT with the reason it needs none. A new creating POST that forgets
it fails here. The others check the newer creates really replay."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.api.idempotent import MARK
from app.extensions import db
from app.models import (
    Cohort,
    CohortMember,
    Course,
    CourseModule,
    Enrolment,
    Exam,
    IdempotencyRecord,
    Lesson,
    OutboxEvent,
    Section,
    SectionEnrolment,
    User,
)
from tests.academy.helpers import make_course
from tests.helpers import auth_for, make_user

EXEMPT = {
    "auth.login": "signs in: creates nothing a retry could duplicate",
    "auth.register": "no caller yet to scope a key to; the unique email makes a retry a 409",
    "auth.refresh": "hands out a new access token; stores nothing",
    "auth.logout": "revokes the caller's tokens; doing it twice changes nothing",
    "academy.end_enrolment": "a state change: ending an ended enrolment answers the same",
    "academy.approve_payment": "a decision: a second one is 409 (only a pending payment is decided)",
    "academy.reject_payment": "a decision: a second one is 409 (only a pending payment is decided)",
    "academy.complete_lesson": "idempotent by nature: one completion per student and lesson",
    "mentor.acknowledge": "a state change of an alert, not a create",
    "mentor.resolve": "a state change of an alert, not a create",
    "mentor.dismiss_concern": "a state change of a concern (409 once reviewed), not a create",
    "mentor.raise_concern": "a state change of a concern (409 once reviewed); its alert is the concern's one",
    "notifications.mark_read": "idempotent by nature",
    "notifications.mark_all_read": "idempotent by nature",
    "student.stream_token": "a one-use token valid for seconds; a retry simply gets another",
}


def _api_posts(app):
    """Our API's POSTs (rq-dashboard's own forms under /admin/rq/ are not part of it)."""
    return {r.endpoint: r.rule for r in app.url_map.iter_rules() if "POST" in r.methods and r.rule.startswith("/api/")}


def test_every_creating_post_honours_the_idempotency_key(app):
    posts = _api_posts(app)
    forgotten = sorted(
        f"{endpoint} ({rule})"
        for endpoint, rule in posts.items()
        if endpoint not in EXEMPT and not getattr(app.view_functions[endpoint], MARK, False)
    )
    assert not forgotten, f"POST routes without Idempotency-Key (add @idempotent, or exempt with a reason): {forgotten}"
    # the exemptions stay honest: each names a real POST that really does without the key
    assert set(EXEMPT) <= set(posts), set(EXEMPT) - set(posts)
    assert not [e for e in EXEMPT if getattr(app.view_functions[e], MARK, False)]
    assert all(reason.strip() for reason in EXEMPT.values())


def writes(client):
    """(name, who posts, url, body, another body, model counted) for each newer create."""
    educator, admin, student = make_user("educator"), make_user("admin"), make_user()
    course, _lessons, module_id = make_course(client, educator)
    cohort = Cohort(name="Spring")
    math = Section(educator_id=educator.id, name="Math", subjects=["algebra"], term="")
    db.session.add_all([cohort, math])
    db.session.commit()
    base = f"/api/v1/courses/{course['id']}"
    exam = {
        "section_id": math.id,
        "subject": "algebra",
        "name": "Quiz",
        "date": date.today().isoformat(),
        "total_marks": 10,
        "published": True,
    }
    enrolled_at = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    return {
        "course": (educator, "/api/v1/courses", {"title": "C1"}, {"title": "C2"}, Course),
        "module": (educator, f"{base}/modules", {"title": "M1"}, {"title": "M2"}, CourseModule),
        "lesson": (
            educator,
            f"{base}/lessons",
            {"module_id": module_id, "title": "L1"},
            {"module_id": module_id, "title": "L2"},
            Lesson,
        ),
        "announcement": (educator, f"{base}/announcements", {"title": "Hi"}, {"title": "Bye"}, OutboxEvent),
        "course_enrolment": (student, f"{base}/enrol", {}, {"legal_name": "Another Name"}, Enrolment),
        "section": (
            educator,
            "/api/v1/educator/sections",
            {"name": "S1", "subjects": ["x"]},
            {"name": "S2", "subjects": ["x"]},
            Section,
        ),
        "section_student": (
            admin,
            f"/api/v1/educator/sections/{math.id}/students",
            {"student_id": student.id, "enrolled_at": enrolled_at},
            {"student_id": student.id},
            SectionEnrolment,
        ),
        "exam": (educator, "/api/v1/educator/exams", exam, {**exam, "name": "Quiz 2"}, Exam),
        "user": (
            admin,
            "/api/v1/admin/users",
            {"email": "new@example.test", "password": "pw-123456", "name": "New", "role": "mentor"},
            {"email": "new2@example.test", "password": "pw-123456", "name": "New", "role": "mentor"},
            User,
        ),
        "cohort": (admin, "/api/v1/admin/cohorts", {"name": "Fall"}, {"name": "Winter"}, Cohort),
        "cohort_member": (
            admin,
            f"/api/v1/admin/cohorts/{cohort.id}/members",
            {"student_id": student.id},
            {"student_id": educator.id},
            CohortMember,
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "course",
        "module",
        "lesson",
        "announcement",
        "course_enrolment",
        "section",
        "section_student",
        "exam",
        "user",
        "cohort",
        "cohort_member",
    ],
)
def test_a_retried_create_gets_the_first_answer_and_creates_nothing(client, name):
    user, url, body, other, model = writes(client)[name]
    headers = {**auth_for(user), "Idempotency-Key": f"key-{name}"}
    before = db.session.query(model).count()
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert db.session.query(model).count() == before + 1

    again = client.post(url, json=body, headers=headers)
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(model).count() == before + 1

    reused = client.post(url, json=other, headers=headers)
    assert reused.status_code == 409 and reused.get_json()["error"]["code"] == "idempotency_key_reused"
    assert db.session.query(model).count() == before + 1
    record = db.session.get(IdempotencyRecord, (f"user:{user.id}", f"key-{name}"))
    assert record.status_code == 201
