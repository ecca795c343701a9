"""One user cannot take every connection (issue 24, item 6): a per-user cap on sockets and SSE
streams counted across web processes, a per-user connect rate, socket event limits per user,
and a share of each process's budget that students cannot take. Real web processes, real
Socket.IO clients, real Redis."""

import time

import pytest
import socketio

from app.services.realtime import connections
from tests.conftest import start_web, stop
from tests.helpers import make_user, token_for
from tests.sse import SSEReader


def _refusal(live_client, url, token):
    client = live_client(url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(token)
    return str(client.received("connect_error"))


def _connect_eventually(live_client, url, token, timeout=5.0):
    """A freed slot is given back when the server sees the disconnect: retry until then."""
    deadline = time.monotonic() + timeout
    while True:
        client = live_client(url)
        try:
            client.connect(token)
            return client
        except socketio.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _stream(url, token):
    return SSEReader(f"{url}/api/v1/student/dashboard/stream", headers={"Authorization": f"Bearer {token}"})


def test_sockets_and_streams_are_capped_per_user_across_processes(app, live_client):
    student, other = make_user(), make_user()
    token, other_token = token_for(student), token_for(other)
    first, url_a = start_web("eventlet", CONNECTIONS_PER_USER="3", SSE_HEARTBEAT="0.2")
    second, url_b = start_web("gevent", CONNECTIONS_PER_USER="3", SSE_HEARTBEAT="0.2")
    readers = []
    try:
        held = [live_client(url_a), live_client(url_b)]
        for client in held:
            client.connect(token)
        readers.append(_stream(url_b, token))
        assert readers[0].status_code == 200
        readers[0].wait_for(comment="connected")

        reason = _refusal(live_client, url_a, token)
        assert "too_many_connections" in reason and "retry_after" in reason
        refused = _stream(url_a, token)
        readers.append(refused)
        assert refused.status_code == 429
        assert refused.response.json()["error"]["code"] == "too_many_connections"
        assert int(refused.response.headers["Retry-After"]) >= 1
        # Another user is not affected.
        live_client(url_a).connect(other_token)
        assert _stream(url_b, other_token).status_code == 200

        # Closing one gives its slot back, on either process.
        held[1].sio.disconnect()
        _connect_eventually(live_client, url_a, token)
        assert "too_many_connections" in _refusal(live_client, url_b, token)
        readers[0].close()
        deadline = time.monotonic() + 5
        while (again := _stream(url_a, token)).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        readers.append(again)
        assert again.status_code == 200
    finally:
        for reader in readers:
            reader.close()
        stop(first)
        stop(second)


def test_socket_connects_are_rate_limited_per_user(app, live_client):
    student = make_user()
    token = token_for(student)
    proc, url = start_web("eventlet", SOCKET_CONNECT_RATE_LIMIT="3 per minute")
    try:
        for _ in range(3):
            client = live_client(url)
            client.connect(token)
            client.sio.disconnect()
        reason = _refusal(live_client, url, token)
        assert "rate_limited" in reason and "retry_after" in reason
        live_client(url).connect(token_for(make_user()))  # others still connect
    finally:
        stop(proc)


def test_socket_event_limits_count_per_user_not_per_connection(app, live_client):
    student = make_user()
    token = token_for(student)
    proc, url = start_web("gevent", SOCKET_EVENT_LIMIT="3", SOCKET_EVENT_WINDOW="60")
    try:
        one, two = live_client(url), live_client(url)
        one.connect(token)
        two.connect(token)
        assert "items" in one.sio.call("sync", {"last_id": 0}, timeout=5)
        assert "items" in one.sio.call("sync", {"last_id": 0}, timeout=5)
        assert "items" in two.sio.call("sync", {"last_id": 0}, timeout=5)
        answer = two.sio.call("sync", {"last_id": 0}, timeout=5)  # a new socket is no fresh budget
        assert answer["error"]["code"] == "rate_limited" and answer["error"]["details"]["retry_after"] >= 1
        third = live_client(url)
        third.connect(token_for(make_user()))
        assert "items" in third.sio.call("sync", {"last_id": 0}, timeout=5)
    finally:
        stop(proc)


def test_students_cannot_take_the_staff_reserve(app, live_client):
    students = [make_user() for _ in range(4)]
    mentor, admin = make_user("mentor"), make_user("admin")
    # 10 connections per process, 4 kept for staff: students' sockets and streams get 6.
    proc, url = start_web("eventlet", WEB_MAX_CONNECTIONS="10", WEB_STAFF_RESERVE="4")
    try:
        for student in students[:3]:
            for _ in range(2):
                live_client(url).connect(token_for(student))
        assert "server_busy" in _refusal(live_client, url, token_for(students[3]))
        busy = _stream(url, token_for(students[3]))
        assert busy.status_code == 429 and busy.response.json()["error"]["code"] == "server_busy"
        assert "Retry-After" in busy.response.headers
        live_client(url).connect(token_for(mentor))
        live_client(url).connect(token_for(admin))
    finally:
        stop(proc)


def test_a_crashed_process_slots_lapse_and_live_ones_are_renewed(make_app, redis_conn):
    app = make_app(CONNECTIONS_PER_USER=2, CONNECTION_SLOT_TTL=60)
    with app.app_context():
        student = make_user()
        key = connections.user_key(student.id)
        now = redis_conn.time()[0]
        # What a process that died left behind: two slots whose lapse time has passed.
        redis_conn.zadd(key, {"dead-process:1": now - 1, "dead-process:2": now - 5})
        first = connections.take(student)
        second = connections.take(student)
        with pytest.raises(connections.TooMany) as refused:
            connections.take(student)
        assert refused.value.code == "too_many_connections"
        assert set(redis_conn.zrange(key, 0, -1)) == {first.encode(), second.encode()}

        # A live process pushes its slots' lapse time forward.
        redis_conn.zadd(key, {first: now + 1})
        connections.renew(app)
        assert redis_conn.zscore(key, first) >= now + 59
        connections.release(first)
        connections.release(first)  # twice is harmless
        assert redis_conn.zscore(key, first) is None
        third = connections.take(student)
        connections.release(second)
        connections.release(third)
        assert redis_conn.zcard(key) == 0
