"""The student's pages with Flask's test client: each renders from the same services as the
API, refuses other roles (403) and other students' rows (404), and its forms act."""

import re

import pytest

from app.services.academy import certificates
from tests import factories
from tests.academy.helpers import complete, enrol, make_course
from tests.helpers import auth_for
from tests.web.pages import csrf_token, sign_in

PAGES = [
    "/student",
    "/student/_dashboard",
    "/student/entries",
    "/student/courses",
    "/student/certificates",
    "/student/settings",
]


def _student(client, **columns):
    student = factories.student(mentor=factories.mentor(), **columns)
    sign_in(client, student)
    return student


def _post(client, path, data=None, htmx=False):
    token = csrf_token(client, "/student/settings")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(path, data={"csrf_token": token, **(data or {})}, headers=headers)


@pytest.mark.parametrize("path", PAGES)
def test_every_student_page_renders_for_a_student(client, path):
    _student(client)
    response = client.get(path)
    assert response.status_code == 200, path


@pytest.mark.parametrize("role", ["mentor", "educator", "admin"])
def test_other_roles_get_403_on_student_pages(client, role):
    sign_in(client, factories.user(role))
    for path in PAGES + ["/student/entries/1", "/student/courses/1"]:
        assert client.get(path).status_code == 403, path


def test_anonymous_goes_to_login(client):
    response = client.get("/student/courses")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?reason=sign_in")


def test_dashboard_shows_the_aggregate_tasks_schedule_and_masking(client):
    student = _student(client)
    factories.cohort(student)
    factories.task(student, mentor=factories.mentor(), title="Open task")
    factories.task(student, title="Finished task", status="done")
    factories.notification(student, title="Hello there")
    html = client.get("/student").get_data(as_text=True)
    assert "Open task" in html and "Show 1 completed" in html
    assert "Hello there" in html and '1<span class="visually-hidden"> unread notifications' in html
    assert 'data-testid="masked"' in html  # a free student sees what an upgrade would show
    assert "Updated just now" in html
    assert 'data-live-on="dashboard:updated' in html
    assert 'data-testid="no-cohort"' not in html


def test_no_cohort_lists_open_cohorts_and_joining_one_works(client):
    from app.services.identity import cohorts as cohort_service

    _student(client)
    open_one = cohort_service.create_cohort("Open Tuesday", is_open=True)
    coded = cohort_service.create_cohort("Coded", join_code="SECRET-1")
    html = client.get("/student").get_data(as_text=True)
    assert 'data-testid="no-cohort"' in html and "Join Open Tuesday" in html and "Join code for Coded" in html
    assert _post(client, "/student/cohorts/join", {"cohort_id": coded.id, "code": "wrong"}).status_code == 403
    assert _post(client, "/student/cohorts/join", {"cohort_id": "x"}).status_code == 422
    response = _post(client, "/student/cohorts/join", {"cohort_id": open_one.id}, htmx=True)
    assert response.status_code == 200 and 'data-testid="no-cohort"' not in response.get_data(as_text=True)


def test_expiring_access_shows_a_warning(client):
    from datetime import timedelta

    from app.models import utcnow

    _student(client, enhanced_access_until=utcnow() + timedelta(days=3))
    html = client.get("/student").get_data(as_text=True)
    assert 'data-testid="access-warning"' in html and "enhanced access ends" in html


def test_entries_write_view_comment_and_someone_elses_is_404(client):
    _student(client)
    assert _post(client, "/student/entries", {"title": ""}).status_code == 422
    response = _post(client, "/student/entries", {"title": "Built a parser", "body": "With tests"}, htmx=True)
    assert "Built a parser" in response.get_data(as_text=True) and "Waiting for review" in response.get_data(
        as_text=True
    )
    entry_id = int(re.search(r'data-entry-id="(\d+)"', response.get_data(as_text=True)).group(1))
    response = _post(client, f"/student/entries/{entry_id}/comments", {"body": "Any feedback?"}, htmx=True)
    assert "Any feedback?" in response.get_data(as_text=True)
    other = factories.entry(factories.student(), title="Not mine")
    assert client.get(f"/student/entries/{other.id}").status_code == 404


