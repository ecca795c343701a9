"""Helpers for page tests with Flask's test client: a CSRF token read from a page, and
signing in through the login form as a person would."""

import re

from tests.helpers import PASSWORD

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


HX = {"HX-Request": "true"}  # what htmx sends with each of its requests


def csrf_token(client, path="/login"):
    """The CSRF token of the client's session, as a page carries it."""
    html = client.get(path).get_data(as_text=True)
    return TOKEN.search(html).group(1)


def sign_in(client, user, password=PASSWORD, **extra):
    token = csrf_token(client)
    return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token, **extra})
