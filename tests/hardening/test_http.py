"""Proxies, security headers, request ids, out-of-range ids, deep JSON, hostile CSV cells,
logout's body check and login timing."""

import csv
import io
import statistics
import time

import pytest
import requests

from app.api.ids import INT_MAX, DatabaseIntConverter
from tests.helpers import PASSWORD, auth_for, bearer, make_user
from tests.sse import SSEReader

BIG = "19765716549379076096"


def test_forged_x_forwarded_for_is_ignored_at_zero_hops_and_honoured_at_one(make_app):
    def statuses(app):
        client = app.test_client()
        return [client.get("/api/v1/auth/me", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(3)]

    # Zero hops: three "different" clients are one address, the third is over the limit.
    assert statuses(make_app(TRUSTED_PROXY_HOPS=0, RATE_LIMIT_ANONYMOUS="2 per hour")) == [401, 401, 429]
    # One hop (Heroku): the router's X-Forwarded-For names the client; each has its own bucket.
    assert statuses(make_app(TRUSTED_PROXY_HOPS=1, RATE_LIMIT_ANONYMOUS="2 per hour")) == [401, 401, 401]


def test_x_forwarded_proto_is_honoured_only_from_a_trusted_hop(make_app):
    proxied = make_app(TRUSTED_PROXY_HOPS=1, FORCE_HTTPS=True).test_client()
    assert proxied.get("/api/v1/auth/me", headers={"X-Forwarded-Proto": "https"}).status_code == 401
    redirected = proxied.get("/api/v1/auth/me?x=1", headers={"X-Forwarded-Proto": "http"})
    assert redirected.status_code == 308 and redirected.headers["Location"] == "https://localhost/api/v1/auth/me?x=1"
    direct = make_app(TRUSTED_PROXY_HOPS=0, FORCE_HTTPS=True).test_client()
    assert direct.get("/api/v1/auth/me", headers={"X-Forwarded-Proto": "https"}).status_code == 308


SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy")


def assert_security_headers(headers, hsts=False):
    for name in SECURITY_HEADERS:
        assert headers.get(name), name
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert ("Strict-Transport-Security" in headers) is hsts


def test_security_headers_on_a_200_a_404_and_a_500(client, make_app):
    student = make_user()
    assert_security_headers(client.get("/api/v1/auth/me", headers=auth_for(student)).headers)
    assert_security_headers(client.get("/api/v1/nowhere").headers)
    crashing = make_app(PROPAGATE_EXCEPTIONS=False)

    @crashing.get("/api/v1/test-crash")
    def crash():
        raise RuntimeError("boom")

    res = crashing.test_client().get("/api/v1/test-crash")
    assert res.status_code == 500
    assert_security_headers(res.headers)
    hsts = make_app(HSTS_MAX_AGE=31536000).test_client().get("/healthz")
    assert_security_headers(hsts.headers, hsts=True)
    assert hsts.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_security_headers_on_an_sse_response(live_server):
    from flask import current_app

    from tests.helpers import token_for

    with current_app.app_context():
        student = make_user()
        token = token_for(student)
    reader = SSEReader(f"{live_server}/api/v1/student/dashboard/stream", headers=bearer(token))
    try:
        assert reader.status_code == 200
        assert reader.response.headers["Content-Type"].startswith("text/event-stream")
        assert_security_headers(reader.response.headers)
    finally:
        reader.close()


def test_swagger_ui_is_served_from_the_installed_package(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "cdn" not in html.lower() and "<script>" not in html  # no inline script: the CSP allows none
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "pulse-swagger-init.js"):
        res = client.get(f"/swagger-ui/{asset}")
        assert res.status_code == 200 and len(res.data) > 100, asset


def test_request_id_in_and_out(client):
    sent = client.get("/healthz", headers={"X-Request-ID": "abc-123.req"})
    assert sent.headers["X-Request-ID"] == "abc-123.req"
    made = client.get("/api/v1/nowhere")
    assert len(made.headers["X-Request-ID"]) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != made.headers["X-Request-ID"]
    hostile = client.get("/healthz", headers={"X-Request-ID": "x\u00e9" + "y" * 300})
    assert hostile.headers["X-Request-ID"] != "x\u00e9" + "y" * 300  # not echoed into logs as it is


def test_request_lines_carry_the_request_fields(client, caplog):
    import logging

    # The migrations' logging.config.fileConfig (run by the session's app fixture) disables
    # loggers that existed before it; a served process never runs it.
    logging.getLogger("pulse.request").disabled = False
    student = make_user()
    with caplog.at_level("INFO", logger="pulse.request"):
        client.get("/api/v1/auth/me", headers={**auth_for(student), "X-Request-ID": "trace-1"})
    (line,) = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-1"]
    assert (line.user_id, line.method, line.route, line.status) == (student.id, "GET", "/api/v1/auth/me", 200)
    assert line.duration_ms >= 0


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_a_served_request_is_logged_once(mode):
    from tests.conftest import _output_of, start_web, stop

    web, url = start_web(mode)
    try:
        for _ in range(3):
            assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
    finally:
        stop(web)
    lines = [line for line in _output_of(web).splitlines() if "/healthz" in line]
    assert len(lines) == 3 and all("pulse.request" in line for line in lines), lines


def test_json_lines_in_production_format():
    import json
    import logging

    from app.logs import JsonFormatter

    record = logging.LogRecord("pulse.request", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.request_id, record.status = "r1", 200
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /x" and line["request_id"] == "r1" and line["status"] == 200
    assert line["time"].endswith("Z") and line["level"] == "info"


def id_routes(app):
    """Every rule with an <int:...> part, with its methods."""
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, DatabaseIntConverter)]
        if ints:
            yield rule, ints


