"""Crisis alerts reach the right mentor live, never another mentor, and survive outages."""

import subprocess
import sys
import time

import pytest

from app.extensions import db
from app.models import CrisisAlert, Notification, OutboxEvent
from app.services.realtime import outbox
from tests.conftest import ROOT, child_env, start_web, stop
from tests.helpers import auth_for, crisis, make_user, token_for


def test_crisis_reaches_the_mentor_and_nobody_else(client, live_server, live_client):
    mentor, other = make_user("mentor"), make_user("mentor")
    student = make_user(mentor=mentor)
    mine, theirs = live_client(live_server), live_client(live_server)
    mine.connect(token_for(mentor))
    theirs.connect(token_for(other))
    student_socket = live_client(live_server)
    student_socket.connect(token_for(student))

    body = crisis(client, student)
    event = mine.wait_for("notification", lambda d: d["type"] == "crisis_alert")
    assert event["data"]["alert_id"] == body["alert"]["id"] and event["data"]["student_id"] == student.id
    assert event["event_id"] == event["id"] and event["pinned"] is True
    assert event["data"]["student_name"] == student.name and event["data"]["severity"]
    assert event["data"]["categories"] and "killing myself" in event["data"]["excerpt"]

    # a marker event proves the other sockets were listening when the alert went out
    from app.services.realtime.emit import emit

    emit("notification", {"id": -1, "type": "marker"}, f"mentor:{other.id}")
    theirs.wait_for("notification", lambda d: d["type"] == "marker")
    assert [d["type"] for d in theirs.received("notification")] == ["marker"]
    assert student_socket.received("notification") == []
    assert client.get("/api/v1/mentor/notifications", headers=auth_for(other)).get_json()["items"] == []


def test_student_without_mentor_alerts_the_admins_room(client, live_server, live_client):
    admin = make_user("admin")
    student = make_user()
    sock = live_client(live_server)
    sock.connect(token_for(admin))
    crisis(client, student)
    assert sock.wait_for("notification")["type"] == "crisis_alert"


