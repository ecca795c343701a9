"""Two deployments on one Redis server stay apart (issue 16): events, SSE, caches, rate
limits, revocations and jobs, with one Redis database number and with two.

Each deployment derives its namespace from its own database (tests/deployments.py). User
ids overlap on purpose: the first admin is user 1 in both, so `user:1` and `admins` are the
same room names in each.
"""

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
import requests
from flask_jwt_extended import decode_token

from app.extensions import db
from app.models import RevokedToken, StudentDashboardCache, User
from app.services.dashboard.refresh import EVENT, refresh_student
from app.services.realtime.emit import emit
from app.services.realtime.rooms import ADMINS_ROOM, student_room
from app.services.shared import cache
from app.services.shared.queues import enqueue, enqueue_in
from tests.dashboard_seed import task
from tests.deployments import LOGIN_LIMIT, Deployment, build_database_b, drop_database, redis_b_url, stop_all
from tests.helpers import auth_for, bearer, crisis, make_user, post_intent, token_for
from tests.sse import SSEReader

DASH = "/api/v1/student/dashboard"


@pytest.fixture(scope="module", params=["one-redis-db", "two-redis-dbs"])
def pair(request, app, tmp_path_factory):
    """Deployments A and B, each with its database, its app and a live web server."""
    from tests.conftest import DATABASE_URL, REDIS_URL

    logs = str(tmp_path_factory.mktemp(f"deployments-{request.param}"))
    database_b = build_database_b(app)
    a = Deployment("a", DATABASE_URL, REDIS_URL, app)
    b = Deployment("b", database_b, REDIS_URL if request.param == "one-redis-db" else redis_b_url(), app)
    try:
        a.start_web(logs)
        b.start_web(logs)
        yield a, b
    finally:
        stop_all(a.web, b.web)
        for dep in (a, b):
            with dep.context():
                db.engine.dispose()
        drop_database(database_b)


@pytest.fixture
def deployments(pair):
    """The pair, B's database emptied and B's Redis names deleted too (clean_state empties A's).
    Only B's names: B's Redis database number may be another engineer's on a shared machine."""
    a, b = pair
    b.truncate()
    conn = b.redis()
    for name in conn.scan_iter(f"*{b.namespace}*"):
        conn.delete(name)
    return a, b


@pytest.fixture
def sse():
    readers = []

    def open_(url):
        readers.append(SSEReader(url))
        return readers[-1]

    yield open_
    for r in readers:
        r.close()


def in_both(deployments, fn):
    """fn(deployment) inside each deployment's app context; the results by label."""
    results = {}
    for dep in deployments:
        with dep.context():
            results[dep.label] = fn(dep)
    return results


def test_each_deployment_derives_its_own_namespace_and_logs_it(deployments):
    a, b = deployments
    assert a.namespace != b.namespace and a.namespace.startswith("pulse-") and b.namespace.startswith("pulse-")
    for dep in deployments:
        line = (
            f"redis namespace: {dep.namespace} (derived from the database); Socket.IO channel {dep.namespace}:socketio"
        )
        assert line in Deployment.log_tail(dep.web_log)


def test_a_crisis_alert_in_one_never_reaches_the_other(deployments, live_client):
    a, b = deployments

    def people(dep):
        admin = make_user("admin", name=f"Admin {dep.label}")
        student = make_user(name=f"Student {dep.label}")  # no mentor: the admins room hears it
        return admin.id, token_for(admin), student.id

    made = in_both(deployments, people)
    assert made["a"][0] == made["b"][0] == 1 and made["a"][2] == made["b"][2]
    sockets = {}
    for dep in deployments:
        sockets[dep.label] = live_client(dep.web_url)
        sockets[dep.label].connect(made[dep.label][1])

    with a.context():
        crisis(a.client(), db.session.get(User, made["a"][2]))
    alert = sockets["a"].wait_for("notification", lambda d: d["type"] == "crisis_alert")
    assert "Student a" in alert["body"]
    # A's alert was published before this marker: had B's web process heard A's channel,
    # the alert would have reached B's admin first.
    with b.context():
        emit("notification", {"id": -1, "type": "marker"}, ADMINS_ROOM)
    sockets["b"].wait_for("notification", lambda d: d["type"] == "marker")
    assert [d["type"] for d in sockets["b"].received("notification")] == ["marker"]


