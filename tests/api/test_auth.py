"""Register, login, refresh, logout, me: the happy paths and every refusal."""

from datetime import timedelta

import jwt as pyjwt
import pytest

from app.extensions import db
from app.models import RevokedToken, Role, User
from app.services.shared import cache
from tests.helpers import PASSWORD, auth_for, bearer, make_user, token_for


def login(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_register_makes_a_student(client):
    res = client.post(
        "/api/v1/auth/register",
        json={"email": "New@Example.test", "password": "long-enough", "name": "New Person"},
    )
    assert res.status_code == 201
    user = res.get_json()["user"]
    assert user["role"] == "student"
    assert user["email"] == "new@example.test"
    assert "password" not in user and "password_hash" not in user


def test_register_cannot_set_a_role(client):
    res = client.post(
        "/api/v1/auth/register",
        json={"email": "sneaky@example.test", "password": "long-enough", "name": "S", "role": "admin"},
    )
    assert res.status_code == 422
    assert res.get_json()["error"]["details"] == {"role": ["Unknown field."]}
    assert db.session.query(User).filter_by(email="sneaky@example.test").count() == 0


def test_register_validates_and_rejects_duplicates(client):
    short = client.post("/api/v1/auth/register", json={"email": "a@b.test", "password": "short", "name": "A"})
    assert short.status_code == 422
    assert "password" in short.get_json()["error"]["details"]
    bad_email = client.post("/api/v1/auth/register", json={"email": "nope", "password": "long-enough", "name": "A"})
    assert "email" in bad_email.get_json()["error"]["details"]
    make_user(email="taken@example.test")
    dup = client.post(
        "/api/v1/auth/register", json={"email": "TAKEN@example.test", "password": "long-enough", "name": "A"}
    )
    assert dup.status_code == 409
    assert dup.get_json()["error"]["code"] == "email_taken"


def test_login_returns_tokens_and_user(client):
    mentor = make_user("mentor", email="m@example.test")
    res = login(client, "m@example.test")
    assert res.status_code == 200
    body = res.get_json()
    assert set(body) == {"access_token", "refresh_token", "user"}
    assert body["user"]["id"] == mentor.id and body["user"]["role"] == "mentor"
    claims = pyjwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["role"] == "mentor" and claims["sub"] == str(mentor.id)
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.get_json()["user"]["email"] == "m@example.test"


def test_login_refuses_wrong_password_unknown_user_and_inactive(client):
    make_user(email="s@example.test")
    make_user(email="gone@example.test", active=False)
    assert login(client, "s@example.test", "wrong-password").get_json()["error"]["code"] == "invalid_credentials"
    assert login(client, "nobody@example.test").status_code == 401
    res = login(client, "gone@example.test")
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "account_inactive"


def test_refresh_gives_a_new_access_token_and_refuses_access_tokens(client):
    make_user(email="s@example.test")
    tokens = login(client, "s@example.test").get_json()
    res = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert res.status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer(res.get_json()["access_token"])).status_code == 200
    wrong = client.post("/api/v1/auth/refresh", headers=bearer(tokens["access_token"]))
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "token_invalid"
    # a refresh token is not an access token either
    assert client.get("/api/v1/auth/me", headers=bearer(tokens["refresh_token"])).status_code == 401


def test_logout_revokes_access_and_refresh_at_once(client, redis_conn):
    make_user(email="s@example.test")
    tokens = login(client, "s@example.test").get_json()
    res = client.post(
        "/api/v1/auth/logout",
        headers=bearer(tokens["access_token"]),
        json={"refresh_token": tokens["refresh_token"]},
    )
    assert res.status_code == 204
    me = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401 and me.get_json()["error"]["code"] == "token_revoked"
    ref = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert ref.status_code == 401 and ref.get_json()["error"]["code"] == "token_revoked"
    assert db.session.query(RevokedToken).count() == 2


def test_logout_with_refresh_token_revokes_it(client):
    make_user(email="s@example.test")
    tokens = login(client, "s@example.test").get_json()
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens["refresh_token"])).status_code == 204
    assert client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code == 401


