"""The students table's at-risk reasons, the insights drawer, and "Report a missed message"
(issue 25) with Flask's test client, the not-allowed paths included."""

import pytest

from app.extensions import db
from app.models import MissedCrisisReport, StudentPerformanceSummary
from tests import factories
from tests.web.pages import HX, csrf_token, sign_in


@pytest.fixture
def mc(client):
    mentor = factories.mentor()
    student = factories.student(mentor=mentor, name="Ada Lovelace")
    sign_in(client, mentor)
    client.mentor, client.student = mentor, student
    client.token = csrf_token(client, "/mentor")
    return client


def at_risk(student, *reasons):
    db.session.add(StudentPerformanceSummary(student_id=student.id, average=48.0, at_risk_reasons=list(reasons)))
    db.session.commit()


def test_the_students_table_says_why_a_student_is_at_risk(mc):
    calm = factories.student(mentor=mc.mentor, name="Brian Calm")
    at_risk(mc.student, "low_attendance", "below_pass_mark")
    at_risk(calm)  # a summary with no reasons: not at risk
    html = mc.get("/mentor/_students").get_data(as_text=True)
    assert "At risk</th>" in html
    assert "attendance below 75% over the last 30 days" in html
    assert "average below the pass mark (60%)" in html
    assert html.count('data-testid="at-risk"') == 1


def test_a_students_name_opens_the_drawer_and_stays_a_real_link(mc):
    html = mc.get("/mentor").get_data(as_text=True)
    sid = mc.student.id
    assert f'href="/mentor/students/{sid}" data-drawer-src="/mentor/students/{sid}/_drawer"' in html
    assert 'id="insights-drawer"' in html and 'aria-labelledby="insights-drawer-title"' in html


def test_the_drawer_shows_partial_figures_at_risk_and_the_report_button(mc):
    at_risk(mc.student, "falling_trend")
    body = mc.get(f"/mentor/students/{mc.student.id}/_drawer").get_data(as_text=True)
    assert "<html" not in body
    assert 'id="drawer-insights"' in body and f'data-live-src="/mentor/students/{mc.student.id}/_insights"' in body
    assert 'data-partial="true"' in body  # a cold cache: quick figures first, the job stores the full ones
    assert "a fall of 10 points or more in recent exams" in body
    assert "Report a missed message" in body and f"/mentor/students/{mc.student.id}/missed" in body


def test_full_insights_say_how_fresh_they_are(mc):
    from app.models import iso, utcnow
    from app.services.portal import insights
    from app.services.shared import cache

    cache.set_json(
        cache.insights_key(mc.student.id),
        {"insights": insights.full(mc.student.id), "computed_at": iso(utcnow())},
        cache.insights_ttl(),
    )
    body = mc.get(f"/mentor/students/{mc.student.id}/_insights").get_data(as_text=True)
    assert 'data-partial="false"' in body and "Updated <time data-ago" in body and "just now" in body


def test_another_mentors_student_has_no_drawer_and_no_report_form(mc):
    other = factories.student(mentor=factories.mentor())
    for path in (
        f"/mentor/students/{other.id}/_drawer",
        f"/mentor/students/{other.id}/missed",
        f"/mentor/students/{other.id}/_missed",
    ):
        assert mc.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "path", ["/mentor/students/1/_drawer", "/mentor/students/1/missed", "/mentor/students/1/_missed"]
)
def test_a_student_gets_403(client, path):
    sign_in(client, factories.student())
    assert client.get(path).status_code == 403


def test_report_a_missed_message_from_the_drawer(mc):
    quiet = factories.intent(mc.student, "i gave my cat to my sister, wont need her after friday")
    factories.intent(mc.student, "I feel unsafe", "crisis", 0.95, is_crisis=True)
    form = mc.get(f"/mentor/students/{mc.student.id}/_missed").get_data(as_text=True)
    assert "wont need her after friday" in form and "I feel unsafe" not in form  # alerted: nothing missed
    answer = mc.post(
        "/mentor/missed-crisis",
        data={"student_id": mc.student.id, "intent_id": quiet.id, "category": "farewell", "note": "Told me in person"},
        headers={**HX, "X-CSRFToken": mc.token},
    )
    assert answer.status_code == 200 and 'data-testid="missed-done"' in answer.get_data(as_text=True)
    report = db.session.query(MissedCrisisReport).one()
    assert (report.intent_id, report.category, report.note, report.reporter_id) == (
        quiet.id,
        "farewell",
        "Told me in person",
        mc.mentor.id,
    )
    assert "has no message to report" in answer.get_data(as_text=True)  # reported: no longer offered


def test_report_without_javascript_goes_to_a_confirmation_page(mc):
    quiet = factories.intent(mc.student, "saving my pills")
    answer = mc.post(
        "/mentor/missed-crisis",
        data={
            "csrf_token": mc.token,
            "student_id": mc.student.id,
            "intent_id": quiet.id,
            "category": "method_or_means",
        },
    )
    assert answer.status_code == 303
    page = mc.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Reported. Thank you" in page and db.session.query(MissedCrisisReport).one().note is None


def test_report_errors_are_readable(mc):
    quiet = factories.intent(mc.student, "saving my pills")
    headers = {**HX, "X-CSRFToken": mc.token}
    base = {"student_id": mc.student.id, "intent_id": quiet.id, "category": "method_or_means"}
    html = mc.post("/mentor/missed-crisis", data={**base, "category": "nope", "intent_id": ""}, headers=headers)
    text = html.get_data(as_text=True)
    assert "Choose what the message signals." in text and "Choose the message that should have alerted." in text
    long_note = mc.post("/mentor/missed-crisis", data={**base, "note": "x" * 2001}, headers=headers)
    assert "Keep the note under 2000 characters." in long_note.get_data(as_text=True)
    page = mc.post("/mentor/missed-crisis", data={**base, "category": "nope", "csrf_token": mc.token})
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    mc.post("/mentor/missed-crisis", data=base, headers=headers)
    again = mc.post("/mentor/missed-crisis", data=base, headers=headers)
    assert "This message has already been reported." in again.get_data(as_text=True)
    assert db.session.query(MissedCrisisReport).count() == 1


def test_report_only_for_the_mentors_own_students_and_with_the_csrf_token(mc):
    other = factories.student(mentor=factories.mentor())
    theirs = factories.intent(other, "saving my pills")
    headers = {**HX, "X-CSRFToken": mc.token}
    body = {"intent_id": theirs.id, "category": "method_or_means"}
    assert mc.post("/mentor/missed-crisis", data={**body, "student_id": other.id}, headers=headers).status_code == 404
    # their message under my student's id: the service's own check
    assert (
        mc.post("/mentor/missed-crisis", data={**body, "student_id": mc.student.id}, headers=headers).status_code == 404
    )
    mine = factories.intent(mc.student, "saving my pills")
    no_token = mc.post(
        "/mentor/missed-crisis", data={**body, "intent_id": mine.id, "student_id": mc.student.id}, headers=HX
    )
    assert no_token.status_code == 400
    assert db.session.query(MissedCrisisReport).count() == 0


def test_the_alert_page_has_the_report_button(mc):
    alert = factories.alert(mc.student)
    html = mc.get(f"/mentor/alerts/{alert.id}").get_data(as_text=True)
    assert "Report a missed message" in html and f'hx-get="/mentor/students/{mc.student.id}/_missed"' in html