def test_sse_and_stream_tokens_stay_apart(deployments, sse):
    a, b = deployments

    def student_with_token(dep):
        student = make_user(name=f"Student {dep.label}")
        refresh_student(student.id, "seed")
        res = dep.client().post(DASH + "/stream-token", headers=auth_for(student))
        return student.id, res.get_json()["stream_token"]

    made = in_both(deployments, student_with_token)
    sid = made["a"][0]
    assert made["b"][0] == sid
    # A's token means nothing to B (and B's refusal does not spend it)
    assert requests.get(f"{b.web_url}{DASH}/stream?stream_token={made['a'][1]}", timeout=10).status_code == 401
    streams = {dep.label: sse(f"{dep.web_url}{DASH}/stream?stream_token={made[dep.label][1]}") for dep in deployments}
    for stream in streams.values():
        assert stream.status_code == 200
        stream.wait_for(comment="connected")

    with a.context():
        task(db.session.get(User, sid), "Only in A", ["python"], status="done")
        refresh_student(sid, "change in A")
    assert streams["a"].wait_for(1)[0]["data"]["student_id"] == sid
    with b.context():  # published after A's event: B's stream would have had A's first
        emit(EVENT, {"event_id": 10**9, "student_id": sid, "marker": True}, student_room(sid))
    streams["b"].wait_for(1)
    assert [e["data"].get("marker") for e in streams["b"].events] == [True]


def test_caches_stay_apart(deployments):
    a, b = deployments

    def mentor_with_entries(dep, count):
        mentor = make_user("mentor")
        student = make_user(mentor=mentor)
        for n in range(count):
            res = dep.client().post("/api/v1/entries", json={"title": f"Entry {n}"}, headers=auth_for(student))
            assert res.status_code == 201
        return mentor.id, auth_for(mentor)

    with a.context():
        mentor_id, headers_a = mentor_with_entries(a, 3)
        first = a.client().get("/api/v1/mentor/metrics", headers=headers_a).get_json()
        assert (first["entries"]["total"], first["cached"]) == (3, False)
        assert a.client().get("/api/v1/mentor/metrics", headers=headers_a).get_json()["cached"] is True
        # the documented key name, after the deployment's prefix
        assert cache.mentor_metrics_key(mentor_id) == f"{a.namespace}:mentor:metrics:{mentor_id}"
        assert a.redis().exists(cache.mentor_metrics_key(mentor_id))
    with b.context():
        same_id, headers_b = mentor_with_entries(b, 0)
        assert same_id == mentor_id
        assert not b.redis().exists(cache.mentor_metrics_key(mentor_id))
        figures = b.client().get("/api/v1/mentor/metrics", headers=headers_b).get_json()
        assert (figures["entries"]["total"], figures["cached"]) == (0, False)


def test_rate_limits_stay_apart(deployments):
    a, b = deployments
    body = {"email": "nobody@example.test", "password": "wrong-password"}
    statuses = [requests.post(f"{a.web_url}/api/v1/auth/login", json=body, timeout=10).status_code for _ in range(4)]
    assert statuses == [401] * LOGIN_LIMIT + [429]
    # the same client address and endpoint in B: its own, untouched allowance
    assert requests.post(f"{b.web_url}/api/v1/auth/login", json=body, timeout=10).status_code == 401
    counters = [k.decode() for k in a.redis().scan_iter("*LIMITER*")]  # flask-limiter's counters
    assert any(k.startswith(f"{a.namespace}:limits:") for k in counters)
    assert all(k.startswith((f"{a.namespace}:limits:", f"{b.namespace}:limits:")) for k in counters)


def test_revocations_stay_apart(deployments):
    a, b = deployments

    def user_token(dep):
        user = make_user(email="same@example.test")
        return user.id, token_for(user)

    made = in_both(deployments, user_token)
    with b.context():  # revoked while B's Redis was unreachable: in B's database only
        payload = decode_token(made["b"][1])
        expires_at = datetime.fromtimestamp(payload["exp"], tz=UTC)
        db.session.add(
            RevokedToken(jti=payload["jti"], user_id=made["b"][0], token_type="access", expires_at=expires_at)
        )
        db.session.commit()
    # A checks a token: it loads its own revocations and marks its set complete...
    assert a.client().get("/api/v1/auth/me", headers=bearer(made["a"][1])).status_code == 200
    with a.context():
        assert a.redis().exists(cache.revoked_loaded_key())
    # ...which says nothing about B's set: B still reloads from its database and refuses
    assert b.client().get("/api/v1/auth/me", headers=bearer(made["b"][1])).status_code == 401
    # and A's logout revokes nothing in B
    assert a.client().post("/api/v1/auth/logout", headers=bearer(made["a"][1])).status_code == 204
    with b.context():
        fresh = token_for(db.session.get(User, made["b"][0]))
    assert b.client().get("/api/v1/auth/me", headers=bearer(fresh)).status_code == 200


