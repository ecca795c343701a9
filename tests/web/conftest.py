"""Fixtures for the page tests. The browser fixtures (a real web process and worker,
Chromium through Playwright) are in tests/web/browser.py and loaded from here."""

import pytest
from flask.testing import FlaskClient

from tests import factories
from tests.web.browser import *  # noqa: F403 - the browser fixtures
from tests.web.pages import csrf_token, sign_in


class PageClient(FlaskClient):
    """A test client whose every request has its own app context (and so its own `g`, as in
    production): clean_state keeps one app context open for the whole test, and a request
    would otherwise reuse it, with the CSRF token Flask-WTF cached in `g` by the last one."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = PageClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None


@pytest.fixture
def mentor_client(client):
    """A signed-in mentor with one student, and a CSRF token for their forms."""
    mentor = factories.mentor()
    student = factories.student(mentor=mentor)
    sign_in(client, mentor)
    client.mentor, client.student = mentor, student
    client.token = csrf_token(client, "/mentor")
    return client