def test_big_ids_on_every_id_route_are_404(app, client):
    admin, mentor, student = make_user("admin"), make_user("mentor"), make_user()
    routes = list(id_routes(app))
    assert len(routes) >= 15
    for rule, ints in routes:
        for value in (BIG, str(INT_MAX + 1), str(2**63)):
            path = rule.rule
            for name in ints:
                path = path.replace(f"<int:{name}>", value)
            path = path.replace("<string:entity_type>", "schedule").replace("<entity_type>", "schedule")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                for user in (admin, mentor, student):
                    res = client.open(path, method=method, json={}, headers=auth_for(user))
                    assert res.status_code == 404, (method, path, res.status_code, res.get_json())
                    assert res.get_json()["error"]["code"] == "not_found"


def test_big_integers_in_bodies_and_query_strings_are_422(client):
    admin, mentor, student = make_user("admin"), make_user("mentor"), make_user()
    for value in (2**31, 2**63, int(BIG)):
        cases = [
            (client.get, f"/api/v1/notifications?before_id={value}", student, None),
            (client.get, f"/api/v1/notifications?since_id={value}", student, None),
            (client.get, f"/api/v1/mentor/notifications?before_id={value}", mentor, None),
            (client.get, f"/api/v1/tasks?student_id={value}", mentor, None),
            (client.put, f"/api/v1/admin/students/{student.id}/mentor", admin, {"mentor_id": value}),
            (client.post, "/api/v1/tasks", mentor, {"student_id": value, "title": "t"}),
        ]
        for call, path, user, body in cases:
            kwargs = {"json": body} if body is not None else {}
            res = call(path, headers=auth_for(user), **kwargs)
            assert res.status_code == 422, (path, value, res.status_code, res.get_json())
            assert "2147483647" in str(res.get_json()["error"]["details"])
    res = client.post(
        "/api/v1/chatbot/intents",
        json={"message": "m", "intent": "greeting", "confidence": 0.5, "student_id": 2**63},
        headers={"X-Chatbot-Key": "test-chatbot-key"},
    )
    assert res.status_code == 422


@pytest.mark.parametrize("depth", [50_000, 100])
def test_deeply_nested_json_is_400(client, depth):
    student = make_user()
    body = "[" * depth + "]" * depth
    res = client.post(
        "/api/v1/auth/logout", data=body, headers={**auth_for(student), "Content-Type": "application/json"}
    )
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "json_too_deep"
    # and the token was not revoked by the refused request
    assert client.get("/api/v1/auth/me", headers=auth_for(student)).status_code == 200


def test_csv_export_escapes_hostile_titles_and_names(client, app):
    from app.extensions import db
    from app.services.notifications import inbox as notifications
    from app.services.shared.transaction import commit

    hostile = ['=HYPERLINK("http://evil.test","x")', "+1+2", "-2+3", "@SUM(A1:A9)", "\tcmd", "\rcmd", "plain"]
    student = make_user(name="=cmd|' /C calc'!A0")
    for title in hostile:
        notifications.notify(student, "info", title, body=title)
    commit()
    headers, name = auth_for(student), student.name  # read before the session goes
    db.session.remove()
    res = client.get("/api/v1/notifications/export", headers=headers)
    assert res.status_code == 200
    rows = list(csv.reader(io.StringIO(res.get_data(as_text=True))))
    titles = [row[2] for row in rows[1:]]
    assert titles == ["'" + t if t != "plain" else t for t in hostile]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

    from app.services.shared.csv_safe import safe_cell

    assert safe_cell(name) == "'=cmd|' /C calc'!A0" and safe_cell(-3) == -3 and safe_cell(None) is None


def test_logout_with_a_garbage_refresh_token_is_422_and_revokes_nothing(client):
    make_user(email="s@example.test")
    tokens = client.post("/api/v1/auth/login", json={"email": "s@example.test", "password": PASSWORD}).get_json()
    other = make_user(email="o@example.test")
    other_tokens = client.post("/api/v1/auth/login", json={"email": "o@example.test", "password": PASSWORD}).get_json()
    for garbage in ("garbage", tokens["access_token"], other_tokens["refresh_token"]):
        res = client.post(
            "/api/v1/auth/logout", json={"refresh_token": garbage}, headers=bearer(tokens["access_token"])
        )
        assert res.status_code == 422, res.get_json()
        error = res.get_json()["error"]
        assert error["code"] == "invalid_refresh_token" and "refresh_token" in error["details"]
        assert "Not enough segments" not in str(error)  # no PyJWT internals
    assert client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code == 200
    assert other.id
    ok = client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=bearer(tokens["access_token"])
    )
    assert ok.status_code == 204
    assert client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code == 401


def test_login_takes_as_long_for_an_unknown_email_as_for_a_known_one(client):
    make_user(email="known@example.test")

    def timed(email):
        started = time.perf_counter()
        res = client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-password"})
        assert res.status_code == 401
        return time.perf_counter() - started

    timed("warm-up@example.test")
    known, unknown = [], []
    for i in range(5):  # interleaved, so load on the machine hits both alike
        known.append(timed("known@example.test"))
        unknown.append(timed(f"nobody-{i}@example.test"))
    ratio = statistics.median(unknown) / statistics.median(known)
    # Before the fix an unknown email answered ~15 times faster; now both hash a password.
    assert 0.5 < ratio < 2, (known, unknown)