def test_jobs_run_in_their_own_deployments_worker(deployments, tmp_path):
    """Immediate, delayed and periodic jobs: each runs in its deployment's worker, on its database."""
    a, b = deployments

    def student_with_intents(dep, count):
        student = make_user(mentor=make_user("mentor"))
        for n in range(count):
            assert post_intent(dep.client(), student.id, message=f"hello {n}", intent="greeting").status_code == 201
        return student.id

    with a.context():
        sid = student_with_intents(a, 2)
    with b.context():
        assert student_with_intents(b, 1) == sid
    workers = []
    try:
        workers = [dep.start_worker(str(tmp_path)) for dep in deployments]
        with a.context():
            now_id = enqueue("app.jobs.insights.precalculate_student_insights", sid).id
        with b.context():
            later = enqueue_in(timedelta(0), "app.jobs.insights.precalculate_student_insights", sid)
            assert later.get_status(refresh=False) == "scheduled"  # B's scheduler must release it
        for dep, job_id, intents in ((a, now_id, 2), (b, later.id, 1)):
            job = dep.wait_for_job(job_id)
            assert f"rq:worker:{job.worker_name}" in dep.worker_keys()
            with dep.context():  # computed from that deployment's database, into its cache
                assert cache.get_json(cache.insights_key(sid))["insights"]["trend_7d"]["intents"] == intents
            # each worker's scheduler holds its own deployment's lock
            assert dep.redis().get(f"rq:scheduler-lock:{dep.namespace}:high")

        for dep in deployments:  # each deployment's clock enqueues refresh_dashboards at start
            job = dep.wait_for_clock_job("app.jobs.dashboard.refresh_dashboards")
            assert job.origin == f"{dep.namespace}:low"
            assert f"rq:worker:{job.worker_name}" in dep.worker_keys()
            with dep.context():
                assert db.session.get(StudentDashboardCache, sid) is not None
    finally:
        stop_all(*workers)


def test_a_foreign_namespace_packet_is_dropped_and_counted(client, make_app, live_client, sse):
    """Two deployments misconfigured with one SOCKETIO_CHANNEL: each drops the other's packets
    (the database is shared here only to keep the test short)."""
    from app.extensions import get_redis
    from app.models import OutboxEvent
    from tests.conftest import start_web, stop

    shared = f"shared-{os.getpid()}"
    web, url = start_web("eventlet", SOCKETIO_CHANNEL=shared)  # this test run's namespace
    try:
        ours = make_app(SOCKETIO_CHANNEL=shared)
        theirs = make_app(PULSE_NAMESPACE=f"{ours.config['PULSE_NAMESPACE']}-other", SOCKETIO_CHANNEL=shared)
        admin, student = make_user("admin"), make_user()
        sock = live_client(url)
        sock.connect(token_for(admin))
        token = client.post(DASH + "/stream-token", headers=auth_for(student)).get_json()["stream_token"]
        stream = sse(f"{url}{DASH}/stream?stream_token={token}")
        stream.wait_for(comment="connected")  # the SSE hub is subscribed

        with theirs.app_context():
            crisis(theirs.test_client(), db.session.get(User, student.id))
            emit(EVENT, {"event_id": 10**9, "student_id": student.id}, student_room(student.id))
            published = [e for (e,) in db.session.query(OutboxEvent.event).filter(OutboxEvent.sent_at.is_not(None))]
        unstamped = {"method": "emit", "event": "notification", "data": [{"type": "unstamped"}], "namespace": "/"}
        get_redis().publish(shared, json.dumps({**unstamped, "room": ADMINS_ROOM}))
        with ours.app_context():  # ours, after theirs: both listeners were listening
            emit("notification", {"id": -1, "type": "marker"}, ADMINS_ROOM)
            emit(EVENT, {"event_id": 10**9 + 1, "student_id": student.id, "marker": True}, student_room(student.id))
        sock.wait_for("notification", lambda d: d["type"] == "marker")
        stream.wait_for(1)
        assert [d["type"] for d in sock.received("notification")] == ["marker"]
        assert [e["data"].get("marker") for e in stream.events] == [True]

        dropped = len(published) + 2  # their outbox events, their dashboard event, the unstamped one
        dashboard = published.count(EVENT) + 1
        text = requests.get(f"{url}/metrics", timeout=10).text
        assert f'pulse_foreign_namespace_packets_total{{listener="socketio"}} {float(dropped)}' in text
        assert f'pulse_foreign_namespace_packets_total{{listener="sse"}} {float(dashboard)}' in text
    finally:
        stop(web)
