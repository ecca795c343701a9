"""The authenticated request's fast path keeps every check: a token verified once per process
is still refused once expired, revoked, tampered with or its user deactivated; the rate
limit's headers come from the one counting round trip and stay exact; a signed-in request (and
a cached dashboard read) asks Redis once."""

import time
from datetime import timedelta

import redis
from flask_jwt_extended import decode_token

from app import verified_tokens
from app.api import gate
from app.extensions import db, jwt, limiter
from app.models import User
from app.schemas.users import UserEnvelope
from app.services.accounts import changes
from tests.conftest import REDIS_URL
from tests.dashboard_seed import student_with_work
from tests.helpers import bearer, make_user, redis_writes, token_for

ME = "/api/v1/auth/me"


def error_code(res):
    return res.get_json()["error"]["code"]


def test_a_token_is_verified_once_then_only_its_time_claims_are_checked(app, monkeypatch):
    with app.app_context():
        token = token_for(make_user())
        calls = []
        verify = type(jwt).__mro__[1]._decode_jwt_from_config  # flask-jwt-extended's own

        def counting(self, *args, **kwargs):
            calls.append(args[0])
            return verify(self, *args, **kwargs)

        monkeypatch.setattr(type(jwt).__mro__[1], "_decode_jwt_from_config", counting)
        first = decode_token(token)
        again = decode_token(token)
    assert first == again and first["sub"] and calls == [token]  # the second use is a cache hit
    again["sub"] = "someone else"  # a caller's copy: the cached claims do not change
    with app.app_context():
        assert decode_token(token)["sub"] == first["sub"]


def test_a_cached_token_still_expires(client, app, monkeypatch):
    # Time driven by the leeway, not by sleeping: a token 5 s past its expiry is accepted
    # (and cached) under a 60 s leeway, then refused once the leeway is gone.
    with app.app_context():
        token = token_for(make_user(), expires_delta=timedelta(seconds=-5))
    monkeypatch.setitem(app.config, "JWT_DECODE_LEEWAY", 60)
    assert client.get(ME, headers=bearer(token)).status_code == 200  # verified and cached
    monkeypatch.setitem(app.config, "JWT_DECODE_LEEWAY", 0)
    res = client.get(ME, headers=bearer(token))
    assert res.status_code == 401 and error_code(res) == "token_expired"


def test_a_cached_token_is_still_refused_when_revoked_tampered_or_its_user_deactivated(client, app):
    with app.app_context():
        student, other = make_user(), make_user()
        token, other_token = token_for(student), token_for(other)
    assert client.get(ME, headers=bearer(token)).status_code == 200
    assert client.get(ME, headers=bearer(other_token)).status_code == 200
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])
    res = client.get(ME, headers=bearer(forged))
    assert res.status_code == 401 and error_code(res) == "token_invalid"
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code in (200, 204)
    res = client.get(ME, headers=bearer(token))
    assert res.status_code == 401 and error_code(res) == "token_revoked"
    with app.app_context():
        changes.set_active(other.id, False)
    res = client.get(ME, headers=bearer(other_token))
    assert res.status_code == 401 and error_code(res) == "account_inactive"


