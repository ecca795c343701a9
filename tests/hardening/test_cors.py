"""CORS on the REST API: same-origin by default; CORS_ORIGINS lets a dashboard served from
another origin log in, read Retry-After, X-Request-ID and the rate-limit headers, and its
preflights are answered without spending any limit."""

from tests.helpers import PASSWORD, make_user

DASHBOARD = "http://localhost:5173"
LOGIN = "/api/v1/auth/login"


def preflight(client, url, origin=DASHBOARD, method="POST"):
    return client.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )


def test_same_origin_only_by_default(client):
    res = preflight(client, LOGIN)
    assert "Access-Control-Allow-Origin" not in res.headers
    res = client.get("/api/v1/auth/me", headers={"Origin": DASHBOARD})
    assert "Access-Control-Allow-Origin" not in res.headers


def test_an_allowed_origin_logs_in_and_reads_the_headers_it_needs(make_app):
    client = make_app(CORS_ORIGINS=["http://localhost:3000", DASHBOARD]).test_client()
    student = make_user()
    res = preflight(client, LOGIN)
    assert res.status_code == 200
    assert res.headers["Access-Control-Allow-Origin"] == DASHBOARD
    assert "POST" in res.headers["Access-Control-Allow-Methods"]
    allowed = res.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= {h.strip() for h in allowed.split(",")}
    assert int(res.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in res.headers  # tokens, never cookies

    res = client.post(LOGIN, json={"email": student.email, "password": PASSWORD}, headers={"Origin": DASHBOARD})
    assert res.status_code == 200 and res.headers["Access-Control-Allow-Origin"] == DASHBOARD
    exposed = {h.strip().lower() for h in res.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= exposed
    assert "Origin" in res.headers.get("Vary", "")  # the answer depends on the origin: caches keep them apart


def test_another_origin_is_not_allowed(make_app):
    client = make_app(CORS_ORIGINS=[DASHBOARD]).test_client()
    res = preflight(client, LOGIN, origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in res.headers
    res = client.get("/api/v1/auth/me", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in res.headers


def test_a_429_is_readable_and_preflights_spend_no_limit(make_app):
    client = make_app(CORS_ORIGINS=[DASHBOARD], RATE_LIMIT_ANONYMOUS="1 per hour").test_client()
    for _ in range(5):
        assert preflight(client, "/api/v1/auth/me", method="GET").status_code == 200
    statuses = [client.get("/api/v1/auth/me", headers={"Origin": DASHBOARD}) for _ in range(2)]
    assert [r.status_code for r in statuses] == [401, 429]
    refused = statuses[-1]
    assert refused.headers["Access-Control-Allow-Origin"] == DASHBOARD and int(refused.headers["Retry-After"]) > 0
