"""Who a request counts against, and the limits every request shares.

Anonymous callers are counted per client address (the real one: see TRUSTED_PROXY_HOPS),
signed-in users per user id, the chatbot service per key. Limits live in Redis, so every
web process shares them; when Redis is down each process falls back to its own memory
(RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), so no limit, login's included, is ever lifted.
"""

import hashlib
import hmac

from flask import current_app, g, request
from flask_jwt_extended import decode_token
from flask_limiter import ApplicationLimit

from app.api import limit_storage  # noqa: F401 - registers the pulse+redis storage scheme
from app.extensions import limiter


def _bearer():
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else None


def _service_key():
    """A hash of the X-Chatbot-Key when it is one of ours, else None."""
    key = request.headers.get("X-Chatbot-Key")
    if not key:
        return None
    if any(hmac.compare_digest(key.encode(), k.encode()) for k in current_app.config["CHATBOT_API_KEYS"]):
        return hashlib.sha256(key.encode()).hexdigest()[:16]
    return None


def caller():
    """ "user:<id>", "service:<hash>" or "addr:<ip>", worked out once per request. Only a
    token that verifies (signature and expiry) names a user: a forged one counts as anonymous."""
    if "rate_caller" not in g:
        identity = None
        token = _bearer()
        if token:
            try:
                identity = f"user:{decode_token(token)['sub']}"
            except Exception:  # any bad token: the caller is anonymous
                identity = None
        if identity is None and (service := _service_key()):
            identity = f"service:{service}"
        g.rate_caller = identity or f"addr:{request.remote_addr}"
    return g.rate_caller


def client_address():
    return f"addr:{request.remote_addr}"


def _is_authenticated():
    return not caller().startswith("addr:")


def _is_anonymous():
    return caller().startswith("addr:")


def _is_service():
    return caller().startswith("service:")


def application_limits():
    """The two limits on every request (except the exempt probes and /metrics)."""
    return [
        ApplicationLimit(
            lambda: current_app.config["RATE_LIMIT_ANONYMOUS"],
            key_function=client_address,
            scope="anonymous",
            exempt_when=_is_authenticated,
        ),
        ApplicationLimit(
            # The chatbot's service key has its own limit on its one route (CHATBOT_RATE_LIMIT).
            lambda: current_app.config["RATE_LIMIT_AUTHENTICATED"],
            key_function=caller,
            scope="authenticated",
            exempt_when=lambda: _is_anonymous() or _is_service(),
        ),
    ]


def login_account_key():
    """The account a login names (its email, normalised and hashed), for LOGIN_ACCOUNT_RATE_LIMIT."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def login_failed(response):
    """Only failed logins count against the account, so its owner can still sign in."""
    return response.status_code == 401


def install(app):
    """Bind the one module-level limiter to `app` with the shared limits (their amounts are
    read from the settings on each request)."""
    limiter.limit_manager.set_application_limits([lim.bind(limiter) for lim in application_limits()])
    limiter.init_app(app)
