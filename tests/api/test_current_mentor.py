"""The current mentor, everywhere: after a reassignment the old mentor gets 404 and no
notifications about the student; open tasks move; upcoming 1:1 sessions are canceled."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Notification, Task
from tests.helpers import auth_for, book_session, make_user


def test_reassignment_moves_tasks_cancels_upcoming_sessions_and_rehomes_every_check(client):
    old, new, admin = make_user("mentor"), make_user("mentor"), make_user("admin")
    student = make_user(mentor=old)
    now = datetime.now(UTC).replace(microsecond=0)
    past = book_session(client, old, now - timedelta(days=2), title="Past", student_id=student.id)
    upcoming = book_session(client, old, now + timedelta(days=2), title="Next", student_id=student.id)
    group_free = book_session(client, old, now + timedelta(days=3), title="Nobody yet")
    open_task = client.post(
        "/api/v1/tasks", json={"student_id": student.id, "title": "Open"}, headers=auth_for(old)
    ).get_json()["task"]
    done_task = client.post(
        "/api/v1/tasks", json={"student_id": student.id, "title": "Done"}, headers=auth_for(old)
    ).get_json()["task"]
    client.patch(f"/api/v1/tasks/{done_task['id']}/status", json={"status": "done"}, headers=auth_for(student))

    res = client.put(f"/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": new.id}, headers=auth_for(admin))
    assert res.status_code == 200
    db.session.expire_all()

    # sessions: the old mentor no longer reads or edits the student's; the new one does
    for s in (past, upcoming):
        assert client.get(f"/api/v1/schedules/{s['id']}", headers=auth_for(old)).status_code == 404
        assert client.put(f"/api/v1/schedules/{s['id']}", json={"title": "x"}, headers=auth_for(old)).status_code == 404
        assert client.get(f"/api/v1/schedules/{s['id']}", headers=auth_for(new)).status_code == 200
    assert client.get(f"/api/v1/schedules/{group_free['id']}", headers=auth_for(old)).status_code == 200
    listed = [s["id"] for s in client.get("/api/v1/schedules", headers=auth_for(old)).get_json()["items"]]
    assert listed == [group_free["id"]]
    statuses = {
        s["id"]: s["status"] for s in client.get("/api/v1/schedules", headers=auth_for(student)).get_json()["items"]
    }
    assert statuses == {past["id"]: "scheduled", upcoming["id"]: "canceled"}
    canceled = db.session.query(Notification).filter_by(user_id=student.id, type="schedule_updated").one()
    assert canceled.data["changes"] == {"status": "canceled", "reason": "mentor_changed"}

    # tasks: open ones move, done ones keep who assigned them; notifications go to the new mentor
    assert db.session.get(Task, open_task["id"]).mentor_id == new.id
    assert db.session.get(Task, done_task["id"]).mentor_id == old.id
    assert client.get(f"/api/v1/tasks/{open_task['id']}", headers=auth_for(old)).status_code == 404
    client.patch(f"/api/v1/tasks/{open_task['id']}/status", json={"status": "done"}, headers=auth_for(student))
    kinds = {(n.user_id, n.type) for n in db.session.query(Notification).filter_by(type="task_completed")}
    assert kinds == {(old.id, "task_completed"), (new.id, "task_completed")}  # before and after the move
    latest = db.session.query(Notification).filter_by(type="task_completed").order_by(Notification.id.desc()).first()
    assert latest.user_id == new.id and latest.data == {"task_id": open_task["id"]}
    assert (
        client.get(f"/api/v1/audit-logs/task/{open_task['id']}", headers=auth_for(new)).get_json()["items"][-2][
            "action"
        ]
        == "reassign"
    )
