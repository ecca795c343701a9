"""Socket.IO connect: refused without a good token, and the server picks the rooms.
Runs against real web processes under eventlet and under gevent."""

from datetime import timedelta

import jwt as pyjwt
import pytest
import socketio

from app.extensions import db
from app.models import Cohort, CohortMember
from app.services.identity import tokens
from tests.helpers import make_user, redis_writes, token_for


def refused(live_client, live_server, token):
    client = live_client(live_server)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(token)
    return str(client.received("connect_error"))


def test_connect_refused_for_bad_tokens(live_server, live_client, app):
    student = make_user()
    assert "token_missing" in refused(live_client, live_server, None)
    assert "token_invalid" in refused(live_client, live_server, "garbage")
    assert "token_expired" in refused(live_client, live_server, token_for(student, expires_delta=timedelta(seconds=-5)))
    unsigned = pyjwt.encode(
        {"sub": str(student.id), "type": "access", "jti": "n", "role": "student"}, None, algorithm="none"
    )
    assert "token_invalid" in refused(live_client, live_server, unsigned)
    other_key = pyjwt.encode(
        {"sub": str(student.id), "type": "access", "jti": "k", "role": "student", "exp": 4102444800},
        "some-other-signing-key-that-is-long",
        algorithm="HS256",
    )
    assert "token_invalid" in refused(live_client, live_server, other_key)
    from flask_jwt_extended import create_refresh_token

    assert "token_invalid" in refused(live_client, live_server, create_refresh_token(identity=student))


def test_connect_refused_for_revoked_token_and_inactive_user(live_server, live_client):
    student = make_user()
    token = token_for(student)
    from flask_jwt_extended import decode_token

    tokens.revoke(decode_token(token))
    assert "token_revoked" in refused(live_client, live_server, token)
    inactive = make_user(active=False)
    assert "token_invalid" in refused(live_client, live_server, token_for(inactive))


def test_accepted_sockets_are_in_exactly_their_rooms(live_server, live_client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    educator = make_user("educator")
    admin = make_user("admin")
    cohort = Cohort(name="Aurora")
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=student.id))
    db.session.commit()

    expectations = {
        mentor: {f"user:{mentor.id}", f"mentor:{mentor.id}"},
        student: {f"user:{student.id}", f"student:{student.id}", f"cohort:{cohort.id}"},
        educator: {f"user:{educator.id}", f"educator:{educator.id}"},
        admin: {f"user:{admin.id}", "admins"},
    }
    for user, rooms in expectations.items():
        session = live_client(live_server).connect(token_for(user))
        assert set(session["rooms"]) == rooms
        assert session["user_id"] == user.id


def test_events_reach_only_the_room(live_server, live_client, app):
    """An event for one mentor's room reaches that mentor and nobody else."""
    from app.services.realtime.emit import emit
    from app.services.realtime.rooms import mentor_room

    mine, other = make_user("mentor"), make_user("mentor")
    a = live_client(live_server)
    a.connect(token_for(mine))
    b = live_client(live_server)
    b.connect(token_for(other))
    emit("notification", {"id": 1, "title": "hello"}, mentor_room(mine.id))
    assert a.wait_for("notification")["title"] == "hello"
    emit("notification", {"id": 2, "title": "marker"}, mentor_room(other.id))
    b.wait_for("notification", lambda d: d["id"] == 2)
    assert [d["id"] for d in b.received("notification")] == [2]


def test_a_client_cannot_join_rooms_itself(live_server, live_client):
    from app.services.realtime.emit import emit

    mine, other = make_user("mentor"), make_user("mentor")
    c = live_client(live_server)
    c.connect(token_for(mine))
    c.sio.emit("join", {"room": f"mentor:{other.id}"})
    c.sio.emit("join_room", f"mentor:{other.id}")
    emit("notification", {"id": 9}, f"mentor:{other.id}")
    emit("notification", {"id": 10}, f"mentor:{mine.id}")
    c.wait_for("notification", lambda d: d["id"] == 10)
    assert [d["id"] for d in c.received("notification")] == [10]


def test_a_connect_asks_redis_once_for_the_revocation_and_the_identity(app):
    # In a reconnect storm every connect pays its round trips: the token's revocation and
    # the user's cached identity come back in one.
    from app.sockets.handlers import authenticate

    student = make_user()
    token = token_for(student)
    with app.test_request_context():
        authenticate({"token": token})  # identity cached, revocations loaded
    with redis_writes() as writes, app.test_request_context():
        user, _payload = authenticate({"token": token})
    assert user.id == student.id and writes == [1]
