"""/admin/rq: no state change by GET or from another site, and the login's per-account lock
holds for its Basic sign-in (issue 24, items 9 and 10)."""

import base64

from tests.helpers import PASSWORD, make_user


def basic(email, password, **extra):
    token = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": "Basic " + token, **extra}


def test_requeue_by_get_is_refused_and_by_post_works(client):
    make_user("admin", email="ops@example.test")
    got = client.get("/admin/rq/requeue/default", headers=basic("ops@example.test", PASSWORD))
    assert got.status_code == 405, got.data
    assert got.get_json()["error"]["code"] == "method_not_allowed"
    assert got.headers["Allow"] == "POST"
    posted = client.post(
        "/admin/rq/requeue/default", headers=basic("ops@example.test", PASSWORD, Origin="http://localhost")
    )
    assert posted.status_code == 200 and posted.get_json()["status"] == "OK"
    # Reading stays a GET.
    assert client.get("/admin/rq/0/data/queues.json", headers=basic("ops@example.test", PASSWORD)).status_code == 200


def test_cross_site_writes_are_refused_before_the_password_is_checked(client):
    make_user("admin", email="ops@example.test")
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        refused = client.post("/admin/rq/requeue/default", headers=basic("ops@example.test", PASSWORD, **headers))
        assert refused.status_code == 403, headers
        assert refused.get_json()["error"]["code"] == "cross_origin"
        # Not even a wrong password is looked at (nor counted): a forged request learns nothing.
        wrong = client.post("/admin/rq/requeue/default", headers=basic("ops@example.test", "guess", **headers))
        assert wrong.status_code == 403
    same_site = basic("ops@example.test", PASSWORD, **{"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})
    assert client.post("/admin/rq/requeue/default", headers=same_site).status_code == 200
    # A client that is not a browser (no Origin, no Sec-Fetch-Site) may still post.
    assert client.post("/admin/rq/requeue/default", headers=basic("ops@example.test", PASSWORD)).status_code == 200


def test_a_locked_login_locks_the_dashboard_sign_in(make_app):
    make_user("admin", email="ops@example.test")
    limited = make_app(LOGIN_ACCOUNT_RATE_LIMIT="2 per 15 minutes").test_client()
    for _ in range(2):
        failed = limited.post("/api/v1/auth/login", json={"email": "ops@example.test", "password": "guess1234"})
        assert failed.status_code == 401
    # The right password through the dashboard does not confirm it while the login is locked.
    locked = limited.get("/admin/rq/", headers=basic("OPS@example.test ", PASSWORD))
    assert locked.status_code == 429, locked.data
    assert int(locked.headers["Retry-After"]) > 60
    assert locked.get_json()["error"]["code"] == "rate_limited"


def test_dashboard_failures_lock_the_login(make_app):
    make_user("admin", email="ops@example.test")
    limited = make_app(LOGIN_ACCOUNT_RATE_LIMIT="2 per 15 minutes").test_client()
    assert [limited.get("/admin/rq/", headers=basic("ops@example.test", "guess")).status_code for _ in range(2)] == [
        401,
        401,
    ]
    login = limited.post("/api/v1/auth/login", json={"email": "ops@example.test", "password": PASSWORD})
    assert login.status_code == 429
    assert limited.get("/admin/rq/", headers=basic("ops@example.test", PASSWORD)).status_code == 429
