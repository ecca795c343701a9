"""Portal writes keep the student's dashboard fresh: each queues a refresh at its priority,
and the worker's refresh reaches the student live with the new figures."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import DashboardUpdateQueue
from tests.helpers import auth_for, book_session, make_user, token_for

DASH = "/api/v1/student/dashboard"


def pending(student):
    db.session.expire_all()
    return db.session.query(DashboardUpdateQueue).filter_by(student_id=student.id, processed_at=None).one_or_none()


def test_task_and_review_reach_the_students_dashboard(client, live_server, live_client, run_worker):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    assert client.get(DASH, headers=auth_for(student)).status_code == 200  # cold start builds the row
    sock = live_client(live_server)
    sock.connect(token_for(student))

    res = client.post(
        "/api/v1/tasks",
        json={"student_id": student.id, "title": "Ship it", "skills": ["python"]},
        headers=auth_for(mentor),
    )
    assert res.status_code == 201
    row = pending(student)
    assert (row.priority, row.reason) == ("high", "task:assigned")
    run_worker()
    event = sock.wait_for("dashboard:updated")
    assert event["student_id"] == student.id
    assert client.get(DASH, headers=auth_for(student)).get_json()["quick_stats"]["tasks_open"] == 1

    entry = client.post("/api/v1/entries", json={"title": "API", "skills": ["python"]}, headers=auth_for(student))
    client.patch(
        f"/api/v1/entries/{entry.get_json()['entry']['id']}/status",
        json={"status": "approved"},
        headers=auth_for(mentor),
    )
    assert pending(student).priority == "high"
    run_worker()
    sock.wait_for("dashboard:updated", lambda d: d["event_id"] > event["event_id"])
    readiness = client.get(DASH, headers=auth_for(student)).get_json()["readiness"]
    assert readiness["score"] > 0  # an approved, tagged entry is evidence


def test_sessions_and_attendance_queue_their_students(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    start = datetime.now(UTC) - timedelta(minutes=5)
    s = book_session(client, mentor, start, student_id=student.id)
    assert (pending(student).priority, pending(student).reason) == ("normal", "schedule:created")
    db.session.query(DashboardUpdateQueue).delete()
    db.session.commit()
    client.post(f"/api/v1/schedules/{s['id']}/attendance", json={"status": "present"}, headers=auth_for(student))
    assert pending(student).reason == "attendance:marked"
