"""Outside providers: a configured URL swaps in an HTTP client; a failing one leaves a stale section."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.extensions import db
from app.services.dashboard.refresh import refresh_student
from tests.conftest import free_port
from tests.dashboard_seed import student_with_work
from tests.helpers import auth_for

URL = "/api/v1/student/dashboard"


class FakeService:
    """A tiny outside service: answers POSTs with `answer` (a dict), a status, or a delay."""

    def __init__(self):
        self.answer, self.status, self.delay, self.requests = {}, 200, 0, []
        self.token, self.authorizations = None, []  # with a token set, other callers get 401
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                service.requests.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                service.authorizations.append(self.headers.get("Authorization"))
                if service.token and self.headers.get("Authorization") != f"Bearer {service.token}":
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                time.sleep(service.delay)
                body = json.dumps(service.answer).encode()
                self.send_response(service.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # the timeout case: Pulse hangs up before the slow answer is written

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/section"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_service():
    service = FakeService()
    yield service
    service.close()


def premium_student():
    student = student_with_work()["student"]
    student.tier = "premium"
    db.session.commit()
    return student


def test_configured_services_replace_sections(make_app, fake_service):
    fake_service.answer = {"score": 91.5, "time_to_ready": 0, "trend_7d": "+4.0", "gaps": [], "text": "Great week!"}
    app = make_app(TALENTSCOPE_URL=fake_service.url, AI_COACH_URL=fake_service.url)
    with app.app_context():
        student = premium_student()
        body = app.test_client().get(URL, headers=auth_for(student)).get_json()
    assert body["readiness"]["score"] == 91.5 and "stale" not in body["readiness"]
    assert body["ai_nudge"] == {"text": "Great week!", "rule": "ai_coach", "source": "ai_coach"}
    sent = {r["section"]: r for r in fake_service.requests}
    assert sent["readiness"]["student_id"] == student.id
    assert sent["ai_nudge"]["state"]["readiness"]["score"] == 91.5  # the coach sees the state
    assert body["cards"]["missions"]["open"] == 2  # unconfigured sources stay local


@pytest.mark.parametrize("failure", ["status", "timeout", "refused", "not_an_object"])
def test_failing_provider_keeps_the_last_good_value_marked_stale(make_app, fake_service, failure):
    good = make_app()
    with good.app_context():
        student = premium_student()
        refresh_student(student.id, "first")  # local, good
        student_id = student.id
    url = fake_service.url
    if failure == "status":
        fake_service.status = 503
    elif failure == "timeout":
        fake_service.delay = 1.0
    elif failure == "refused":
        url = f"http://127.0.0.1:{free_port()}/nothing"
    else:
        fake_service.answer = ["not", "an", "object"]
    app = make_app(TALENTSCOPE_URL=url, LEADERBOARD_URL=url, PROVIDER_TIMEOUT=0.2)
    with app.app_context():
        data = refresh_student(student_id, "with a broken service")
        assert data["readiness"]["stale"] is True and data["readiness"]["stale_source"] == "talentscope"
        assert data["readiness"]["score"] == 20.0  # the last good value
        from app.models import User

        res = app.test_client().get(URL, headers=auth_for(db.session.get(User, student_id)))
    assert res.status_code == 200
    body = res.get_json()
    assert body["readiness"]["stale"] is True and body["readiness"]["score"] == 20.0
    assert body["leaderboard"]["stale"] is True and body["leaderboard"]["rank"] == 1
    assert "stale" not in body["cards"]["missions"] and "stale" not in body["today"]


def test_failing_provider_at_cold_start_still_answers(make_app):
    app = make_app(TALENTSCOPE_URL=f"http://127.0.0.1:{free_port()}/nothing")
    with app.app_context():
        student = premium_student()
        res = app.test_client().get(URL, headers=auth_for(student))
    assert res.status_code == 200
    body = res.get_json()
    assert body["readiness"] == {"stale": True, "stale_source": "talentscope"}
    assert body["today"]["primary_action"]["type"] == "overdue_task"


def test_outside_services_get_their_bearer_token(make_app, fake_service):
    fake_service.token = "s3cret-talentscope"
    fake_service.answer = {"score": 77.0, "time_to_ready": 3, "trend_7d": "+1.0", "gaps": []}
    without = make_app(TALENTSCOPE_URL=fake_service.url)
    with without.app_context():
        student = premium_student()
        body = without.test_client().get(URL, headers=auth_for(student)).get_json()
    assert body["readiness"]["stale"] is True  # refused: 401 from the service
    assert fake_service.authorizations == [None]
    with_token = make_app(TALENTSCOPE_URL=fake_service.url, TALENTSCOPE_TOKEN="s3cret-talentscope")
    with with_token.app_context():
        refresh_student(student.id)
        body = with_token.test_client().get(URL, headers=auth_for(student)).get_json()
    assert body["readiness"]["score"] == 77.0 and "stale" not in body["readiness"]
    assert fake_service.authorizations[-1] == "Bearer s3cret-talentscope"
