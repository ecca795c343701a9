"""Settings for every role: mentors, educators and admins have the same settings as students
(name, time zone, notification preferences, sign out everywhere) at /settings, under their
own role's navigation; students keep theirs inside their pages."""

import pytest
from playwright.sync_api import expect

from app.services.notifications import preferences
from tests import factories
from tests.web.browser import axe_violations
from tests.web.pages import csrf_token, sign_in

STAFF = ["mentor", "educator", "admin"]


def _post(client, path, data=None, page="/settings"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})})


@pytest.mark.parametrize("role", STAFF)
def test_staff_settings_page_renders_under_the_roles_navigation(client, role):
    person = factories.user(role)
    sign_in(client, person)
    response = client.get("/settings")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 class="h3">Settings</h1>' in html and 'value="' + person.name + '"' in html
    assert 'aria-current="page" href="/settings"' in html
    if role == "mentor":
        assert 'id="crisis-banner"' in html  # a crisis still shows on a mentor's every page


def test_a_student_is_sent_to_their_own_settings(client):
    sign_in(client, factories.student(mentor=factories.mentor()))
    assert client.get("/settings?saved=profile").headers["Location"] == "/student/settings?saved=profile"


def test_anonymous_settings_go_to_login(client):
    assert client.get("/settings").headers["Location"].startswith("/login?reason=sign_in&next=/settings")
    assert client.post("/settings/profile", data={"name": "X"}).status_code in (302, 400, 403)


@pytest.mark.parametrize("role", STAFF)
def test_staff_save_profile_and_preferences_and_bad_input_is_readable(client, role):
    person = factories.user(role)
    sign_in(client, person)
    response = _post(client, "/settings/profile", {"name": "New Name", "timezone": "Europe/Berlin"})
    assert response.status_code == 302 and response.headers["Location"] == "/settings?saved=profile"
    assert "New Name" in client.get("/settings").get_data(as_text=True)
    bad = _post(client, "/settings/profile", {"name": "New Name", "timezone": "Mars/Base"})
    assert bad.status_code == 422 and "<html" in bad.get_data(as_text=True).lower()
    response = _post(client, "/settings/notifications", {"email_digest": "weekly", "on": ["comment_added.in_app"]})
    assert response.headers["Location"] == "/settings?saved=notifications"
    prefs = preferences.get(person)
    assert prefs["email_digest"] == "weekly" and prefs["types"]["comment_added"] == {"in_app": True, "email": False}
    assert prefs["types"]["crisis_alert"] == {"in_app": True, "email": True}  # never off
    assert _post(client, "/settings/notifications", {"email_digest": "hourly"}).status_code == 422


def test_a_mentor_signs_out_everywhere(client):
    sign_in(client, factories.mentor())
    response = _post(client, "/settings/sign-out-everywhere")
    assert response.headers["Location"].startswith("/login?reason=session_ended")
    assert client.get("/mentor").status_code == 302


def test_the_student_settings_forms_still_post_to_their_old_addresses(client):
    student = factories.student(mentor=factories.mentor())
    sign_in(client, student)
    response = _post(
        client, "/student/settings/profile", {"name": "Renamed", "timezone": "UTC"}, page="/student/settings"
    )
    assert response.headers["Location"] == "/student/settings?saved=profile"


def test_a_mentor_changes_their_settings_in_the_browser(people):
    mentor = factories.mentor()
    person = people.new()
    page = person.sign_in(mentor)
    person.wait_live(page)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Name").fill("Dr Renamed")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Dr Renamed")
    expect(page.get_by_label("crisis alert by email (always on)")).to_be_disabled()
