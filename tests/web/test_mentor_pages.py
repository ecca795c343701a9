"""The mentor's console with Flask's test client: the banner on every page, acknowledge
and resolve, the bell, the students and insights, and who may open what."""

import pytest

from app.extensions import db
from app.models import CrisisAlert, Notification, OutboxEvent
from tests import factories
from tests.helpers import crisis
from tests.web.pages import HX, sign_in


def _raise(client, student):
    return crisis(client, student)["alert"]["id"]


def test_an_open_alert_is_a_banner_on_every_mentor_page_and_counts_in_the_bell(mentor_client):
    c = mentor_client
    alert_id = _raise(c, c.student)
    for path in ("/mentor", "/mentor/alerts", f"/mentor/alerts/{alert_id}", f"/mentor/students/{c.student.id}"):
        html = c.get(path).get_data(as_text=True)
        assert 'data-testid="crisis-alert"' in html and c.student.name in html, path
        assert 'data-open-count="1"' in html
        assert "1 unread notification<" in html
    banner = c.get("/mentor/_crisis").get_data(as_text=True)
    assert "killing myself" in banner and "Told: you" in banner and "Acknowledge" in banner


def test_acknowledge_from_the_banner_answers_the_banner_and_tells_mentor_and_admins(mentor_client):
    c = mentor_client
    alert_id = _raise(c, c.student)
    headers = {**HX, "HX-Target": "crisis-banner", "X-CSRFToken": c.token}
    response = c.post(f"/mentor/alerts/{alert_id}/acknowledge", headers=headers)
    assert response.status_code == 200
    assert 'data-open-count="0"' in response.get_data(as_text=True)
    assert db.session.get(CrisisAlert, alert_id).status == "acknowledged"
    rooms = {e.room for e in db.session.query(OutboxEvent).filter_by(event="alert:updated")}
    assert rooms == {f"mentor:{c.mentor.id}", "admins"}


@pytest.mark.parametrize("outcome", ["supported", "referred", "false_alarm"])
def test_resolve_with_each_outcome_from_the_alert_page(mentor_client, outcome):
    c = mentor_client
    alert_id = _raise(c, c.student)
    headers = {**HX, "HX-Target": "alert-detail", "X-CSRFToken": c.token}
    response = c.post(
        f"/mentor/alerts/{alert_id}/resolve", data={"outcome": outcome, "note": "Called them"}, headers=headers
    )
    assert response.status_code == 200
    assert 'data-testid="alert-outcome"' in response.get_data(as_text=True)
    alert = db.session.get(CrisisAlert, alert_id)
    assert (alert.status, alert.outcome, alert.resolution_note) == ("resolved", outcome, "Called them")


def test_resolve_without_a_note_or_outcome_is_a_readable_422(mentor_client):
    c = mentor_client
    alert_id = _raise(c, c.student)
    headers = {**HX, "X-CSRFToken": c.token}
    bad = c.post(f"/mentor/alerts/{alert_id}/resolve", data={"outcome": "supported", "note": " "}, headers=headers)
    assert bad.status_code == 422 and "Write a note" in bad.get_json()["error"]["message"]
    bad = c.post(f"/mentor/alerts/{alert_id}/resolve", data={"outcome": "maybe", "note": "x"}, headers=headers)
    assert bad.status_code == 422
    page = c.post(f"/mentor/alerts/{alert_id}/resolve", data={"csrf_token": c.token, "note": "x"})
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)


def test_a_form_without_javascript_goes_to_the_alert_page(mentor_client):
    c = mentor_client
    alert_id = _raise(c, c.student)
    response = c.post(f"/mentor/alerts/{alert_id}/acknowledge", data={"csrf_token": c.token})
    assert response.status_code == 303 and response.headers["Location"] == f"/mentor/alerts/{alert_id}"


def test_the_alert_page_shows_the_trigger_and_steps(mentor_client):
    c = mentor_client
    alert_id = _raise(c, c.student)
    html = c.get(f"/mentor/alerts/{alert_id}").get_data(as_text=True)
    for text in (
        "killing myself",
        "Chatbot label",
        "crisis",
        "95 %",
        "Why the text check fired",
        "created",
        "notified",
    ):
        assert text in html