def test_courses_enrol_free_complete_lessons_progress_and_certificate(client, run_worker):
    student = _student(client)
    course, lessons, _ = make_course(client, factories.user("educator"), lessons=2)
    html = client.get("/student/courses").get_data(as_text=True)
    assert 'data-testid="empty-courses"' in html and f"Enrol in {course['title']}" in html
    response = _post(client, f"/student/courses/{course['id']}/enrol", htmx=True)
    assert 'aria-valuenow="0"' in response.get_data(as_text=True) and "Begin" in response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "courses-changed"  # the catalogue refreshes its button
    catalogue = client.get("/student/courses/_catalogue").get_data(as_text=True)
    assert "Enrolled" in catalogue and f"Enrol in {course['title']}" not in catalogue
    page = client.get(f"/student/courses/{course['id']}").get_data(as_text=True)
    assert "Lesson 1" in page and "Read this." in page and 'role="progressbar"' in page
    response = _post(
        client, f"/student/courses/{course['id']}/lessons/{lessons[0]}/complete?lesson={lessons[0]}", htmx=True
    )
    assert 'aria-valuenow="50"' in response.get_data(as_text=True)
    assert "Resume" in client.get("/student/courses?filter=in_progress").get_data(as_text=True)
    assert client.get("/student/courses?filter=nonsense").status_code == 404
    complete(client, student, course["id"], lessons[1])
    run_worker()
    html = client.get("/student/certificates").get_data(as_text=True)
    code = re.search(r"/verify/([A-Z0-9-]+)", html).group(1)
    assert certificates.verify(code).course_title == course["title"]
    cert_id = re.search(r"/student/certificates/(\d+)\.pdf", html).group(1)
    pdf = client.get(f"/student/certificates/{cert_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_someone_elses_certificate_is_404(client, run_worker):
    other = factories.student()
    course, lessons, _ = make_course(client, factories.user("educator"), lessons=1)
    enrol(client, other, course["id"])
    complete(client, other, course["id"], lessons[0])
    run_worker()
    _student(client)
    mine = client.get("/student/certificates").get_data(as_text=True)
    assert "/verify/" not in mine
    from app.extensions import db
    from app.models import Certificate

    cert = db.session.query(Certificate).first()
    assert client.get(f"/student/certificates/{cert.id}.pdf").status_code == 404


def test_paid_course_report_payment_waits_then_rejection_shows_the_reason(client):
    _student(client)
    course, _, _ = make_course(client, factories.user("educator"), price=25)
    html = _post(client, f"/student/courses/{course['id']}/enrol", htmx=True).get_data(as_text=True)
    assert "Report payment" in html and "25.00" in html
    enrolment_id = int(re.search(r"/student/enrolments/(\d+)/payment", html).group(1))
    assert (
        _post(client, f"/student/enrolments/{enrolment_id}/payment", {"reference": "", "amount": "25"}).status_code
        == 422
    )
    html = _post(
        client, f"/student/enrolments/{enrolment_id}/payment", {"reference": "TX-1", "amount": "25.00"}, htmx=True
    ).get_data(as_text=True)
    assert "waiting for approval" in html
    admin = factories.admin()
    payment_id = client.get("/api/v1/admin/payments", headers=auth_for(admin)).get_json()["items"][0]["id"]
    client.post(
        f"/api/v1/admin/payments/{payment_id}/reject", json={"note": "No such transfer"}, headers=auth_for(admin)
    )
    html = client.get("/student/courses/_mine").get_data(as_text=True)
    assert "No such transfer" in html and "Report payment" in html


def test_public_verify_needs_no_sign_in_and_says_unknown_codes(client):
    response = client.get("/verify/NOPE-NOPE")
    assert response.status_code == 404 and "No certificate has this code." in response.get_data(as_text=True)


def test_settings_save_profile_and_preferences_crisis_stays_on(client):
    from app.services.notifications import preferences

    student = _student(client)
    html = client.get("/student/settings").get_data(as_text=True)
    assert re.search(r'value="crisis_alert\.email"[^>]*checked[^>]*disabled', html)
    assert _post(client, "/student/settings/profile", {"name": "New Name", "timezone": "Mars/Base"}).status_code == 422
    assert (
        _post(client, "/student/settings/profile", {"name": "New Name", "timezone": "Europe/Berlin"}).status_code == 302
    )
    # a form with nothing ticked (a tampered one too) turns the others off, never the crisis types
    assert _post(client, "/student/settings/notifications", {"email_digest": "weekly"}).status_code == 302
    prefs = preferences.get(student)
    assert prefs["types"]["crisis_alert"] == {"in_app": True, "email": True}
    assert prefs["types"]["comment_added"] == {"in_app": False, "email": False}
    assert prefs["email_digest"] == "weekly"
    assert _post(client, "/student/settings/notifications", {"email_digest": "hourly"}).status_code == 422


def test_sign_out_everywhere_ends_this_session_and_api_tokens(client):
    student = _student(client)
    headers = auth_for(student)
    assert client.get("/api/v1/student/dashboard", headers=headers).status_code == 200
    response = _post(client, "/student/settings/sign-out-everywhere")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/student").status_code == 302
    assert client.get("/api/v1/student/dashboard", headers=headers).status_code == 401
    sign_in(client, student)
    assert client.get("/student").status_code == 200


def test_the_emails_settings_link_sends_each_person_to_their_settings(client):
    assert client.get("/settings").headers["Location"].startswith("/login?reason=sign_in&next=/settings")
    _student(client)
    assert client.get("/settings").headers["Location"] == "/student/settings"


def test_emails_link_to_pages_and_not_to_the_api(app):
    from types import SimpleNamespace

    from app.services.notifications.mail import compose

    for template in ("enrolment_confirmed", "payment_approved", "payment_rejected", "certificate_issued", "digest"):
        row = SimpleNamespace(
            id=1,
            template=template,
            type=template,
            to_address="s@example.test",
            critical=False,
            context={
                "title": "T",
                "body": "B",
                "certificate_id": 1,
                "code": "ABCD",
                "verify_path": "/verify/ABCD",
                "items": [],
                "timezone": "UTC",
            },
        )
        with app.test_request_context():
            message = compose.build(row, "Sam")
        text = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
        assert "/api/" not in text, template
        assert "/settings" in message["List-Unsubscribe"]


def test_make_run_gives_emails_the_port_it_serves_on():
    import subprocess

    out = subprocess.run(["make", "-n", "run", "PORT=5123"], capture_output=True, text=True, check=True).stdout
    assert "PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:5123}" in out
