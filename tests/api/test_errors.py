"""Every error is the contract's JSON shape. Walks the URL map so new routes are covered."""

import re

import pytest

from tests.helpers import auth_for, make_user


def assert_error_shape(res, status):
    assert res.status_code == status, res.get_data(as_text=True)
    assert res.mimetype == "application/json"
    error = res.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert re.fullmatch(r"[a-z_]+", error["code"]) and error["message"]
    return error


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith("api-docs"):
            path = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
            yield rule, path


# The certificate check is public by the contract: anyone holding a code may verify it.
PUBLIC = {"/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/certificates/verify/<string:code>"}


def test_every_protected_route_answers_401_json_without_a_token(app, client):
    checked = 0
    for rule, path in api_routes(app):
        if rule.rule in PUBLIC:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            res = client.open(path, method=method, json={} if method in ("POST", "PUT", "PATCH") else None)
            assert_error_shape(res, 401)
            checked += 1
    assert checked >= 5


def test_every_route_answers_405_json_for_a_wrong_method(app, client):
    checked = 0
    for rule, path in api_routes(app):
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - rule.methods:
            # another rule may serve this path with that method
            adapter = app.url_map.bind("localhost")
            try:
                adapter.match(path, method=method)
                continue
            except Exception:
                pass
            assert_error_shape(client.open(path, method=method), 405)
            checked += 1
    assert checked >= 5


def test_404_400_415_413_422_are_json(app, client):
    assert_error_shape(client.get("/api/v1/nowhere"), 404)
    assert_error_shape(client.get("/nowhere"), 404)
    bad_json = client.post("/api/v1/auth/login", data="{nope", content_type="application/json")
    assert assert_error_shape(bad_json, 400)["code"] == "invalid_json"
    assert_error_shape(client.post("/api/v1/auth/login", data="a=b", content_type="text/plain"), 415)
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    assert_error_shape(client.post("/api/v1/auth/login", data=huge, content_type="application/json"), 413)
    error = assert_error_shape(client.post("/api/v1/auth/login", json=["not", "an", "object"]), 422)
    assert error["details"]
    error = assert_error_shape(client.post("/api/v1/auth/login", json={"email": 5}), 422)
    assert error["details"]["email"] and error["details"]["password"]


def test_403_409_are_json(client):
    student = make_user()
    assert_error_shape(client.post("/api/v1/admin/cohorts", json={"name": "x"}, headers=auth_for(student)), 403)
    make_user(email="dup@example.test")
    res = client.post(
        "/api/v1/auth/register", json={"email": "dup@example.test", "password": "long-enough", "name": "D"}
    )
    assert_error_shape(res, 409)


@pytest.fixture
def crashing_app():
    from app import create_app

    app = create_app("testing", PROPAGATE_EXCEPTIONS=False)

    @app.get("/api/v1/test-crash")
    def crash():
        raise RuntimeError("boom")

    return app


def test_unexpected_errors_are_a_json_500(crashing_app):
    res = crashing_app.test_client().get("/api/v1/test-crash")
    error = assert_error_shape(res, 500)
    assert "boom" not in error["message"]  # internals stay in the log


def test_openapi_spec_is_served(client):
    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    assert "/api/v1/auth/login" in res.get_json()["paths"]


def test_health_probes(client, make_app):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json()["checks"] == {"database": True, "redis": True}
    down = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/readyz")
    assert down.status_code == 503 and down.get_json()["error"]["details"]["redis"] is False