def test_without_the_csrf_token_state_changes_are_refused(mentor_client):
    c = mentor_client
    alert_id = _raise(c, c.student)
    assert c.post(f"/mentor/alerts/{alert_id}/acknowledge", headers=HX).status_code == 400
    assert c.post("/mentor/notifications/read-all", headers=HX).status_code == 400
    assert db.session.get(CrisisAlert, alert_id).status == "open"


def test_mark_read_and_read_all_answer_the_count(mentor_client):
    c = mentor_client
    ids = [factories.notification(c.mentor).id for _ in range(11)]
    assert "9+" in c.get("/mentor").get_data(as_text=True)
    headers = {**HX, "X-CSRFToken": c.token}
    assert c.post(f"/mentor/notifications/{ids[0]}/read", headers=headers).get_json() == {"unread_count": 10}
    assert c.post("/mentor/notifications/read-all", headers=headers).get_json() == {"unread_count": 0}
    events = db.session.query(OutboxEvent).filter_by(event="notifications:read").count()
    assert events == 2
    assert db.session.query(Notification).filter(Notification.read_at.is_(None)).count() == 0


def test_someone_elses_notification_is_404(mentor_client):
    other = factories.notification(factories.mentor())
    response = mentor_client.post(
        f"/mentor/notifications/{other.id}/read", headers={**HX, "X-CSRFToken": mentor_client.token}
    )
    assert response.status_code == 404


def test_the_inbox_filters_by_type_and_says_what_to_do_when_empty(mentor_client):
    c = mentor_client
    factories.notification(c.mentor, type="task_completed", title="Task done")
    html = c.get("/mentor/_inbox?type=crisis_alert").get_data(as_text=True)
    assert "Task done" not in html and "Nothing of this type" in html
    assert "Task done" in c.get("/mentor/_inbox").get_data(as_text=True)
    assert c.get("/mentor/_inbox?type=nope", headers=HX).status_code == 422


def test_the_export_is_csv(mentor_client):
    factories.notification(mentor_client.mentor, title="Exported")
    response = mentor_client.get("/mentor/notifications/export")
    assert response.mimetype == "text/csv" and "Exported" in response.get_data(as_text=True)


def test_students_list_and_empty_state(client):
    mentor = factories.mentor()
    sign_in(client, mentor)
    assert "No students are assigned to you yet" in client.get("/mentor").get_data(as_text=True)
    student = factories.student(mentor=mentor)
    assert student.name in client.get("/mentor/_students").get_data(as_text=True)
    html = client.get(f"/mentor/students/{student.id}").get_data(as_text=True)
    assert 'data-testid="freshness"' in html


def test_another_mentors_student_and_alert_are_404(mentor_client):
    c = mentor_client
    other = factories.student(mentor=factories.mentor())
    alert_id = _raise(c, other)
    assert c.get(f"/mentor/students/{other.id}").status_code == 404
    assert c.get(f"/mentor/alerts/{alert_id}").status_code == 404
    assert c.post(f"/mentor/alerts/{alert_id}/acknowledge", headers={**HX, "X-CSRFToken": c.token}).status_code == 404


@pytest.mark.parametrize(
    "path", ["/mentor", "/mentor/alerts", "/mentor/_crisis", "/mentor/_inbox", "/mentor/students/1"]
)
def test_a_student_gets_403_and_anonymous_goes_to_login(client, path):
    assert client.get(path).status_code == 302
    sign_in(client, factories.student())
    assert client.get(path).status_code == 403


def test_the_students_table_counts_entries_to_review_tasks_and_the_next_session(client):
    from datetime import timedelta

    from app.models import utcnow

    mentor = factories.mentor()
    student = factories.student(mentor=mentor)
    factories.entry(student, status="pending")
    factories.entry(student, status="approved")
    factories.task(student, mentor=mentor)
    factories.task(student, mentor=mentor)
    factories.schedule(mentor, start=utcnow() + timedelta(days=1), student=student)
    sign_in(client, mentor)
    html = client.get("/mentor/_students").get_data(as_text=True)
    assert 'data-testid="entries-to-review">1<' in html
    assert 'data-testid="open-tasks">2<' in html
    assert "none booked" not in html and " UTC" in html
