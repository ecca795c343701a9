"""Academy fixtures: a real SMTP server that the worker delivers to."""

import pytest

from tests.academy.helpers import SMTPServer


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server (aiosmtpd) for this test; worker processes started now send to it."""
    server = SMTPServer()
    server.start()
    monkeypatch.setenv("MAIL_URL", server.url)
    yield server
    server.stop()
