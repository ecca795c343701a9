"""rq-dashboard at /admin/rq, for admins only.

A browser sends HTTP Basic credentials of an admin account (or a client an admin's Bearer
access token). Failed attempts count against the account and the address like failed
logins do, so the dashboard is no way around the login limits.
"""

import base64
import hashlib

from flask import current_app, request
from flask_jwt_extended import current_user, verify_jwt_in_request
from limits import parse

from app.api.errors import error_response
from app.extensions import limiter
from app.models import Role
from app.services.identity import users
from app.services.shared.errors import DomainError

PREFIX = "/admin/rq"
# rq-dashboard's pages carry inline scripts; this relaxed policy applies to them alone.
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
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


def _failure_limits(email):
    account = "rq-account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [
        (parse(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]), account),
        (parse(current_app.config["LOGIN_RATE_LIMIT"]), f"rq-addr:{request.remote_addr}"),
    ]


def _admin_from_basic(email, password):
    checks = _failure_limits(email)
    if not all(limiter.limiter.test(item, key) for item, key in checks):
        return None, error_response(429, headers={"Retry-After": "60"})
    try:
        user = users.authenticate(email, password)
    except DomainError:
        user = None
    if user is None or user.role != Role.ADMIN:
        for item, key in checks:
            limiter.limiter.hit(item, key)
        return None, None
    return user, None


def require_admin():
    if request.blueprint != "rq_dashboard":
        return None
    credentials = _basic_credentials()
    if credentials is not None:
        user, refusal = _admin_from_basic(*credentials)
        if refusal is not None:
            return refusal
    else:
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
