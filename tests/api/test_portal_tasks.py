"""Tasks: a mentor assigns to their own students only; done by the student; audit and inbox."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Notification, OutboxEvent
from tests.helpers import auth_for, make_user


def assign(client, mentor, student, **extra):
    body = {"student_id": student.id, "title": "Write a README", **extra}
    res = client.post("/api/v1/tasks", json=body, headers=auth_for(mentor))
    assert res.status_code == 201, res.get_json()
    return res.get_json()["task"]


def test_assign_task_tells_student_and_mentor(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    due = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    task = assign(client, mentor, student, due_at=due.isoformat(), skills=["docs"], est_hours=2)
    assert task["status"] == "open" and task["mentor_id"] == mentor.id and task["overdue"] is False
    assert task["due_at"] == due.strftime("%Y-%m-%dT%H:%M:%SZ") and task["skills"] == ["docs"]
    rooms = sorted(e.room for e in db.session.query(OutboxEvent).filter_by(event="task:assigned"))
    assert rooms == sorted([f"student:{student.id}", f"mentor:{mentor.id}"])
    inbox = client.get("/api/v1/notifications", headers=auth_for(student)).get_json()
    assert [n["type"] for n in inbox["items"]] == ["task_assigned"]


def test_student_completes_task_mentor_is_told_and_audit_shows_it(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    task = assign(client, mentor, student)
    res = client.patch(f"/api/v1/tasks/{task['id']}/status", json={"status": "done"}, headers=auth_for(student))
    assert res.status_code == 200 and res.get_json()["task"]["completed_at"]
    assert db.session.query(Notification).filter_by(user_id=mentor.id, type="task_completed").count() == 1
    log = client.get(f"/api/v1/audit-logs/task/{task['id']}", headers=auth_for(mentor)).get_json()["items"]
    assert [(a["action"], a["old_value"], a["new_value"]) for a in log][1] == (
        "status",
        {"status": "open"},
        {"status": "done"},
    )
    assert log[0]["new_value"]["title"] == "Write a README" and log[0]["old_value"] is None


def test_mentor_edits_task_and_the_audit_keeps_old_and_new(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    task = assign(client, mentor, student)
    res = client.patch(f"/api/v1/tasks/{task['id']}", json={"title": "Write a better README"}, headers=auth_for(mentor))
    assert res.status_code == 200
    log = client.get(f"/api/v1/audit-logs/task/{task['id']}", headers=auth_for(student)).get_json()["items"]
    assert log[-1]["old_value"] == {"title": "Write a README"}
    assert log[-1]["new_value"] == {"title": "Write a better README"}


def test_overdue_filter(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    late = assign(client, mentor, student, due_at=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    on_time = assign(client, mentor, student, due_at=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    undated = assign(client, mentor, student)
    items = client.get("/api/v1/tasks?overdue=true", headers=auth_for(student)).get_json()["items"]
    assert [t["id"] for t in items] == [late["id"]] and items[0]["overdue"] is True
    items = client.get("/api/v1/tasks?overdue=false", headers=auth_for(student)).get_json()["items"]
    assert [t["id"] for t in items] == [undated["id"], on_time["id"]]


def test_wrong_mentor_and_wrong_student_get_404_on_every_task_route(client):
    mentor, other_mentor = make_user("mentor"), make_user("mentor")
    student, other_student = make_user(mentor=mentor), make_user(mentor=other_mentor)
    task = assign(client, mentor, student)
    tid = task["id"]
    res = client.post("/api/v1/tasks", json={"student_id": student.id, "title": "x"}, headers=auth_for(other_mentor))
    assert res.status_code == 404
    for user in (other_mentor, other_student):
        h = auth_for(user)
        calls = [
            client.get(f"/api/v1/tasks/{tid}", headers=h),
            client.patch(f"/api/v1/tasks/{tid}/status", json={"status": "done"}, headers=h),
            client.get(f"/api/v1/audit-logs/task/{tid}", headers=h),
            client.get(f"/api/v1/tasks?student_id={student.id}", headers=h),
        ]
        if user is other_mentor:
            calls.append(client.patch(f"/api/v1/tasks/{tid}", json={"title": "x"}, headers=h))
        assert [c.status_code for c in calls] == [404] * len(calls), [c.get_json() for c in calls]
        assert client.get("/api/v1/tasks", headers=h).get_json()["items"] == []
    assert (
        client.post(
            "/api/v1/tasks", json={"student_id": student.id, "title": "x"}, headers=auth_for(student)
        ).status_code
        == 403
    )
    assert client.patch(f"/api/v1/tasks/{tid}", json={"title": "x"}, headers=auth_for(student)).status_code == 403


def test_bad_task_input(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    h = auth_for(mentor)
    cases = [
        ({"title": "x"}, "student_id"),
        ({"student_id": "1", "title": "x"}, "student_id"),
        ({"student_id": student.id}, "title"),
        ({"student_id": student.id, "title": "x", "due_at": "tomorrow"}, "due_at"),
        ({"student_id": student.id, "title": "x", "est_hours": -1}, "est_hours"),
        ({"student_id": student.id, "title": "x", "priority": "high"}, "priority"),
    ]
    for body, field in cases:
        res = client.post("/api/v1/tasks", json=body, headers=h)
        assert res.status_code == 422 and field in res.get_json()["error"]["details"], (body, res.get_json())
    task = assign(client, mentor, student)
    res = client.patch(f"/api/v1/tasks/{task['id']}/status", json={"status": "finished"}, headers=h)
    assert res.status_code == 422
    assert client.post("/api/v1/tasks", data="nope", headers=h).status_code in (400, 415)


def test_task_edit_is_in_the_feed_and_the_students_inbox(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    task = assign(client, mentor, student)
    client.patch(f"/api/v1/tasks/{task['id']}", json={"description": "with examples"}, headers=auth_for(mentor))
    feed = client.get("/api/v1/activity-feed?type=task:updated", headers=auth_for(student)).get_json()["items"]
    assert [f["payload"]["changes"] for f in feed] == [["description"]]
    assert db.session.query(Notification).filter_by(user_id=student.id, type="task_updated").count() == 1
