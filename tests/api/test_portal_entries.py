"""Entries, reviews and comments: who may do what, history, audit, feed and notifications."""

from app.extensions import db
from app.models import AuditLog, Notification, OutboxEvent
from tests.helpers import auth_for, make_user


def new_entry(client, student, title="Week 1 log", **extra):
    res = client.post(
        "/api/v1/entries", json={"title": title, "body": "Built a parser", **extra}, headers=auth_for(student)
    )
    assert res.status_code == 201, res.get_json()
    return res.get_json()["entry"]


def test_student_creates_entry_and_mentor_is_told(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    entry = new_entry(client, student, skills=["python", "testing"])
    assert entry["status"] == "pending" and entry["student_id"] == student.id
    assert entry["skills"] == ["python", "testing"]
    assert [h["to_status"] for h in entry["history"]] == ["pending"]

    inbox = client.get("/api/v1/mentor/notifications", headers=auth_for(mentor)).get_json()
    assert [n["type"] for n in inbox["items"]] == ["entry_created"]
    assert inbox["items"][0]["data"]["entry_id"] == entry["id"]
    events = db.session.query(OutboxEvent).filter_by(event="entry:created").all()
    assert [e.room for e in events] == [f"mentor:{mentor.id}"]
    feed = client.get("/api/v1/activity-feed?type=entry:created", headers=auth_for(mentor)).get_json()
    assert [(f["type"], f["target_id"], f["actor_id"]) for f in feed["items"]] == [
        ("entry:created", entry["id"], student.id)
    ]


def test_mentor_review_changes_status_with_history_audit_and_comment(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    entry = new_entry(client, student)
    res = client.patch(
        f"/api/v1/entries/{entry['id']}/status",
        json={"status": "needs_revision", "comment": "Add tests please"},
        headers=auth_for(mentor),
    )
    assert res.status_code == 200, res.get_json()
    reviewed = res.get_json()["entry"]
    assert reviewed["status"] == "needs_revision" and reviewed["reviewed_by"] == mentor.id
    assert reviewed["reviewed_at"].endswith("Z")
    assert [(h["from_status"], h["to_status"]) for h in reviewed["history"]] == [
        (None, "pending"),
        ("pending", "needs_revision"),
    ]
    assert [c["body"] for c in reviewed["comments"]] == ["Add tests please"]

    # the student resubmits: back to pending, and the mentor is told
    res = client.patch(f"/api/v1/entries/{entry['id']}", json={"body": "Now with tests"}, headers=auth_for(student))
    assert res.get_json()["entry"]["status"] == "pending"
    client.patch(f"/api/v1/entries/{entry['id']}/status", json={"status": "approved"}, headers=auth_for(mentor))

    log = client.get(f"/api/v1/audit-logs/entry/{entry['id']}", headers=auth_for(student)).get_json()["items"]
    assert [a["action"] for a in log] == ["create", "status", "comment", "update", "status"]
    status_changes = [(a["old_value"], a["new_value"]["status"]) for a in log if a["action"] == "status"]
    assert status_changes == [({"status": "pending"}, "needs_revision"), ({"status": "pending"}, "approved")]
    update = log[3]
    assert update["old_value"] == {"body": "Built a parser", "status": "needs_revision"}
    assert update["new_value"] == {"body": "Now with tests", "status": "pending"}
    assert update["changed_by"] == student.id

    types = [n.type for n in db.session.query(Notification).filter_by(user_id=student.id).order_by(Notification.id)]
    assert types == ["entry_status_changed", "comment_added", "entry_status_changed"]


def test_review_retry_changes_nothing(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    entry = new_entry(client, student)
    for _ in range(2):
        res = client.patch(
            f"/api/v1/entries/{entry['id']}/status", json={"status": "approved"}, headers=auth_for(mentor)
        )
        assert res.status_code == 200
    assert db.session.query(AuditLog).filter_by(entity_type="entry", action="status").count() == 1


def test_approved_entry_cannot_be_edited(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    entry = new_entry(client, student)
    client.patch(f"/api/v1/entries/{entry['id']}/status", json={"status": "approved"}, headers=auth_for(mentor))
    res = client.patch(f"/api/v1/entries/{entry['id']}", json={"title": "sneaky"}, headers=auth_for(student))
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "entry_closed"


def test_comments_from_both_sides_notify_the_other(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    entry = new_entry(client, student)
    res = client.post(f"/api/v1/entries/{entry['id']}/comments", json={"body": "Question?"}, headers=auth_for(student))
    assert res.status_code == 201 and res.get_json()["comment"]["author_id"] == student.id
    client.post(f"/api/v1/entries/{entry['id']}/comments", json={"body": "Answer."}, headers=auth_for(mentor))
    assert db.session.query(Notification).filter_by(user_id=mentor.id, type="comment_added").count() == 1
    assert db.session.query(Notification).filter_by(user_id=student.id, type="comment_added").count() == 1
    rooms = sorted(e.room for e in db.session.query(OutboxEvent).filter_by(event="comment:added"))
    assert rooms == sorted([f"mentor:{mentor.id}", f"student:{student.id}"] * 2)


def test_lists_show_only_what_the_caller_may_see(client):
    mentor, other_mentor = make_user("mentor"), make_user("mentor")
    student, classmate = make_user(mentor=mentor), make_user(mentor=mentor)
    stranger = make_user(mentor=other_mentor)
    mine = new_entry(client, student)
    new_entry(client, classmate)
    new_entry(client, stranger)

    assert len(client.get("/api/v1/entries", headers=auth_for(mentor)).get_json()["items"]) == 2
    own = client.get("/api/v1/entries", headers=auth_for(student)).get_json()["items"]
    assert [e["id"] for e in own] == [mine["id"]]
    by_alias = client.get(f"/api/v1/entries?studentId={student.id}", headers=auth_for(mentor)).get_json()
    assert [e["id"] for e in by_alias["items"]] == [mine["id"]]
    pending = client.get("/api/v1/entries?status=pending", headers=auth_for(mentor)).get_json()["items"]
    assert len(pending) == 2


def test_wrong_mentor_and_wrong_student_get_404_on_every_entry_route(client):
    mentor, other_mentor = make_user("mentor"), make_user("mentor")
    student, other_student = make_user(mentor=mentor), make_user(mentor=other_mentor)
    entry = new_entry(client, student)
    eid = entry["id"]
    for user in (other_mentor, other_student):
        h = auth_for(user)
        calls = [
            client.get(f"/api/v1/entries/{eid}", headers=h),
            client.post(f"/api/v1/entries/{eid}/comments", json={"body": "x"}, headers=h),
            client.get(f"/api/v1/audit-logs/entry/{eid}", headers=h),
            client.get(f"/api/v1/entries?student_id={student.id}", headers=h),
        ]
        if user.role.value == "mentor":
            calls.append(client.patch(f"/api/v1/entries/{eid}/status", json={"status": "approved"}, headers=h))
        else:
            calls.append(client.patch(f"/api/v1/entries/{eid}", json={"title": "x"}, headers=h))
        assert [c.status_code for c in calls] == [404] * len(calls), [c.get_json() for c in calls]
        assert client.get("/api/v1/entries", headers=h).get_json()["items"] == []
        feed = client.get("/api/v1/activity-feed", headers=h).get_json()["items"]
        assert all(f["student_id"] != student.id for f in feed)


def test_roles_that_may_not(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    entry = new_entry(client, student)
    assert client.post("/api/v1/entries", json={"title": "x"}, headers=auth_for(mentor)).status_code == 403
    res = client.patch(f"/api/v1/entries/{entry['id']}/status", json={"status": "approved"}, headers=auth_for(student))
    assert res.status_code == 403
    assert client.get("/api/v1/entries", headers=auth_for(make_user("educator"))).status_code == 403


def test_bad_entry_input_is_a_clear_4xx(client):
    student = make_user(mentor=make_user("mentor"))
    h = auth_for(student)
    cases = [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": "ok", "status": "approved"}, "status"),  # unknown field, no self-approval
        ({"title": "ok", "skills": "python"}, "skills"),
        ({"title": "ok", "skills": ["x" * 41]}, "skills"),
    ]
    for body, field in cases:
        res = client.post("/api/v1/entries", json=body, headers=h)
        assert res.status_code == 422, (body, res.get_json())
        assert field in res.get_json()["error"]["details"], (body, res.get_json())
    entry = new_entry(client, student)
    mentor_h = auth_for(student.mentor)
    res = client.patch(f"/api/v1/entries/{entry['id']}/status", json={"status": "pending"}, headers=mentor_h)
    assert res.status_code == 422 and "status" in res.get_json()["error"]["details"]
    assert client.patch(f"/api/v1/entries/{entry['id']}", json={}, headers=h).status_code == 422
    assert client.get("/api/v1/entries?status=bogus", headers=h).status_code == 422
    assert client.get("/api/v1/entries?limit=0", headers=h).status_code == 422
    assert client.get("/api/v1/entries/999999", headers=h).status_code == 404
