"""Helpers the tests share: users with tokens, a live Socket.IO client, waiting."""

import threading
import time
from contextlib import contextmanager

import redis
import socketio

from app.extensions import db
from app.models import Role, User

PASSWORD = "correct-horse-1"


def make_user(role="student", email=None, name=None, mentor=None, password=PASSWORD, active=True):
    role = Role(role)
    email = email or f"{role.value}-{time.monotonic_ns()}@example.test"
    user = User(email=email, name=name or f"A {role.value}", role=role, is_active=active)
    user.set_password(password)
    if mentor is not None:
        user.mentor_id = mentor.id
    db.session.add(user)
    db.session.commit()
    return user


def token_for(user, **kwargs):
    from flask_jwt_extended import create_access_token

    return create_access_token(identity=user, **kwargs)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def auth_for(user):
    return bearer(token_for(user))


class LiveClient:
    """A real python-socketio client that records every event it receives."""

    def __init__(self, url):
        self.url = url
        self.sio = socketio.Client(reconnection=False)
        self.events = []
        self._cond = threading.Condition()
        self.sio.on("*", self._record)
        self.sio.on("connect_error", lambda data=None: self._record("connect_error", data))
        self.sio.on("disconnect", lambda *args: self._record("disconnect", None))

    def _record(self, event, data=None):
        with self._cond:
            self.events.append((event, data))
            self._cond.notify_all()

    def connect(self, token, wait_session=True):
        auth = {"token": token} if token is not None else None
        self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=5)
        if wait_session:
            return self.wait_for("session")
        return None

    def wait_for(self, event, predicate=lambda data: True, timeout=5.0):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for name, data in self.events:
                    if name == event and predicate(data):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {event!r} event within {timeout}s; got {self.events}")
                self._cond.wait(remaining)

    def received(self, event):
        with self._cond:
            return [data for name, data in self.events if name == event]

    def nothing_more(self, event, room, predicate=lambda data: True):
        """Prove that no further `event` (matching `predicate`) is on its way to this client:
        a marker published now on the same channel arrives after anything published before."""
        from app.services.realtime import events
        from app.services.realtime.emit import emit

        events.allow("marker")  # the suite's own event, not one of Pulse's
        marker = f"marker-{time.monotonic_ns()}"
        emit("marker", {"marker": marker}, room)
        self.wait_for("marker", lambda d: d["marker"] == marker)
        return [d for d in self.received(event) if predicate(d)]

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()


CHATBOT_KEY = "test-chatbot-key"


def post_intent(
    client,
    student_id=None,
    message="I need help with fractions",
    intent="study_help",
    confidence=0.9,
    headers=None,
    **extra,
):
    """Post a chatbot intent with the service key (or the given headers)."""
    body = {"message": message, "intent": intent, "confidence": confidence, **extra}
    if student_id is not None:
        body["student_id"] = student_id
    headers = {"X-Chatbot-Key": CHATBOT_KEY} if headers is None else headers
    return client.post("/api/v1/chatbot/intents", json=body, headers=headers)


def crisis(client, student, message="I keep thinking about killing myself"):
    res = post_intent(client, student.id, message=message, intent="crisis", confidence=0.95)
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def book_session(client, mentor, start, hours=1, title="Session", expect=201, **extra):
    """POST /schedules for `mentor` from `start` (a datetime) for `hours`; returns the JSON answer's schedule."""
    from datetime import timedelta

    body = {"title": title, "start_time": start.isoformat(), "end_time": (start + timedelta(hours=hours)).isoformat()}
    res = client.post("/api/v1/schedules", json={**body, **extra}, headers=auth_for(mentor))
    assert res.status_code == expect, res.get_json()
    return res.get_json().get("schedule")


@contextmanager
def redis_writes():
    """The app's writes to Redis (one per round trip) while the block runs, counted by a spy:
    every write still goes to Redis."""
    writes = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counting(self, *args, **kwargs):
        writes.append(1)
        return send(self, *args, **kwargs)

    redis.connection.AbstractConnection.send_packed_command = counting
    try:
        yield writes
    finally:
        redis.connection.AbstractConnection.send_packed_command = send
