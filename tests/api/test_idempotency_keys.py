"""Idempotency-Key on every POST that creates something: the retry gets the first answer and
creates nothing; the same key with another body is 409; without a key nothing changes."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Attendance, Comment, Entry, IdempotencyRecord, Notification, Schedule, StudentAction, Task
from app.services.identity import cohorts
from tests.helpers import auth_for, make_user


def _start(days=2):
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)


def writes():
    """(name, who posts, url, body, another body, model counted) for each write."""
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    entry = Entry(student_id=student.id, title="E", body="", status="pending")
    db.session.add(entry)
    now = datetime.now(UTC)
    running = Schedule(
        mentor_id=mentor.id,
        student_id=student.id,
        title="Now",
        start_time=now - timedelta(minutes=5),
        end_time=now + timedelta(hours=1),
    )
    db.session.add(running)
    db.session.commit()
    start = _start()
    return [
        ("entry", student, "/api/v1/entries", {"title": "Week 1"}, {"title": "Week 2"}, Entry),
        ("comment", mentor, f"/api/v1/entries/{entry.id}/comments", {"body": "Nice"}, {"body": "Hm"}, Comment),
        (
            "task",
            mentor,
            "/api/v1/tasks",
            {"student_id": student.id, "title": "Read"},
            {"student_id": student.id, "title": "Write"},
            Task,
        ),
        (
            "schedule",
            mentor,
            "/api/v1/schedules",
            {"title": "1:1", "start_time": start.isoformat(), "end_time": (start + timedelta(hours=1)).isoformat()},
            {
                "title": "1:1",
                "start_time": (start + timedelta(hours=2)).isoformat(),
                "end_time": (start + timedelta(hours=3)).isoformat(),
            },
            Schedule,
        ),
        (
            "attendance",
            mentor,
            f"/api/v1/schedules/{running.id}/attendance",
            {"student_id": student.id, "status": "present"},
            {"student_id": student.id, "status": "late"},
            Attendance,
        ),
        (
            "action",
            student,
            "/api/v1/student/dashboard/action",
            {"action": "habit_logged", "habit": "read"},
            {"action": "goal_set", "goal": "ship"},
            StudentAction,
        ),
    ]


@pytest.mark.parametrize("name", ["entry", "comment", "task", "schedule", "attendance", "action"])
def test_a_retry_gets_the_first_answer_and_creates_nothing(client, name):
    _, user, url, body, other, model = next(w for w in writes() if w[0] == name)
    headers = {**auth_for(user), "Idempotency-Key": f"key-{name}"}
    before = db.session.query(model).count()
    notes = db.session.query(Notification).count()
    first = client.post(url, json=body, headers=headers)
    assert first.status_code in (200, 201, 202), first.get_json()
    created = db.session.query(model).count()
    assert created == before + 1
    notes_after = db.session.query(Notification).count()

    again = client.post(url, json=body, headers=headers)
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(model).count() == created
    assert db.session.query(Notification).count() == notes_after >= notes

    changed = client.post(url, json=other, headers=headers)
    assert changed.status_code == 409 and changed.get_json()["error"]["code"] == "idempotency_key_reused"
    assert db.session.query(model).count() == created
    record = db.session.query(IdempotencyRecord).one()
    assert (record.scope, record.status_code) == (f"user:{user.id}", first.status_code)


def test_keys_are_per_caller_and_checked(client):
    a, b = make_user(), make_user()
    for user in (a, b):
        res = client.post("/api/v1/entries", json={"title": "T"}, headers={**auth_for(user), "Idempotency-Key": "same"})
        assert res.status_code == 201
    assert db.session.query(Entry).count() == 2
    too_long = client.post(
        "/api/v1/entries", json={"title": "T"}, headers={**auth_for(a), "Idempotency-Key": "k" * 129}
    )
    assert too_long.status_code == 422
    # the same key on another endpoint is another request: 409, nothing done
    res = client.post(
        "/api/v1/student/dashboard/action",
        json={"action": "habit_logged"},
        headers={**auth_for(a), "Idempotency-Key": "same"},
    )
    assert res.status_code == 409 and db.session.query(StudentAction).count() == 0


def test_a_refused_write_stores_no_answer_and_can_be_retried(client):
    mentor, stranger = make_user("mentor"), make_user()
    headers = {**auth_for(mentor), "Idempotency-Key": "k1"}
    body = {"student_id": stranger.id, "title": "Not mine"}
    assert client.post("/api/v1/tasks", json=body, headers=headers).status_code == 404
    assert db.session.query(IdempotencyRecord).count() == 0
    stranger.mentor_id = mentor.id
    db.session.commit()
    assert client.post("/api/v1/tasks", json=body, headers=headers).status_code == 201


def test_joining_a_cohort_is_replay_safe(client):
    student = make_user()
    cohort = cohorts.create_cohort("Open", is_open=True)
    headers = {**auth_for(student), "Idempotency-Key": "join-1"}
    first = client.post(f"/api/v1/cohorts/{cohort.id}/join", json={}, headers=headers)
    again = client.post(f"/api/v1/cohorts/{cohort.id}/join", json={}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    plain = client.post(f"/api/v1/cohorts/{cohort.id}/join", json={}, headers=auth_for(student))
    assert plain.status_code == 409 and plain.get_json()["error"]["code"] == "already_member"


def test_concurrent_retries_with_one_key_create_one_entry(live_server):
    """Racing first attempts on a real server: one entry; the others answer as it did, or 409
    idempotency_in_progress while its answer is being stored."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    student = make_user()
    headers = {**auth_for(student), "Idempotency-Key": "race-1"}

    def post(_):
        res = requests.post(f"{live_server}/api/v1/entries", json={"title": "Once"}, headers=headers, timeout=10)
        return res.status_code, res.json()

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(post, range(6)))
    created = [body for status, body in answers if status == 201]
    assert created and all(body == created[0] for body in created)
    assert all(
        status == 201 or (status == 409 and body["error"]["code"] == "idempotency_in_progress")
        for status, body in answers
    ), answers
    db.session.expire_all()
    assert db.session.query(Entry).count() == 1
