"""Who is asking, for pages: the signed-in person behind the session cookie (g.person, a
Principal), checked on every request through identity.web_sessions."""

import functools
from urllib.parse import urlsplit

from flask import abort, g, jsonify, redirect, request, session, url_for

from app.schemas.errors import envelope
from app.services.identity import web_sessions

HOMES = {"mentor": "/mentor", "student": "/student", "educator": "/educator", "admin": "/admin"}


def load_person():
    """before_request: g.person, or None; a session that has ended is dropped from the cookie."""
    data = session.get(web_sessions.SESSION_KEY)
    g.person = web_sessions.principal_for(data) if data is not None else None
    g.session_ended = data is not None and g.person is None
    if g.session_ended:
        session.pop(web_sessions.SESSION_KEY, None)


def home_for(person):
    return HOMES[person.role.value]


def is_htmx():
    return request.headers.get("HX-Request") == "true"


def safe_next(target):
    """A local path to return to after signing in, or None (no open redirects)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _to_login():
    reason = "session_ended" if g.get("session_ended") else "sign_in"
    location = url_for("web.auth.login", reason=reason, next=request.full_path.rstrip("?"))
    if is_htmx():  # htmx follows HX-Redirect with a full page load
        response = jsonify(envelope("unauthorized", "Your session has ended. Sign in again."))
        response.status_code = 401
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


def require_role(*roles):
    """Decorate a page view: signed in (else to /login with a message) with one of `roles`
    (else the 403 page)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if g.person is None:
                return _to_login()
            if roles and g.person.role.value not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def template_context():
    return {"person": g.get("person"), "home_url": home_for(g.person) if g.get("person") else None}