def test_revocation_survives_a_redis_restart(client, redis_conn):
    """Redis loses its keys (as on a restart): the database still refuses the token."""
    make_user(email="s@example.test")
    tokens = login(client, "s@example.test").get_json()
    client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
    redis_conn.flushdb()
    assert client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 401
    # and the fast path was rebuilt from the database
    assert redis_conn.exists(cache.revoked_loaded_key())


def test_deactivated_users_tokens_are_refused(client):
    admin = make_user("admin")
    student = make_user()
    token = token_for(student)
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200
    res = client.patch(f"/api/v1/admin/users/{student.id}", json={"is_active": False}, headers=bearer(token_for(admin)))
    assert res.status_code == 200
    me = client.get("/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 401 and me.get_json()["error"]["code"] == "account_inactive"


def test_expired_garbage_and_foreign_tokens_are_refused(client, app):
    student = make_user()
    expired = token_for(student, expires_delta=timedelta(seconds=-5))
    res = client.get("/api/v1/auth/me", headers=bearer(expired))
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "token_expired"
    assert client.get("/api/v1/auth/me", headers=bearer("garbage")).status_code == 401
    foreign = pyjwt.encode(
        {"sub": str(student.id), "type": "access", "jti": "x", "role": "admin"},
        "another-key-of-sufficient-length-123",
        algorithm="HS256",
    )
    assert client.get("/api/v1/auth/me", headers=bearer(foreign)).status_code == 401
    unsigned = pyjwt.encode({"sub": str(student.id), "type": "access", "jti": "y"}, None, algorithm="none")
    assert client.get("/api/v1/auth/me", headers=bearer(unsigned)).status_code == 401
    missing = client.get("/api/v1/auth/me")
    assert missing.get_json()["error"]["code"] == "token_missing"


def test_role_claim_does_not_outrank_the_database(client):
    """A token minted while the user was a mentor does not keep mentor powers after demotion."""
    user = make_user("admin")
    token = token_for(user)
    user.role = Role.STUDENT
    db.session.commit()
    res = client.post("/api/v1/admin/cohorts", json={"name": "X"}, headers=bearer(token))
    # the token's role claim is not the user's role now: refused outright (issue 24, item 2)
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "token_invalid"


def test_neither_store_answering_the_blocklist_is_unavailable_not_revoked(make_app):
    """Redis and the database both unreachable: the token is refused for now (503, retry),
    not called revoked (401 token_revoked sends every client to sign in again)."""
    headers = auth_for(make_user())
    cut_off = make_app(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:9/unreachable",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
        REDIS_URL="redis://127.0.0.1:9/0",
    )
    res = cut_off.test_client().get("/api/v1/auth/me", headers=headers)
    assert res.status_code == 503, res.get_json()
    assert res.get_json()["error"]["code"] == "unavailable"
    # a socket's connect is told the server is busy (the client retries), not revoked
    from flask_socketio import ConnectionRefusedError

    from app.sockets.handlers import authenticate

    with cut_off.test_request_context("/socket.io/"):
        with pytest.raises(ConnectionRefusedError) as refused:
            authenticate({"token": headers["Authorization"].split()[1]})
    assert refused.value.error_args["message"] == "server_busy"


def test_a_socket_whose_identity_the_database_cannot_read_is_told_to_come_back(make_app):
    """Redis answers but the identity cache is cold and the database does not (a pool run dry
    in a storm): the connect is refused as server_busy with retry_after, never left
    unanswered (the client hung until its own timeout)."""
    from flask_socketio import ConnectionRefusedError

    from app.sockets.handlers import authenticate

    token = auth_for(make_user())["Authorization"].split()[1]  # make_user's commit empties the cache
    cut_off = make_app(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:9/unreachable",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
    )
    with cut_off.test_request_context("/socket.io/"):
        with pytest.raises(ConnectionRefusedError) as refused:
            authenticate({"token": token})
    assert refused.value.error_args["message"] == "server_busy"
    assert refused.value.error_args["data"]["retry_after"] > 0
