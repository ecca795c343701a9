"""The spec's shape for every operation (present and future blueprints), the Socket.IO
limits, rq-dashboard for admins only, and Sentry when SENTRY_DSN is set."""

import base64
import gzip
import http.server
import subprocess
import sys
import threading
import time

from tests.conftest import ROOT, child_env, start_web, stop
from tests.helpers import PASSWORD, auth_for, make_user, token_for

ERROR_REF = "#/components/schemas/Error"


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation


def test_every_operation_documents_its_success_the_error_envelope_and_its_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["components"]["securitySchemes"]) == {"bearerAuth", "chatbotKey"}
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message", "details"}
    ops = list(operations(spec))
    assert len(ops) >= 40
    for method, path, op in ops:
        name = f"{method} {path}"
        successes = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        assert successes, name
        for status, response in successes.items():
            assert status == "204" or response.get("content"), name
        for status in ("429", "500", "default"):
            assert status in op["responses"], (name, status)
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")) or status == "default":
                if "$ref" in response:
                    continue  # flask-smorest's shared responses, built on the same schema
                assert response["content"]["application/json"]["schema"]["$ref"] == ERROR_REF, (name, status)
        assert "security" in op, name
        if op["security"]:
            assert "401" in op["responses"], name
        if "{" in path:
            assert "404" in op["responses"], name
            for param in op.get("parameters", []):
                if param["in"] == "path" and param["schema"].get("type") == "integer":
                    assert param["schema"]["maximum"] == 2**31 - 1, name
    by_name = {f"{m} {p}": op for m, p, op in ops}
    assert by_name["POST /api/v1/auth/login"]["security"] == []
    assert by_name["POST /api/v1/auth/register"]["security"] == []
    assert {"chatbotKey": []} in by_name["POST /api/v1/chatbot/intents"]["security"]
    assert by_name["GET /api/v1/auth/me"]["security"] == [{"bearerAuth": []}]
    assert "text/csv" in by_name["GET /api/v1/notifications/export"]["responses"]["200"]["content"]
    # flask-smorest's own responses point at the same envelope.
    for ref in ("DEFAULT_ERROR", "UNPROCESSABLE_CONTENT"):
        shared = spec["components"]["responses"].get(ref)
        if shared is not None:
            assert shared["content"]["application/json"]["schema"]["$ref"] == ERROR_REF


def test_socket_events_are_limited_per_user_and_messages_capped(app, live_client):
    with app.app_context():
        student = make_user()
        token = token_for(student)
    proc, url = start_web("eventlet", SOCKET_EVENT_LIMIT="3", SOCKET_EVENT_WINDOW="60", SOCKET_MAX_MESSAGE_BYTES="2000")
    try:
        client = live_client(url)
        client.connect(token)
        answers = [client.sio.call("sync", {"last_id": 0}, timeout=5) for _ in range(4)]
        assert all("items" in a for a in answers[:3]), answers
        assert answers[3]["error"]["code"] == "rate_limited"
        other = live_client(url)  # the limit is per user: another socket is no fresh budget
        other.connect(token)
        assert other.sio.call("sync", {"last_id": 0}, timeout=5)["error"]["code"] == "rate_limited"
        fresh = token_for_new_student(app)
        someone = live_client(url)
        someone.connect(fresh)
        assert "items" in someone.sio.call("sync", {"last_id": 0}, timeout=5)
        assert someone.sio.call("sync", {"last_id": 2**31}, timeout=5)["error"]["code"] == "validation_error"
        # A message over the cap: the server drops the connection instead of reading it.
        big = live_client(url)
        big.connect(fresh)
        big.sio.emit("sync", {"last_id": 0, "pad": "x" * 10_000})
        deadline = time.monotonic() + 10
        while big.sio.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not big.sio.connected
    finally:
        stop(proc)


def token_for_new_student(app):
    with app.app_context():
        return token_for(make_user())


def basic(email, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def test_rq_dashboard_is_for_admins_only(client, make_app):
    admin = make_user("admin", email="ops@example.test")
    mentor = make_user("mentor", email="mentor@example.test")
    anonymous = client.get("/admin/rq/")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/admin/rq/", headers=basic("mentor@example.test", PASSWORD)).status_code == 401
    assert client.get("/admin/rq/", headers=auth_for(mentor)).status_code == 401
    assert client.get("/admin/rq/", headers=basic("ops@example.test", "wrong")).status_code == 401
    page = client.get("/admin/rq/", headers=basic("ops@example.test", PASSWORD))
    assert page.status_code == 200 and b"RQ" in page.data
    assert client.get("/admin/rq/0/data/queues.json", headers=auth_for(admin)).status_code == 200
    # Guessing an admin's password through the dashboard meets the login limit.
    limited = make_app(LOGIN_ACCOUNT_RATE_LIMIT="2 per 15 minutes").test_client()
    statuses = [limited.get("/admin/rq/", headers=basic("ops@example.test", "guess")).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


class _FakeSentry(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


SENTRY_SCRIPT = """
from app import create_app
from app.logs import init_sentry
import sentry_sdk
app = create_app("testing", PROPAGATE_EXCEPTIONS=False)
assert init_sentry(app.config)

@app.get("/api/v1/test-crash")
def crash():
    raise RuntimeError("sentry-test-boom")

assert app.test_client().get("/api/v1/test-crash").status_code == 500
sentry_sdk.flush(timeout=10)
"""


def test_errors_go_to_sentry_when_sentry_dsn_is_set():
    server = http.server.HTTPServer(("127.0.0.1", 0), _FakeSentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
        result = subprocess.run(
            [sys.executable, "-c", SENTRY_SCRIPT],
            cwd=ROOT,
            env=child_env(SENTRY_DSN=dsn),
            capture_output=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr.decode()[-3000:]
    finally:
        server.shutdown()
    assert any(path == "/api/42/envelope/" and b"sentry-test-boom" in body for path, body in _FakeSentry.received)
