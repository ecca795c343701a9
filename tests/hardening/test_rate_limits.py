"""Rate limits: a classroom logs in, a guessed account stops, limits are shared between web
processes, survive a Redis outage, and the chatbot's bucket follows the user, not the token."""

import requests

from tests.conftest import PrivateRedis, start_web, stop
from tests.helpers import PASSWORD, auth_for, make_user

LOGIN = "/api/v1/auth/login"


def login(client, email, password=PASSWORD):
    return client.post(LOGIN, json={"email": email, "password": password})


def production_limits(make_app, **extra):
    """An app with the limits production runs with (the testing ones are generous)."""
    from config import Config

    limits = {
        "LOGIN_RATE_LIMIT": Config.LOGIN_RATE_LIMIT,
        "LOGIN_ACCOUNT_RATE_LIMIT": Config.LOGIN_ACCOUNT_RATE_LIMIT,
        "RATE_LIMIT_ANONYMOUS": Config.RATE_LIMIT_ANONYMOUS,
        "RATE_LIMIT_AUTHENTICATED": Config.RATE_LIMIT_AUTHENTICATED,
    }
    return make_app(**{**limits, **extra})


def test_forty_students_behind_one_address_log_in_within_a_minute(make_app):
    client = production_limits(make_app).test_client()
    students = [make_user(email=f"pupil{i}@school.test") for i in range(40)]
    statuses = [login(client, s.email).status_code for s in students]
    assert statuses == [200] * 40
    # Each was counted against the one address and its own account only on failure.
    res = login(client, students[0].email)
    assert res.status_code == 200 and int(res.headers["X-RateLimit-Remaining"]) >= 0


def test_repeated_wrong_passwords_on_one_account_get_429_while_another_logs_in(make_app):
    client = production_limits(make_app).test_client()
    make_user(email="victim@example.test")
    make_user(email="other@example.test")
    statuses = [login(client, "victim@example.test", f"guess-{i}").status_code for i in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    last = login(client, "VICTIM@example.test ", "guess")  # same account, however it is spelled
    assert last.status_code == 429
    error = last.get_json()["error"]
    assert error["code"] == "rate_limited" and error["message"]
    assert int(last.headers["Retry-After"]) > 0
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert header in last.headers
    assert login(client, "victim@example.test").status_code == 429  # even the right password waits
    assert login(client, "other@example.test").status_code == 200  # from the same address


def test_anonymous_and_authenticated_limits_are_shared_between_two_web_processes(app):
    with app.app_context():
        student = make_user()
        headers = auth_for(student)
    limits = {"RATE_LIMIT_ANONYMOUS": "4 per hour", "RATE_LIMIT_AUTHENTICATED": "6 per hour"}
    one, url1 = start_web("eventlet", **limits)
    two, url2 = start_web("gevent", **limits)
    try:
        anonymous = [requests.get(f"{url}/api/v1/auth/me", timeout=10).status_code for url in [url1, url2] * 3]
        assert anonymous == [401, 401, 401, 401, 429, 429]
        signed_in = [requests.get(f"{url}/api/v1/auth/me", headers=headers, timeout=10) for url in [url1, url2] * 4]
        assert [r.status_code for r in signed_in] == [200] * 6 + [429] * 2
        refused = signed_in[-1]
        assert int(refused.headers["Retry-After"]) > 0 and refused.headers["X-RateLimit-Limit"] == "6"
        assert refused.json()["error"]["code"] == "rate_limited"
        # The probes are not limited.
        assert requests.get(f"{url1}/healthz", timeout=10).status_code == 200
    finally:
        stop(one)
        stop(two)


def test_login_is_still_limited_with_redis_stopped(app):
    with app.app_context():
        make_user(email="victim@example.test")
    redis_server = PrivateRedis()
    redis_server.start()
    proc, url = start_web("eventlet", TEST_REDIS_URL=redis_server.url, LOGIN_ACCOUNT_RATE_LIMIT="3 per 15 minutes")
    try:
        body = {"email": "victim@example.test", "password": "wrong"}
        assert requests.post(f"{url}{LOGIN}", json=body, timeout=10).status_code == 401
        redis_server.stop()
        statuses = [requests.post(f"{url}{LOGIN}", json=body, timeout=10).status_code for _ in range(5)]
        # Each process falls back to its own memory: the account is still limited.
        assert statuses[-1] == 429 and statuses.count(401) <= 3, statuses
    finally:
        stop(proc)
        redis_server.stop()


def test_the_chatbot_limit_follows_the_user_not_the_token(client, make_app):
    limited = make_app(CHATBOT_RATE_LIMIT="2 per minute").test_client()
    student = make_user()
    body = {"message": "hello", "intent": "greeting", "confidence": 0.9}
    # Each request with a freshly minted token: the bucket is still the student's.
    url = "/api/v1/chatbot/intents"
    statuses = [limited.post(url, json=body, headers=auth_for(student)).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    other = make_user()
    assert limited.post("/api/v1/chatbot/intents", json=body, headers=auth_for(other)).status_code == 201


def test_the_limits_storage_waits_for_a_pooled_connection_rather_than_failing(app):
    """redis-py's default pool raised "Too many connections" past 100 at once, and a burst of
    socket connects then skipped the Redis count. The storage's pool blocks instead, sized
    as the app's own (REDIS_MAX_CONNECTIONS, REDIS_POOL_TIMEOUT)."""
    import threading

    from app.api.limit_storage import CountingRedisStorage

    options = app.config["RATELIMIT_STORAGE_OPTIONS"]
    assert options["max_connections"] == app.config["REDIS_MAX_CONNECTIONS"]
    assert options["pool_timeout"] == app.config["REDIS_POOL_TIMEOUT"]

    storage = CountingRedisStorage(app.config["RATELIMIT_STORAGE_URI"], max_connections=2, pool_timeout=10)
    pool = storage.get_connection().connection_pool
    held = [pool.get_connection(), pool.get_connection()]  # the pool is dry
    counted, failed = [], []

    def hit():
        try:
            counted.append(storage.incr("pool-test", 60))
        except Exception as exc:  # what the default pool raised at once
            failed.append(exc)

    waiter = threading.Thread(target=hit)
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive() and not failed  # waiting for a connection, not failing
    pool.release(held.pop())
    waiter.join(10)
    assert counted == [1] and not failed
    storage.clear("pool-test")