def test_reconnect_and_sync_return_exactly_the_missed_events(client, live_server, live_client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    first = live_client(live_server)
    first.connect(token_for(mentor))
    crisis(client, student)
    last_seen = first.wait_for("notification")["event_id"]
    first.close()

    crisis(client, student, "I want to end my life")
    crisis(client, student, "I am going to hurt myself")

    second = live_client(live_server)
    second.connect(token_for(mentor))
    missed = second.sio.call("sync", {"last_id": last_seen}, timeout=5)
    ids = [i["id"] for i in missed["items"]]
    expected = sorted(n.id for n in db.session.query(Notification).filter(Notification.id > last_seen))
    assert ids == expected and len(ids) == 2
    rest = client.get(f"/api/v1/mentor/notifications?since_id={last_seen}", headers=auth_for(mentor)).get_json()
    assert [i["id"] for i in rest["items"]] == ids
    assert second.sio.call("sync", {"last_id": ids[-1]}, timeout=5)["items"] == []
    bad = second.sio.call("sync", {"last_id": "x"}, timeout=5)
    assert bad["error"]["code"] == "validation_error"


def test_redis_down_during_post_loses_nothing_and_delivers_once(private_redis, make_app, live_client):
    """Redis dies before the post: the alert is stored and answered; once Redis is back the
    relay delivers the event exactly once."""
    web, url = start_web("eventlet", TEST_REDIS_URL=private_redis.url)
    try:
        app = make_app(REDIS_URL=private_redis.url)
        with app.app_context():
            mentor = make_user("mentor")
            student = make_user(mentor=mentor)
            sock = live_client(url)
            sock.connect(token_for(mentor))

            private_redis.stop()
            started = time.monotonic()
            body = crisis(app.test_client(), student)
            assert time.monotonic() - started < 10
            alert = db.session.get(CrisisAlert, body["alert"]["id"])
            assert alert.status == "open"
            assert db.session.query(Notification).filter_by(user_id=mentor.id, alert_id=alert.id).count() == 1
            pending = db.session.query(OutboxEvent).filter(OutboxEvent.sent_at.is_(None)).all()
            assert [(e.event, e.attempts) for e in pending] == [("notification", 1)]  # tried once, at the commit

            private_redis.start()
            _wait_for_subscriber(app, url)
            # the worker relays at start; run it as the real process would
            result = subprocess.run(
                [sys.executable, "worker.py", "--burst"],
                cwd=ROOT,
                capture_output=True,
                env=child_env(TEST_REDIS_URL=private_redis.url),
                timeout=60,
            )
            assert result.returncode == 0, result.stderr.decode()[-2000:]
            event = sock.wait_for("notification", timeout=10)
            assert event["data"]["alert_id"] == alert.id
            db.session.expire_all()
            assert pending[0].sent_at is not None and pending[0].attempts == 2
            assert outbox.relay() == 0  # nothing left: a second relay sends nothing
            time.sleep(0.3)
            assert len(sock.received("notification")) == 1
    finally:
        stop(web)


def _wait_for_subscriber(app, url, timeout=20):
    """The web process re-subscribes to the Redis channel after Redis comes back."""
    from app.extensions import get_redis

    deadline = time.monotonic() + timeout
    channel = app.config["SOCKETIO_CHANNEL"]
    while time.monotonic() < deadline:
        if get_redis().pubsub_numsub(channel)[0][1] > 0:
            return
        time.sleep(0.1)
    raise AssertionError("web process did not re-subscribe")


def test_concurrent_retries_with_one_idempotency_key_create_one_alert(live_server):
    """The chatbot fires the same request several times at once: one alert, one answer."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from tests.helpers import CHATBOT_KEY

    student = make_user(mentor=make_user("mentor"))
    body = {"student_id": student.id, "message": "I want to end my life", "intent": "crisis", "confidence": 0.9}
    headers = {"X-Chatbot-Key": CHATBOT_KEY, "Idempotency-Key": "burst-1"}

    def post(_):
        return requests.post(f"{live_server}/api/v1/chatbot/intents", json=body, headers=headers, timeout=10)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(post, range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["alert"]["id"] for r in responses}) == 1
    db.session.expire_all()
    assert db.session.query(CrisisAlert).count() == 1


def test_reassigned_alert_reaches_the_new_mentor_live(client, live_server, live_client):
    old, new = make_user("mentor"), make_user("mentor")
    student = make_user(mentor=old)
    alert_id = crisis(client, student)["alert"]["id"]
    sock = live_client(live_server)
    sock.connect(token_for(new))
    res = client.put(
        f"/api/v1/admin/students/{student.id}/mentor", json={"mentor_id": new.id}, headers=auth_for(make_user("admin"))
    )
    assert res.status_code == 200
    event = sock.wait_for("notification", lambda d: d["type"] == "crisis_alert")
    assert event["data"]["alert_id"] == alert_id and event["data"]["student_name"] == student.name


def test_concern_reaches_the_mentors_feed_raises_to_a_page_and_escalates_to_admins(
    client, app, live_server, live_client, run_worker
):
    """Issue 32, the review tier live: a concern is an ordinary `notification` (type
    `crisis_concern`, not pinned) in the mentor's room; raising it pages (`crisis_alert`);
    one left unreviewed past the window reaches the admins' room."""
    from datetime import timedelta

    from app.models import CrisisConcern
    from app.services.shared.queues import enqueue
    from tests.helpers import post_intent

    mentor, admin = make_user("mentor"), make_user("admin")
    student = make_user(mentor=mentor, name="Lea Roth")
    mine, admins = live_client(live_server), live_client(live_server)
    mine.connect(token_for(mentor))
    admins.connect(token_for(admin))

    body = post_intent(client, student.id, message="whats the point of trying anymore", intent="study_help").get_json()
    concern_id = body["concern"]["id"]
    event = mine.wait_for("notification", lambda d: d["type"] == "crisis_concern")
    assert event["data"]["concern_id"] == concern_id and event["data"]["student_name"] == "Lea Roth"
    assert event["pinned"] is False and event["unread_count"] >= 1 and event["data"]["categories"]

    res = client.post(f"/api/v1/mentor/concerns/{concern_id}/raise", json={}, headers=auth_for(mentor))
    assert res.status_code == 201
    page = mine.wait_for("notification", lambda d: d["type"] == "crisis_alert")
    assert page["data"]["alert_id"] == res.get_json()["alert"]["id"] and page["pinned"] is True

    second = post_intent(client, student.id, message="nothing means anything anymore", intent="study_help")
    second_id = second.get_json()["concern"]["id"]
    later = db.session.get(CrisisConcern, second_id).created_at + timedelta(
        seconds=app.config["CONCERN_REVIEW_WINDOW"] + 1
    )
    enqueue("app.jobs.concerns.escalate_unreviewed_concerns", now=later.isoformat())
    run_worker()
    told = admins.wait_for("notification", lambda d: d["type"] == "crisis_concern")
    assert told["data"]["concern_id"] == second_id and told["data"]["escalated"] is True
    console = admins.wait_for("concern:escalated")
    assert console["concern_id"] == second_id and console["student_name"] == "Lea Roth" and console["event_id"]


def test_concurrent_crisis_messages_of_one_student_make_one_alert(live_server):
    """Issue 25: several crisis messages at once (no idempotency key): one alert holding them all."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from tests.helpers import CHATBOT_KEY

    student_id = make_user(mentor=make_user("mentor")).id  # read here: the threads have no app context

    def post(n):
        body = {"student_id": student_id, "message": f"I want to end my life {n}", "intent": "crisis"}
        body["confidence"] = 0.9
        headers = {"X-Chatbot-Key": CHATBOT_KEY}
        return requests.post(f"{live_server}/api/v1/chatbot/intents", json=body, headers=headers, timeout=10)

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(post, range(4)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["alert"]["id"] for r in responses}) == 1
    db.session.expire_all()
    alert = db.session.query(CrisisAlert).one()
    assert alert.message_count == 4 and len(alert.messages) == 4


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_a_web_process_loads_the_crisis_detector_before_it_listens(async_mode):
    """The first crisis of a process would otherwise wait about a second for the model."""
    from tests.conftest import _output_of, start_web, stop

    proc, _url = start_web(async_mode)
    try:
        log = _output_of(proc)
        assert "crisis detector ready in" in log, log
    finally:
        stop(proc)
