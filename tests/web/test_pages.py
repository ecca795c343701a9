"""The page routes with Flask's test client: sign-in, the session, CSRF, homes by role,
error pages. The browser tests (test_browser_*.py) drive the same pages in Chromium."""

import pytest

from config import ProductionConfig, TestingConfig
from tests import factories
from tests.web.pages import csrf_token, sign_in

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}  # Chrome's


def test_login_page_renders_a_form_with_a_csrf_token(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="csrf-token"' in html and 'name="csrf_token"' in html
    assert 'id="email"' in html and 'id="password"' in html
    assert 'aria-live="polite"' in html and 'aria-live="assertive"' in html
    assert "Skip to main content" in html


@pytest.mark.parametrize(
    ("role", "home"), [("mentor", "/mentor"), ("student", "/student"), ("educator", "/educator"), ("admin", "/admin")]
)
def test_sign_in_sends_each_role_home(client, role, home):
    person = factories.user(role)
    response = sign_in(client, person)
    assert response.status_code == 302 and response.headers["Location"] == home
    assert client.get("/").headers["Location"] == home
    page = client.get(home).get_data(as_text=True)
    assert person.name in page and person.email in page


def test_anonymous_root_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_page_without_a_session_goes_to_login_with_a_message(client):
    response = client.get("/mentor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?reason=sign_in&next=/mentor")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please sign in to continue." in page and 'name="next" value="/mentor"' in page


def test_wrong_password_is_a_readable_error_and_no_session(client):
    person = factories.mentor()
    response = sign_in(client, person, password="wrong-password")
    assert response.status_code == 401
    assert "Email or password is wrong." in response.get_data(as_text=True)
    assert client.get("/mentor").status_code == 302


def test_empty_form_is_a_readable_error(client):
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert "Enter your email and your password." in response.get_data(as_text=True)


def test_an_inactive_account_cannot_sign_in(client):
    person = factories.mentor(is_active=False)
    response = sign_in(client, person)
    assert response.status_code == 401 and "This account is inactive." in response.get_data(as_text=True)


def test_next_is_followed_only_to_a_local_path(client):
    person = factories.mentor()
    assert sign_in(client, person, next="/mentor?tab=x").headers["Location"] == "/mentor?tab=x"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/mentor")})
    assert sign_in(client, person, next="//evil.example/").headers["Location"] == "/mentor"


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    response = sign_in(client, factories.mentor())
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("pulse_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # testing runs over http://127.0.0.1
    assert ProductionConfig.SESSION_COOKIE_SECURE is True and TestingConfig.SESSION_COOKIE_SECURE is False


def test_a_form_post_without_the_csrf_token_is_refused_with_a_page(client):
    person = factories.mentor()
    response = client.post("/login", data={"email": person.email, "password": "x"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    sign_in(client, person)
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/mentor").status_code == 200  # still signed in


def test_an_htmx_post_without_the_csrf_header_gets_the_error_envelope(client):
    sign_in(client, factories.mentor())
    response = client.post("/logout", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    token = csrf_token(client, "/mentor")
    response = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302


def test_logout_revokes_the_session_even_for_a_copied_cookie(client, app):
    sign_in(client, factories.mentor())
    copy = app.test_client()
    copy.set_cookie("pulse_session", client.get_cookie("pulse_session").value)
    assert copy.get("/mentor").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/mentor")})
    assert response.headers["Location"] == "/login?reason=logged_out"
    response = copy.get("/mentor")
    assert response.status_code == 302 and "reason=session_ended" in response.headers["Location"]
    assert copy.get("/session").get_json() == {"signed_in": False}


def test_deactivation_ends_the_session(client, app):
    from app.services.accounts import changes

    person = factories.mentor()
    sign_in(client, person)
    assert client.get("/session").get_json() == {"signed_in": True, "role": "mentor", "user_id": person.id}
    with app.app_context():
        changes.set_active(person.id, False)
    assert "reason=session_ended" in client.get("/mentor").headers["Location"]


def test_a_role_change_ends_the_session(client, app):
    from app.extensions import db
    from app.models import Role, User

    person = factories.mentor()
    sign_in(client, person)
    with app.app_context():
        db.session.get(User, person.id).role = Role.EDUCATOR
        db.session.commit()
    assert "reason=session_ended" in client.get("/mentor").headers["Location"]


def test_a_student_cannot_open_the_mentor_home(client):
    sign_in(client, factories.student())
    response = client.get("/mentor", headers=HTML)
    assert response.status_code == 403
    assert "You cannot open this page" in response.get_data(as_text=True)


def test_unknown_pages_are_html_and_the_api_keeps_json(client):
    response = client.get("/no-such-page", headers=HTML)
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
    response = client.get("/api/v1/no-such-thing", headers=HTML)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert client.get("/no-such-page").get_json()["error"]["code"] == "not_found"
    assert client.get("/no-such-page", headers={"Accept": "*/*"}).get_json()["error"]["code"] == "not_found"


def test_static_files_are_cached_for_a_year_when_versioned(client):
    html = client.get("/login").get_data(as_text=True)
    assert "/static/live.js?v=" in html and "/static/vendor/htmx-2.0.11.min.js" in html
    for path in ("/static/vendor/htmx-2.0.11.min.js", "/static/live.js?v=1"):
        response = client.get(path)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        response.close()


def test_pages_keep_the_strict_content_security_policy(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy.split("script-src")[1].split(";")[0]


def test_repeated_wrong_passwords_get_a_readable_too_many_attempts_page(client):
    person = factories.mentor()
    for _ in range(5):
        assert sign_in(client, person, password="wrong-password").status_code == 401
    response = sign_in(client, person, password="wrong-password")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_pages_have_an_icon_and_favicon_ico_is_not_a_404(client):
    """A browser asks for an icon on every page: a 404 there is a console error on every load."""
    page = client.get("/login", headers=HTML).get_data(as_text=True)
    assert 'rel="icon"' in page and "favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")
