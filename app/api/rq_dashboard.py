"""rq-dashboard at /admin/rq, for admins only.

A browser sends HTTP Basic credentials of an admin account (or a client an admin's Bearer
access token). A failed password counts against the account in the very counter failed
logins use (LOGIN_ACCOUNT_RATE_LIMIT), and a locked account is refused before its password
is checked, so the dashboard neither gets around the login's lock nor confirms a password
while it holds.

A browser resends Basic credentials to any page that asks, cross-site requests included, so
state changes are guarded like a cookie session's: they must be a POST (rq-dashboard also
requeues on GET), from this origin (Origin / Sec-Fetch-Site).
"""

import base64
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask_jwt_extended import current_user, verify_jwt_in_request
from limits import parse

from app.api.errors import error_response
from app.api.limits import account_failed, account_retry_after
from app.extensions import limiter
from app.models import Role
from app.services.identity import users, web_sessions
from app.services.shared.errors import DomainError

PREFIX = "/admin/rq"
# rq-dashboard's pages carry inline scripts and build their tables with underscore's
# _.template (new Function: 'unsafe-eval'; without it the tables stay on "Loading...").
# This relaxed policy applies to its pages alone; ours keep the strict one.
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; connect-src 'self'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"
)


def _basic_credentials():
    header = request.headers.get("Authorization", "")
    if header[:6].lower() != "basic ":
        return None
    try:
        email, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return email, password


def _address_limit():
    return parse(current_app.config["LOGIN_RATE_LIMIT"]), f"rq-addr:{request.remote_addr}"


def _admin_from_basic(email, password):
    address_item, address_key = _address_limit()
    retry = account_retry_after(email)
    if retry or not limiter.limiter.test(address_item, address_key):
        return None, error_response(429, headers={"Retry-After": str(retry or 60)})
    try:
        user = users.authenticate(email, password)
    except DomainError:
        user = None
    if user is None or user.role != Role.ADMIN:
        account_failed(email)
        limiter.limiter.hit(address_item, address_key)
        return None, None
    return user, None


def admin_from_web_session():
    """The admin signed in through the browser pages' session (the pulse_session cookie), or
    None. require_admin tries it before Basic. The origin and method checks in
    _refuse_unsafe run first, so a cookie is no CSRF opening."""
    data = session.get(web_sessions.SESSION_KEY)
    if data is None:
        return None
    principal = web_sessions.principal_for(data)
    return principal if principal is not None and principal.role == Role.ADMIN else None


# rq-dashboard views that change state (their rules take POST); filled in by mount().
_WRITE_ENDPOINTS = set()
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _same_origin():
    """Whether the browser says the request comes from this origin. Clients that are not
    browsers send neither header; a browser sends at least one with every POST."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is not None:
        here = urlsplit(request.host_url)
        there = urlsplit(origin)
        return (there.scheme, there.netloc) == (here.scheme, here.netloc)
    return True


def _refuse_unsafe():
    """405 for a state change by GET, 403 for a write from another site (before sign-in, so
    a forged request counts as no attempt and learns nothing)."""
    if request.endpoint in _WRITE_ENDPOINTS and request.method in _SAFE_METHODS:
        return error_response(
            405, "method_not_allowed", "Changes to the queues take a POST.", headers={"Allow": "POST"}
        )
    if request.method not in _SAFE_METHODS and not _same_origin():
        return error_response(403, "cross_origin", "Changes to the queues are accepted from this site only.")
    return None


def require_admin():
    if request.blueprint != "rq_dashboard":
        return None
    refusal = _refuse_unsafe()
    if refusal is not None:
        return refusal
    user = admin_from_web_session()
    credentials = _basic_credentials()
    if user is None and credentials is not None:
        user, refusal = _admin_from_basic(*credentials)
        if refusal is not None:
            return refusal
    elif user is None:
        try:
            verify_jwt_in_request()
            user = current_user
        except Exception:
            user = None
    if user is None or user.role != Role.ADMIN:
        return error_response(
            401,
            "admin_required",
            "Sign in with an admin account (HTTP Basic) to see the queues.",
            headers={"WWW-Authenticate": 'Basic realm="Pulse queues", charset="UTF-8"'},
        )
    return None


def dashboard_headers(response):
    if request.blueprint == "rq_dashboard":
        response.headers["Content-Security-Policy"] = DASHBOARD_CSP
    return response


def mount(app):
    from rq_dashboard.web import blueprint, setup_rq_connection

    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", app.config["REDIS_URL"])
    setup_rq_connection(app)
    app.before_request(require_admin)
    app.after_request(dashboard_headers)
    limiter.exempt(blueprint)  # it polls; failed sign-ins are limited in require_admin
    app.register_blueprint(blueprint, url_prefix=PREFIX)
    _WRITE_ENDPOINTS.update(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("rq_dashboard.") and "POST" in (rule.methods or ())
    )