def test_the_limit_headers_come_from_the_counting_round_trip_and_stay_exact(make_app):
    app = make_app(RATE_LIMIT_AUTHENTICATED="5 per hour")
    client = app.test_client()
    with app.app_context():
        headers = bearer(token_for(make_user()))
    remaining = []
    for _ in range(5):
        res = client.get(ME, headers=headers)
        assert res.status_code == 200
        assert res.headers["X-RateLimit-Limit"] == "5"
        assert 0 < int(res.headers["X-RateLimit-Reset"]) - time.time() <= 3600 + 1
        remaining.append(int(res.headers["X-RateLimit-Remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    refused = client.get(ME, headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.headers["X-RateLimit-Remaining"] == "0" and refused.headers["X-RateLimit-Limit"] == "5"


def test_in_a_request_the_count_and_expiry_need_no_second_round_trip(app):
    storage = limiter.storage
    conn = redis.Redis.from_url(REDIS_URL)
    with app.test_request_context():
        storage.clear("probe")
        assert storage.incr("probe", 60) == 1
        conn.delete(storage.prefixed_key("probe"))  # behind its back: only the memo still knows
        assert storage.get("probe") == 1 and 58 < storage.get_expiry("probe") - time.time() <= 61
    # outside a request there is no memo: the values come from Redis itself
    assert storage.incr("probe", 60) == 1
    assert storage.get("probe") == 1 and storage.get_expiry("probe") > time.time()
    storage.clear("probe")


def _commands_during(request):
    """The commands Redis received on the test database while `request()` ran (those a
    script ran are marked "lua:"), and how many times the app wrote to Redis meanwhile."""
    conn = redis.Redis.from_url(REDIS_URL)
    db = conn.connection_pool.connection_kwargs.get("db", 0)
    sentinel = "fast-path-test:sentinel"
    with conn.monitor() as monitor:
        with redis_writes() as writes:
            request()
        redis.Redis.from_url(REDIS_URL).get(sentinel)
        seen = []
        for command in monitor.listen():
            name = command["command"].split()[0].upper()
            if command["db"] != db or name in ("SELECT", "HELLO", "CLIENT"):
                continue  # another database, or a connection's handshake
            if command["command"] == f"GET {sentinel}":
                return seen, len(writes)
            seen.append(("lua:" if command.get("client_type") == "lua" else "") + name)


def test_a_signed_in_request_asks_redis_once_for_its_limit_revocation_and_identity(client, app):
    with app.app_context():
        headers = bearer(token_for(make_user()))
    assert client.get(ME, headers=headers).status_code == 200  # identity cached, revocations loaded
    commands, writes = _commands_during(lambda: client.get(ME, headers=headers))
    # one script: the shared limit's count and its window's TTL, the token's revocation (the
    # set's loaded marker, the jti) and the user's cached identity
    assert commands == ["EVALSHA", "lua:INCRBY", "lua:TTL", "lua:EXISTS", "lua:EXISTS", "lua:GET"]
    assert writes == 1


def test_the_shared_limit_is_counted_in_memory_while_redis_is_down(make_app):
    gate.counted_in_memory().storage.reset()  # this process's counts from other tests
    app = make_app(RATE_LIMIT_ANONYMOUS="3 per hour", REDIS_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    answers = [client.get(ME) for _ in range(4)]
    assert [res.status_code for res in answers] == [401, 401, 401, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0 and answers[-1].headers["X-RateLimit-Limit"] == "3"


def test_a_cached_dashboard_read_is_one_round_trip_with_the_token_check(client, app):
    student = student_with_work()["student"]
    headers = bearer(token_for(student))
    first = client.get("/api/v1/student/dashboard", headers=headers).get_json()  # computes, caches
    responses = []
    commands, writes = _commands_during(
        lambda: responses.append(client.get("/api/v1/student/dashboard", headers=headers))
    )
    # the view's two keys (the aggregate and the free tier's copy) are read by the same script
    assert commands == ["EVALSHA", "lua:INCRBY", "lua:TTL", "lua:EXISTS", "lua:EXISTS", "lua:GET", "lua:GET", "lua:GET"]
    assert writes == 1
    body = responses[0].get_json()
    assert body["source"] == "redis" and body["readiness"] == first["readiness"]


def test_a_token_header_is_parsed_once_and_handed_out_as_a_copy(client, app):
    with app.app_context():
        headers = bearer(token_for(make_user()))
    token = headers["Authorization"][7:]
    assert client.get(ME, headers=headers).status_code == 200
    before = verified_tokens._header.cache_info()
    assert client.get(ME, headers=headers).status_code == 200
    after = verified_tokens._header.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses
    copy = verified_tokens._unverified_header(token)
    copy["alg"] = "none"
    assert verified_tokens._unverified_header(token)["alg"] == "HS256"


def test_me_answers_exactly_what_the_user_schema_gives(client, app):
    with app.app_context():
        user_id = make_user().id
        headers = bearer(token_for(db.session.get(User, user_id)))
    res = client.get(ME, headers=headers)
    with app.app_context():
        expected = UserEnvelope().dump({"user": db.session.get(User, user_id)})
    assert res.status_code == 200 and res.mimetype == "application/json"
    assert res.get_json() == expected and expected["user"]["id"] == user_id


def test_me_follows_a_changed_account_at_once(client, app):
    # /auth/me's body is kept per identity: a rename, a new cohort or a deactivation is a new
    # identity, answered at once, and the old body is never served for it.
    with app.app_context():
        headers = bearer(token_for(make_user(name="Before")))
    assert client.get(ME, headers=headers).get_json()["user"]["name"] == "Before"
    assert client.patch(ME, json={"name": "After"}, headers=headers).status_code == 200
    assert client.get(ME, headers=headers).get_json()["user"]["name"] == "After"
    with app.app_context():
        admin = bearer(token_for(make_user(role="admin")))
    cohort = client.post("/api/v1/admin/cohorts", json={"name": "C"}, headers=admin).get_json()["cohort"]
    me = client.get(ME, headers=headers).get_json()["user"]
    joined = client.post(f"/api/v1/admin/cohorts/{cohort['id']}/members", json={"student_id": me["id"]}, headers=admin)
    assert joined.status_code == 201, joined.get_json()
    assert client.get(ME, headers=headers).get_json()["user"]["cohort_ids"] == [cohort["id"]]


def test_the_gate_counts_in_redis_after_a_script_flush_and_a_dropped_connection(client, app):
    # The gate sends its script on a pooled connection itself: a Redis that forgot the script
    # (restart, SCRIPT FLUSH) is given it again, and a pooled connection Redis dropped while
    # idle is replaced. Every request is counted by the one counter in Redis (a fallback to
    # this process's memory would start a count of its own).
    with app.app_context():
        headers = bearer(token_for(make_user()))
    first = client.get(ME, headers=headers)
    remaining = [int(first.headers["X-RateLimit-Remaining"])]
    admin = redis.Redis.from_url(REDIS_URL)
    for upset in (admin.script_flush, lambda: admin.client_kill_filter(_type="normal", skipme=True)):
        upset()
        res = client.get(ME, headers=headers)
        assert res.status_code == 200
        remaining.append(int(res.headers["X-RateLimit-Remaining"]))
    assert remaining == [remaining[0], remaining[0] - 1, remaining[0] - 2]


def test_a_verified_token_is_refused_where_the_key_differs(client, app, make_app):
    # The verified-token cache is keyed by the settings a verification depends on: a token
    # cached as good under one key is checked afresh, and refused, under another.
    with app.app_context():
        headers = bearer(token_for(make_user()))
    assert client.get(ME, headers=headers).status_code == 200  # verified and cached here
    other = make_app(JWT_SECRET_KEY="another-secret-key-of-thirty-two-bytes-at-least")
    res = other.test_client().get(ME, headers=headers)
    assert res.status_code == 401 and error_code(res) == "token_invalid"
