"""A classroom behind one address: 40 students log in, open their dashboard's stream and
reconnect all day without a 429; what they do counts against each student, not the address.

Time is driven, not slept: `advance()` moves every rate-limit window in Redis forward by
shortening its TTL, as the clock passing would."""

from tests.hardening.test_rate_limits import LOGIN, login, production_limits
from tests.helpers import PASSWORD, bearer, make_user

STREAM = "/api/v1/student/dashboard/stream"
STREAM_TOKEN = "/api/v1/student/dashboard/stream-token"


def advance(app, redis_conn, seconds):
    """The limiter's clock moves `seconds` on: each window's TTL shrinks, a spent one ends."""
    prefix = app.config["RATELIMIT_STORAGE_OPTIONS"]["key_prefix"]
    for key in redis_conn.scan_iter(match=f"{prefix}*", count=1000):
        ttl = redis_conn.pttl(key)
        if ttl < 0:
            continue
        left = ttl - int(seconds * 1000)
        if left <= 0:
            redis_conn.delete(key)
        else:
            redis_conn.pexpire(key, left)


def open_stream(client, access_token):
    """What a dashboard does on each (re)connect: a stream token, then the EventSource."""
    token = client.post(STREAM_TOKEN, headers=bearer(access_token))
    assert token.status_code == 201, token.get_json()
    res = client.get(f"{STREAM}?stream_token={token.get_json()['stream_token']}")
    status = res.status_code
    res.close()
    return status


def test_forty_students_behind_one_address_keep_their_streams_open_all_day(make_app, redis_conn):
    app = production_limits(make_app)
    client = app.test_client()
    students = [make_user(email=f"class{i}@school.test") for i in range(40)]
    statuses = []
    tokens = []
    for student in students:
        res = login(client, student.email)
        statuses.append(res.status_code)
        tokens.append(res.get_json()["access_token"])
    # A school day: 8 hours, each stream ending and reconnecting about four times an hour.
    for _quarter in range(8 * 4):
        statuses += [open_stream(client, token) for token in tokens]
        advance(app, redis_conn, 15 * 60)
    assert set(statuses) == {200}, sorted(set(statuses))
    assert len(statuses) == 40 + 40 * 8 * 4
    # The address's anonymous allowance is untouched: someone else behind it still gets in.
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_stream_counts_against_its_student_not_the_address(make_app):
    app = make_app(RATE_LIMIT_ANONYMOUS="1 per hour", RATE_LIMIT_AUTHENTICATED="4 per hour")
    client = app.test_client()
    first, second = make_user(), make_user()
    first_token = login(client, first.email).get_json()["access_token"]
    second_token = login(client, second.email).get_json()["access_token"]
    # Each reconnect is two requests of the student's (token, stream): the third one is refused.
    assert [open_stream(client, first_token) for _ in range(2)] == [200, 200]
    refused = client.post(STREAM_TOKEN, headers=bearer(first_token))
    assert refused.status_code == 429 and refused.headers["X-RateLimit-Limit"] == "4"
    # The other student, behind the same address, is not affected, nor is the address.
    assert open_stream(client, second_token) == 200
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 429
    # An unknown stream token counts against the address, like any anonymous request.
    assert client.get(f"{STREAM}?stream_token=not-a-token").status_code == 429


def test_logins_do_not_use_up_the_anonymous_limit_and_a_guesser_is_still_stopped(make_app):
    app = make_app(RATE_LIMIT_ANONYMOUS="2 per hour", LOGIN_RATE_LIMIT="12 per minute")
    client = app.test_client()
    students = [make_user() for _ in range(6)]
    make_user(email="victim@school.test")
    assert [login(client, s.email).status_code for s in students] == [200] * 6
    assert [client.get("/api/v1/auth/me").status_code for _ in range(3)] == [401, 401, 429]
    # The login's own limits still hold: per account on failures, per address overall.
    guesses = [login(client, "victim@school.test", f"guess-{i}").status_code for i in range(6)]
    assert guesses == [401] * 5 + [429]  # LOGIN_ACCOUNT_RATE_LIMIT: 5 failures per 15 minutes
    statuses = [client.post(LOGIN, json={"email": students[0].email, "password": PASSWORD}) for _ in range(10)]
    assert statuses[-1].status_code == 429 and int(statuses[-1].headers["Retry-After"]) > 0


def test_static_files_docs_assets_and_certificate_checks_leave_the_anonymous_limit_alone(make_app):
    app = make_app(RATE_LIMIT_ANONYMOUS="1 per hour", CERTIFICATE_VERIFY_RATE_LIMIT="3 per hour")
    client = app.test_client()
    for _ in range(5):
        for url in (
            "/api/v1/docs",
            "/api/v1/openapi.json",
            "/swagger-ui/swagger-ui.css",
            "/swagger-ui/pulse-swagger-init.js",
        ):
            res = client.get(url)
            assert res.status_code == 200 and "X-RateLimit-Limit" not in res.headers, url
    # Certificate checks have their own bucket per address.
    checks = [client.get("/api/v1/certificates/verify/NO-SUCH-CODE").status_code for _ in range(4)]
    assert checks == [404, 404, 404, 429]
    assert client.get("/api/v1/auth/me").status_code == 401  # the anonymous allowance is still whole
