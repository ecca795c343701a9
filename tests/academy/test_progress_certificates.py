"""Progress (idempotent, never backwards) and certificates (issued once, verified, downloaded)."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Certificate, Enrolment, LessonCompletion, Notification
from app.services.shared.queues import enqueue
from tests.academy.helpers import add_lesson, complete, enrol, make_course, text_of
from tests.helpers import auth_for, make_user


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_progress_is_idempotent_and_the_certificate_is_issued_once(client, smtp, run_worker):
    educator = make_user("educator")
    student = make_user(name="Cora Completer", email="cora@example.test")
    course, (first, second), module_id = make_course(client, educator, title="Free Flask")
    enrolment = enrol(client, student, course["id"])
    assert enrolment["status"] == "active"

    assert complete(client, student, course["id"], first) == {
        "course_id": course["id"],
        "completed": 1,
        "total": 2,
        "percent": 50,
    }
    assert complete(client, student, course["id"], first)["percent"] == 50  # twice: nothing changes
    assert _count(LessonCompletion, LessonCompletion.student_id == student.id) == 1
    cached = client.get("/api/v1/student/courses", headers=auth_for(student)).get_json()["items"][0]
    assert cached["progress"]["percent"] == 50 and cached["certificate"] is None

    assert complete(client, student, course["id"], second)["percent"] == 100
    # the list is invalidated by the completion, not served stale from Redis
    assert (
        client.get("/api/v1/student/courses", headers=auth_for(student)).get_json()["items"][0]["progress"]["percent"]
        == 100
    )
    run_worker()
    enqueue("app.jobs.academy.issue_certificate", enrolment["id"])  # the job a second time
    run_worker()
    assert _count(Certificate, Certificate.student_id == student.id) == 1
    assert _count(Notification, Notification.user_id == student.id, Notification.type == "certificate_issued") == 1
    certificate = db.session.scalar(select(Certificate).where(Certificate.student_id == student.id))
    assert certificate.pdf.startswith(b"%PDF")

    mail = smtp.inbox.wait_for(lambda m: m["Subject"].startswith("Your certificate"))
    assert certificate.code in text_of(mail) and f"/verify/{certificate.code}" in text_of(mail)
    assert "/api/" not in text_of(mail) and "/student/certificates" in text_of(mail)  # pages, not API paths
    assert smtp.inbox.subjects(to="cora@example.test").count(mail["Subject"]) == 1

    # public verification: name, course, date, and nothing else; an unknown code is a 404
    res = client.get(f"/api/v1/certificates/verify/{certificate.code}")
    assert res.status_code == 200
    shown = res.get_json()["certificate"]
    assert set(shown) == {"name", "course", "issued_at"}
    assert shown["name"] == "Cora Completer" and shown["course"] == "Free Flask" and shown["issued_at"].endswith("Z")
    assert client.get("/api/v1/certificates/verify/0000-0000-0000-0000").status_code == 404

    # the owner downloads the PDF; anyone else sees nothing
    listed = client.get("/api/v1/student/courses", headers=auth_for(student)).get_json()["items"][0]
    assert listed["certificate"]["code"] == certificate.code
    pdf = client.get(f"/api/v1/certificates/{certificate.id}/pdf", headers=auth_for(student))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get(f"/api/v1/certificates/{certificate.id}/pdf", headers=auth_for(make_user())).status_code == 404
    assert client.get(f"/api/v1/certificates/{certificate.id}/pdf").status_code == 401

    # a lesson added later: the finished student keeps 100% and the certificate
    third = add_lesson(client, educator, course["id"], module_id, "Lesson 3")
    item = client.get("/api/v1/student/courses", headers=auth_for(student)).get_json()["items"][0]
    assert item["progress"] == {"course_id": course["id"], "completed": 2, "total": 3, "percent": 100}
    assert complete(client, student, course["id"], third)["percent"] == 100
    run_worker()
    assert _count(Certificate, Certificate.student_id == student.id) == 1


def test_progress_never_goes_backwards_when_a_lesson_is_added(client):
    educator, student = make_user("educator"), make_user()
    course, (first, _second), module_id = make_course(client, educator)
    enrol(client, student, course["id"])
    assert complete(client, student, course["id"], first)["percent"] == 50
    add_lesson(client, educator, course["id"], module_id, "Lesson 3")
    add_lesson(client, educator, course["id"], module_id, "Draft", published=False)  # not counted
    item = client.get("/api/v1/student/courses", headers=auth_for(student)).get_json()["items"][0]
    # 1 of 3 is 33%, but 50% was shown before: it stays, until real progress passes it
    assert item["progress"] == {"course_id": course["id"], "completed": 1, "total": 3, "percent": 50}
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.student_id == student.id))
    assert enrolment.best_percent == 50 and enrolment.completed_at is None


def test_completing_needs_an_active_enrolment_and_a_published_lesson(client):
    educator, student = make_user("educator"), make_user()
    course, (first, _second), module_id = make_course(client, educator)
    other, (foreign, *_), _m = make_course(client, educator, title="Other")
    draft = add_lesson(client, educator, course["id"], module_id, "Draft", published=False)
    url = f"/api/v1/courses/{course['id']}/lessons"
    res = client.post(f"{url}/{first}/complete", headers=auth_for(student))
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "not_enrolled"
    enrol(client, student, course["id"])
    for lesson_id in (999999, foreign, draft):
        res = client.post(f"{url}/{lesson_id}/complete", headers=auth_for(student))
        assert res.status_code == 404 and res.get_json()["error"]["code"] == "lesson_not_found"
    assert client.post(f"/api/v1/courses/999999/lessons/{first}/complete", headers=auth_for(student)).status_code == 404
    assert client.post(f"{url}/{first}/complete", headers=auth_for(educator)).status_code == 403
