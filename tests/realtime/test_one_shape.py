"""One shape per entity: the OpenAPI spec types timestamps as date-time, and a REST answer
and the live event about the same entity carry the same fields with the same values."""

from datetime import UTC, datetime, timedelta

from tests.helpers import auth_for, book_session, make_user, token_for

# Entities whose one response shape lives in app/schemas/ (crisis alerts follow with issue 9).
ENTITY_SCHEMAS = (
    "Notification",
    "Entry",
    "EntryDetail",
    "EntryStatusChange",
    "Comment",
    "Task",
    "Schedule",
    "Attendance",
    "Activity",
    "Audit",
)
TIMES = ("start_time", "end_time", "local_start", "local_end")
# What a live event adds around an entity: its id for de-duplication (and, for notifications, the inbox count).
ENVELOPE = {"event_id", "unread_count"}


def test_the_spec_types_every_timestamp_as_date_time(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    checked = 0
    for name in ENTITY_SCHEMAS:
        for field, prop in schemas[name]["properties"].items():
            if field.endswith("_at") or field in TIMES:
                assert (prop.get("type"), prop.get("format")) == ("string", "date-time"), (name, field, prop)
                checked += 1
    assert checked >= 20
    assert schemas["Task"]["properties"]["overdue"]["type"] == "boolean"
    assert schemas["Notification"]["properties"]["pinned"]["type"] == "boolean"


def test_rest_answers_and_live_events_share_one_shape(client, live_server, live_client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    mentor_socket, student_socket = live_client(live_server), live_client(live_server)
    mentor_socket.connect(token_for(mentor))
    student_socket.connect(token_for(student))

    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    body = {"student_id": student.id, "title": "Write tests", "due_at": due, "skills": ["testing"], "est_hours": 2}
    res = client.post("/api/v1/tasks", json=body, headers=auth_for(mentor))
    assert res.status_code == 201
    task = res.get_json()["task"]
    event = student_socket.wait_for("task:assigned")
    assert event["task"] == task
    assert task["due_at"].endswith("Z") and task["overdue"] is False and task["est_hours"] == 2

    # the notification the task brought: the inbox item is the event without its envelope
    note = student_socket.wait_for("notification", lambda d: d["type"] == "task_assigned")
    inbox = client.get("/api/v1/notifications", headers=auth_for(student)).get_json()["items"]
    assert [item for item in inbox if item["id"] == note["id"]] == [
        {k: v for k, v in note.items() if k not in ENVELOPE}
    ]

    # an entry: the list item is the entry:created event's entry
    client.post("/api/v1/entries", json={"title": "Week 1", "skills": ["python"]}, headers=auth_for(student))
    created = mentor_socket.wait_for("entry:created")["entry"]
    listed = client.get("/api/v1/entries", headers=auth_for(mentor)).get_json()["items"]
    assert listed == [created]

    # a comment: the REST answer is comment:added's comment
    res = client.post(f"/api/v1/entries/{created['id']}/comments", json={"body": "Nice"}, headers=auth_for(mentor))
    comment = res.get_json()["comment"]
    assert student_socket.wait_for("comment:added")["comment"] == comment

    # a session: the booking's answer is schedule:assigned's schedule (no attendance yet on either side)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    schedule = book_session(client, mentor, start, title="1:1", student_id=student.id)
    assert student_socket.wait_for("schedule:assigned")["schedule"] == schedule
    assert schedule["start_time"] == start.strftime("%Y-%m-%dT%H:%M:%SZ") and schedule["attendance"] == []
