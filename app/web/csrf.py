"""CSRF for pages: Flask-WTF's token, in every form (a hidden csrf_token field) and in a
<meta name="csrf-token"> that live.js sends as X-CSRFToken on every htmx request. The API
(bearer tokens, no cookies) is not checked: WTF_CSRF_CHECK_DEFAULT is off and the web
blueprint calls protect() itself."""

from flask import request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def protect():
    """before_request of the web blueprint: refuse a state-changing request without a valid
    token (400 csrf_failed, shown as a readable page or toast)."""
    if request.method not in SAFE_METHODS:
        csrf.protect()
