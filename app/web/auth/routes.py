"""Sign-in for people: the login form, logout, and / sending each person home."""

import hashlib

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for

from app.extensions import limiter
from app.services.identity import web_sessions
from app.services.shared.errors import Unauthorized
from app.web.session import HOMES, home_for, safe_next

blp = Blueprint("auth", __name__)

# Messages for /login?reason=...: a fixed list, so no text from the URL is ever shown.
REASONS = {
    "sign_in": "Please sign in to continue.",
    "session_ended": "Your session has ended. Please sign in again.",
    "logged_out": "You have signed out.",
}


def _client_address():
    return f"addr:{request.remote_addr}"


def _login_account():
    """The account a sign-in names (normalised, hashed), as the API's login counts it."""
    email = request.form.get("email", "")
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@blp.get("/")
def index():
    """Home: a signed-in person's role page, everyone else the login page."""
    if g.person is not None:
        return redirect(home_for(g.person))
    return redirect(url_for("web.auth.login"))


@blp.route("/login", methods=["GET", "POST"])
# The API login's limits and settings: per address (generous, a school behind one NAT), and
# per account for failures only, so guessing one account's password stops after a few tries.
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_client_address, methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    key_func=_login_account,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 401,
)
def login():
    """The sign-in form (GET) and signing in (POST email, password)."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.person is not None:
            return redirect(next_url or home_for(g.person))
        notice = REASONS.get(request.args.get("reason", ""))
        return render_template("web/auth/login.html", notice=notice, next_url=next_url, email="")
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    if not email or not password:
        error = "Enter your email and your password."
        return render_template("web/auth/login.html", error=error, next_url=next_url, email=email), 422
    try:
        _user, data = web_sessions.start(email, password)
    except Unauthorized as exc:
        return render_template("web/auth/login.html", error=exc.message, next_url=next_url, email=email), 401
    session.clear()  # a new session (and CSRF token) at sign-in: no fixation
    session.permanent = True
    session[web_sessions.SESSION_KEY] = data
    return redirect(next_url or HOMES[data["role"]])


@blp.post("/logout")
def logout():
    """Sign out: the session is revoked and the page's live connections end (every tab)."""
    web_sessions.end(session.get(web_sessions.SESSION_KEY))
    session.clear()
    return redirect(url_for("web.auth.login", reason="logged_out"))


@blp.get("/session")
def session_state():
    """Whether this browser is still signed in (live.js asks after the server ends a socket).
    Always 200: a 401 would be logged as an error in the browser's console."""
    if g.person is None:
        return jsonify({"signed_in": False})
    return jsonify({"signed_in": True, "role": g.person.role.value, "user_id": g.person.id})
