"""The activity feed (newest first, paged, filtered, only what the caller may see), the audit
log's entity rules, and the portal's figures in the mentor's views."""

from datetime import UTC, datetime, timedelta

from app.services.identity import cohorts
from app.services.portal import insights
from tests.helpers import auth_for, book_session, make_user


def test_feed_is_newest_first_paged_and_filtered(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    for i in range(5):
        client.post("/api/v1/entries", json={"title": f"e{i}"}, headers=auth_for(student))
    client.post("/api/v1/tasks", json={"student_id": student.id, "title": "t"}, headers=auth_for(mentor))

    page = client.get("/api/v1/activity-feed?limit=4", headers=auth_for(mentor)).get_json()
    assert [i["type"] for i in page["items"]] == ["task:assigned"] + ["entry:created"] * 3
    ids = [i["id"] for i in page["items"]]
    assert ids == sorted(ids, reverse=True)
    rest = client.get(
        f"/api/v1/activity-feed?limit=4&before_id={page['next_before_id']}", headers=auth_for(mentor)
    ).get_json()
    assert len(rest["items"]) == 2 and rest["next_before_id"] is None
    only = client.get("/api/v1/activity-feed?type=task:assigned", headers=auth_for(student)).get_json()["items"]
    assert [(i["type"], i["actor_id"], i["target_type"]) for i in only] == [("task:assigned", mentor.id, "task")]
    assert set(only[0]) >= {"id", "type", "actor_id", "target_type", "target_id", "payload", "created_at"}


def test_feed_visibility(client):
    mentor, other_mentor, admin = make_user("mentor"), make_user("mentor"), make_user("admin")
    member, outsider = make_user(mentor=mentor), make_user(mentor=other_mentor)
    cohort = cohorts.create_cohort("Aurora")
    cohorts.add_member(cohort.id, member.id)
    start = datetime.now(UTC) + timedelta(days=1)
    book_session(client, mentor, start, 1, title="group", cohort_id=cohort.id)
    client.post("/api/v1/entries", json={"title": "mine"}, headers=auth_for(outsider))

    def types(user):
        return [i["type"] for i in client.get("/api/v1/activity-feed", headers=auth_for(user)).get_json()["items"]]

    assert types(member) == ["schedule:created"]  # their cohort's session
    assert types(mentor) == ["schedule:created"]  # their own group session, not the other mentor's student
    assert types(outsider) == ["entry:created"]
    assert types(other_mentor) == ["entry:created"]
    assert sorted(types(admin)) == ["entry:created", "schedule:created"]
    assert client.get("/api/v1/activity-feed", headers=auth_for(make_user("educator"))).status_code == 403
    res = client.get(f"/api/v1/activity-feed?student_id={outsider.id}", headers=auth_for(mentor))
    assert res.status_code == 404


def test_audit_log_rejects_unknown_entities(client):
    mentor = make_user("mentor")
    res = client.get("/api/v1/audit-logs/users/1", headers=auth_for(mentor))
    assert res.status_code == 404 and res.get_json()["error"]["code"] == "unknown_entity_type"
    assert client.get("/api/v1/audit-logs/entry/12345", headers=auth_for(mentor)).status_code == 404
    assert client.get("/api/v1/audit-logs/entry/1").status_code == 401


def test_insights_and_students_list_include_portal_work(client, app):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    client.post("/api/v1/entries", json={"title": "e"}, headers=auth_for(student))
    client.patch("/api/v1/entries/1/status", json={"status": "approved"}, headers=auth_for(mentor))
    res = client.post(
        "/api/v1/tasks",
        json={"student_id": student.id, "title": "t", "due_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
        headers=auth_for(mentor),
    )
    assert res.status_code == 201
    start = datetime.now(UTC) - timedelta(days=1)
    sched = book_session(client, mentor, start, 1, title="s", student_id=student.id)
    client.post(
        f"/api/v1/schedules/{sched['id']}/attendance",
        json={"student_id": student.id, "status": "late"},
        headers=auth_for(mentor),
    )

    figures = insights.full(student.id)["portal"]
    assert figures["entries"]["approved"] == 1 and figures["entries"]["total"] == 1
    assert figures["tasks"] == {"open": 1, "overdue": 1, "done": 0, "done_on_time": 0}
    assert figures["attendance"]["late"] == 1 and figures["attendance"]["rate"] == 1.0
    listed = client.get("/api/v1/mentor/students", headers=auth_for(mentor)).get_json()["items"]
    assert listed[0]["last_activity_at"] is not None
