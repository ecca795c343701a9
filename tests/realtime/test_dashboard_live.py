"""Dashboard updates live: action -> 202 -> queue row -> worker job -> new value -> Socket.IO and SSE."""

import pytest

from app.extensions import db
from app.models import DashboardUpdateQueue, OutboxEvent
from app.services.dashboard.refresh import refresh_student
from tests.dashboard_seed import student_with_work, task
from tests.helpers import auth_for, bearer, make_user, token_for
from tests.sse import SSEReader

DASH = "/api/v1/student/dashboard"


@pytest.fixture
def sse():
    readers = []

    def open_(url, headers=None):
        reader = SSEReader(url, headers)
        readers.append(reader)
        return reader

    yield open_
    for r in readers:
        r.close()


def stream_token(client, student):
    res = client.post(DASH + "/stream-token", headers=auth_for(student))
    assert res.status_code == 201
    return res.get_json()["stream_token"]


def test_action_to_job_to_value_to_socket_and_sse(client, live_server, live_client, run_worker, sse):
    student = student_with_work()["student"]
    before = client.get(DASH, headers=auth_for(student)).get_json()
    assert before["cards"]["coaching"]["habits_logged_7d"] == 0
    sock = live_client(live_server)
    sock.connect(token_for(student))
    stream = sse(f"{live_server}{DASH}/stream?stream_token={stream_token(client, student)}")
    assert stream.status_code == 200 and "text/event-stream" in stream.response.headers["Content-Type"]
    stream.wait_for(comment="connected")

    res = client.post(DASH + "/action", json={"action": "habit_logged", "habit": "pomodoro"}, headers=auth_for(student))
    assert res.status_code == 202
    assert res.get_json() == {"status": "queued", "action": "habit_logged", "priority": "normal"}
    row = db.session.query(DashboardUpdateQueue).one()
    assert (row.student_id, row.reason, row.processed_at) == (student.id, "action:habit_logged", None)

    run_worker()

    event = sock.wait_for("dashboard:updated")
    assert event["student_id"] == student.id and "cards" in event["changed"]
    assert event["sections"]["cards"]["coaching"]["habits_logged_7d"] == 1
    sse_event = stream.wait_for(1)[0]
    assert sse_event["event"] == "dashboard:updated" and sse_event["id"] == str(event["event_id"])
    assert sse_event["data"] == event
    # the same update, unnamed, for a plain EventSource.onmessage
    message = stream.wait_for(1, unnamed=True)[0]
    assert message["id"] == sse_event["id"] and message["data"] == event and "event" not in message
    db.session.expire_all()
    assert db.session.get(DashboardUpdateQueue, row.id).processed_at is not None
    after = client.get(DASH, headers=auth_for(student)).get_json()
    assert after["source"] == "redis" and after["cards"]["coaching"]["habits_logged_7d"] == 1
    assert after["quick_stats"]["habits_7d"] == 1


def test_sse_resumes_after_last_event_id_and_never_shows_another_student(client, live_server, sse):
    student, other = make_user(), make_user()
    refresh_student(student.id, "seed")
    refresh_student(other.id, "seed")
    ids = []
    for n in range(3):
        task(student, f"Task {n}", ["python"], status="done")
        task(other, f"Other {n}", ["go"], status="done")
        refresh_student(student.id, f"change {n}")
        refresh_student(other.id, f"change {n}")
        ids.append(
            db.session.query(OutboxEvent)
            .filter_by(room=f"student:{student.id}")
            .order_by(OutboxEvent.id.desc())
            .first()
            .id
        )
    stream = sse(f"{live_server}{DASH}/stream", {**bearer(token_for(student)), "Last-Event-ID": str(ids[0])})
    replayed = stream.wait_for(2)
    assert [int(e["id"]) for e in replayed] == ids[1:]
    assert [e["data"]["sections"]["quick_stats"]["tasks_done"] for e in replayed] == [2, 3]
    assert all(e["data"]["student_id"] == student.id for e in replayed)

    # live after the replay, and only this student's
    task(other, "Other live", ["go"], status="done")
    refresh_student(other.id, "live")
    task(student, "Live", ["python"], status="done")
    refresh_student(student.id, "live")
    live = stream.wait_for(3)[2]
    assert live["data"]["student_id"] == student.id and live["data"]["sections"]["quick_stats"]["tasks_done"] == 4
    assert all(e["data"]["student_id"] == student.id for e in stream.events)


def test_stream_token_works_once(client, live_server, sse):
    student = make_user()
    token = stream_token(client, student)
    first = sse(f"{live_server}{DASH}/stream?stream_token={token}")
    assert first.status_code == 200
    again = sse(f"{live_server}{DASH}/stream?stream_token={token}")
    assert again.status_code == 401 and again.response.json()["error"]["code"] == "stream_token_invalid"


def test_stream_refuses_other_roles_and_no_credentials(live_server, sse):
    mentor = make_user("mentor")
    assert sse(f"{live_server}{DASH}/stream").status_code == 401
    assert sse(f"{live_server}{DASH}/stream", bearer(token_for(mentor))).status_code == 403
    assert sse(f"{live_server}{DASH}/stream?stream_token=made-up").status_code == 401
    bad = sse(f"{live_server}{DASH}/stream", {**bearer(token_for(make_user())), "Last-Event-ID": "abc"})
    assert bad.status_code == 422 and "Last-Event-ID" in bad.response.json()["error"]["details"]


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_heartbeat_comments_and_the_stream_ends_at_its_max_age(mode, sse):
    from tests.conftest import start_web, stop

    # the 15 s heartbeat and 15 min lifetime, shortened for the test
    web, url = start_web(mode, SSE_HEARTBEAT="0.2", SSE_MAX_AGE="1")
    try:
        stream = sse(f"{url}{DASH}/stream", bearer(token_for(make_user())))
        assert stream.wait_for(comment="heartbeat")
        assert stream.ended.wait(10)
    finally:
        stop(web)


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_sse_stream_replays_what_it_missed_while_redis_was_down(mode, private_redis, make_app, sse):
    """Redis dies under an open stream; an event stored meanwhile reaches the stream once Redis
    is back (the shared subscription reconnects and the streams replay from the database)."""
    from tests.conftest import start_web, stop

    web, url = start_web(mode, TEST_REDIS_URL=private_redis.url)
    try:
        app = make_app(REDIS_URL=private_redis.url)
        with app.app_context():
            student = make_user()
            refresh_student(student.id, "seed")
            stream = sse(f"{url}{DASH}/stream", bearer(token_for(student)))
            stream.wait_for(comment="connected")
            private_redis.stop()
            task(student, "Done while Redis was down", ["python"], status="done")
            refresh_student(student.id, "during the outage")  # stored; publishing fails quietly
            stored = db.session.query(OutboxEvent).filter_by(room=f"student:{student.id}").one()
            assert stored.sent_at is None
            private_redis.start()
            event = stream.wait_for(1, timeout=20)[0]
        assert event["id"] == str(stored.id)
        assert event["data"]["sections"]["quick_stats"]["tasks_done"] == 1
    finally:
        stop(web)
