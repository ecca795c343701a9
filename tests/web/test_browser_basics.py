"""The web layer in Chromium against a real web process: sign-in, the page's socket on the
session cookie, the live indicator, logout and deactivation ending sockets, CSRF, 403."""

import re

from playwright.sync_api import expect

from tests import factories
from tests.web.browser import axe_violations


def test_login_page_signs_in_and_shows_a_readable_error(people):
    mentor = factories.mentor()
    person = people.new()
    person.expect_console(r"status of 401")  # the wrong password's answer
    page = person.page
    page.goto("/login")
    page.get_by_label("Email").fill(mentor.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Email or password is wrong.")
    expect(page.get_by_label("Email")).to_have_value(mentor.email)
    person.sign_in(mentor)
    expect(page.get_by_test_id("who")).to_have_text(mentor.name)


def test_login_home_and_error_pages_have_no_serious_accessibility_violation(people):
    person = people.new()
    person.expect_console(r"status of 404")
    page = person.page
    page.goto("/login")
    assert axe_violations(page) == []
    person.wait_live(person.sign_in(factories.mentor()))
    assert axe_violations(page) == []
    page.goto("/no-such-page")
    assert axe_violations(page) == []


def test_the_session_cookie_is_httponly_and_lax(people):
    person = people.new()
    person.sign_in(factories.mentor())
    cookie = next(c for c in person.context.cookies() if c["name"] == "pulse_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert person.page.evaluate("document.cookie") == ""  # the page's JavaScript cannot read it


def test_the_pages_socket_connects_with_the_session_cookie_alone(people):
    mentor = factories.mentor()
    person = people.new()
    page = person.wait_live(person.sign_in(mentor))
    session = page.evaluate(
        """() => new Promise((resolve) => {
            const s = window.Live.socket;
            if (s.auth && Object.keys(s.auth).length) return resolve({token: true});
            s.once("session", (data) => resolve(data));
            s.disconnect().connect();  // once more, to read the server's answer
        })"""
    )
    assert session["user_id"] == mentor.id and session["role"] == "mentor"
    assert f"user:{mentor.id}" in session["rooms"]


def test_killing_the_socket_shows_offline_then_live_again(people):
    person = people.new()
    page = person.wait_live(person.sign_in(factories.mentor()))
    page.evaluate("window.Live.socket.io.engine.close()")
    expect(page.locator("#live-status")).to_have_text("Offline")
    expect(page.locator("#live-status")).to_have_text("Live", timeout=15_000)


def test_logout_ends_the_live_socket_of_another_browser_of_the_session(people):
    mentor = factories.mentor()
    first = people.new()
    first.wait_live(first.sign_in(mentor))
    second = people.new(storage_state=first.storage_state())  # the same session, another window
    other = second.page
    other.goto("/mentor")
    second.wait_live(other)
    first.page.get_by_role("button", name="Sign out").click()
    first.page.wait_for_url(re.compile(r"/login\?reason=logged_out$"))
    expect(first.page.get_by_test_id("notice")).to_have_text("You have signed out.")
    other.wait_for_url(re.compile(r"/login\?reason=session_ended"))
    expect(other.get_by_test_id("notice")).to_have_text("Your session has ended. Please sign in again.")


def test_deactivation_ends_the_pages_socket(people, app):
    from app.services.accounts import changes

    mentor = factories.mentor()
    person = people.new()
    page = person.wait_live(person.sign_in(mentor))
    with app.app_context():
        changes.set_active(mentor.id, False)
    page.wait_for_url(re.compile(r"/login\?reason=session_ended"))


def test_a_role_change_ends_the_pages_socket_and_session(people, app):
    from app.services.accounts import changes

    mentor = factories.mentor()
    person = people.new()
    page = person.wait_live(person.sign_in(mentor))
    with app.app_context():
        changes.update(mentor.id, {"role": "educator"})  # the one path (admin PATCH, CLI)
    page.wait_for_url(re.compile(r"/login\?reason=session_ended"))


def test_root_sends_each_person_home(people):
    for user in (factories.student(), factories.user("educator"), factories.admin()):
        person = people.new()
        person.sign_in(user)
        person.page.goto("/")
        person.page.wait_for_url(re.compile(f"/{user.role.value}$"))


def test_a_student_gets_the_403_page_for_the_mentor_home(people):
    person = people.new()
    person.expect_console(r"status of 403")
    page = person.sign_in(factories.student())
    page.goto("/mentor")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")


def test_a_form_without_its_csrf_token_is_refused_readably(people):
    person = people.new()
    person.expect_console(r"status of 400")
    page = person.sign_in(factories.mentor())
    page.locator('nav form input[name="csrf_token"]').evaluate("el => el.remove()")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("error-message")).to_contain_text("This form has expired")


def test_an_htmx_request_without_the_csrf_header_is_refused_with_a_toast(people):
    person = people.new()
    person.expect_console(r"status of 400|Response Status Error Code 400")  # the browser's and htmx's logs
    page = person.wait_live(person.sign_in(factories.mentor()))
    page.evaluate(
        """() => {
            document.querySelector('meta[name="csrf-token"]').remove();
            return window.htmx.ajax("POST", "/logout", {target: "#main", swap: "none"});
        }"""
    )
    expect(page.locator("#toasts .toast-body")).to_contain_text("This form has expired")
    page.goto("/mentor")
    expect(page.get_by_test_id("who")).to_be_visible()  # still signed in


def test_every_connect_refreshes_the_live_regions_and_the_last_refresh_is_never_dropped(people):
    person = people.new()
    page = person.wait_live(person.sign_in(factories.mentor()))
    asked = []
    page.on("request", lambda request: asked.append(request.url) if request.url.endswith("/session") else None)
    page.evaluate(
        """() => {
            const probe = document.createElement("div");
            probe.id = "probe";
            probe.dataset.liveSrc = "/session";
            document.getElementById("main").append(probe);
        }"""
    )
    page.evaluate("window.Live.socket.io.engine.close()")
    expect(page.locator("#live-status")).to_have_text("Live", timeout=15_000)
    expect(page.locator("#probe")).to_contain_text('"signed_in":true')  # refreshed on reconnect
    asked.clear()
    page.evaluate(
        """() => {
            const probe = document.getElementById("probe");
            probe.textContent = "";
            return Promise.all([window.Live.refresh(probe), window.Live.refresh(probe), window.Live.refresh(probe)]);
        }"""
    )
    expect(page.locator("#probe")).to_contain_text('"signed_in":true')
    page.wait_for_timeout(500)  # let a wrongly queued third request show itself
    assert len(asked) == 2  # one in flight, the last one queued after it, the middle one merged
