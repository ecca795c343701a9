"""Who a request counts against, and the limiter's installation.

Anonymous callers are counted per client address (the real one: see TRUSTED_PROXY_HOPS),
signed-in users per user id, the chatbot service per key. Limits live in Redis, so every
web process shares them; when Redis is down each process falls back to its own memory
(RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), so no limit, login's included, is ever lifted.
A route's own limits are flask-limiter decorators; the two every request shares are
counted by gate.py.
"""

import hashlib
import hmac
import time

from flask import current_app, g, request, session
from flask_jwt_extended import decode_token
from limits import parse

from app.api import limit_storage  # noqa: F401 - registers the pulse+redis storage scheme
from app.extensions import limiter
from app.services.identity import web_sessions


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
    token that verifies (signature and expiry) names a user: a forged one counts as anonymous.
    A user's verified claims are kept in g.rate_claims (gate checks its revocation)."""
    if "rate_caller" not in g:
        identity = None
        token = _bearer()
        if token:
            try:
                claims = decode_token(token)
                identity = f"user:{claims['sub']}"
                g.rate_claims = claims
            except Exception:  # any bad token: the caller is anonymous
                identity = None
        if identity is None and token is None:
            identity = _page_person()
        if identity is None and (service := _service_key()):
            identity = f"service:{service}"
        g.rate_caller = identity or f"addr:{request.remote_addr}"
    return g.rate_caller


def _page_person():
    """A signed-in page's person (the signed session cookie), counted like a user; the
    session's id is checked ahead with the request's shared limit (gate.py), as a token's."""
    if request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]) is None:
        return None
    data = session.get(web_sessions.SESSION_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int) or not isinstance(data.get("jti"), str):
        return None
    g.rate_claims = {"sub": str(data["uid"]), "jti": data["jti"]}
    return f"user:{data['uid']}"


def client_address():
    return f"addr:{request.remote_addr}"


# LOGIN_ACCOUNT_RATE_LIMIT is one counter per account, shared by every way of proving a
# password (the login route and the /admin/rq Basic sign-in): a named flask-limiter scope
# keeps its Redis key free of the endpoint, so account_args() names the same bucket.
LOGIN_ACCOUNT_SCOPE = "login-account"


def account_key(email):
    """An account's limiter identity: its email, normalised and hashed."""
    email = email.strip().lower() if isinstance(email, str) else ""
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def login_account_key():
    """The account a login names, for LOGIN_ACCOUNT_RATE_LIMIT."""
    body = request.get_json(silent=True)
    return account_key(body.get("email") if isinstance(body, dict) else None)


def account_limit():
    return parse(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def account_args(email):
    """The arguments flask-limiter's login decorator counts the account's failures under."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return [a for a in (prefix, account_key(email), LOGIN_ACCOUNT_SCOPE) if a]


def account_retry_after(email):
    """Seconds until a locked account may try again (0 when it is not locked)."""
    item, args = account_limit(), account_args(email)
    if limiter.limiter.test(item, *args):
        return 0
    reset = limiter.limiter.get_window_stats(item, *args).reset_time
    return max(int(reset - time.time()) + 1, 1)


def account_failed(email):
    """Count one failed password for the account, as a failed login does."""
    limiter.limiter.hit(account_limit(), *account_args(email))


def login_failed(response):
    """Only failed logins count against the account, so its owner can still sign in."""
    return response.status_code == 401


def install(app):
    """Bind the one module-level limiter to `app` (after gate.install: see there)."""
    limiter.init_app(app)
