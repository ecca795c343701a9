"""Browser sessions: a person signed in through the login page.

The signed Flask session cookie carries {"uid", "jti", "exp", "role", "iat"} under SESSION_KEY. The
jti is an id in the same revocation list as the API's tokens (tokens.revoke / is_revoked),
so a session is ended server-side: logout revokes it, and every request and socket connect
checks it, with the account's current state (active, same role) from the identity cache.
The page's Socket.IO connection is saved with the same jti, so the existing membership
packets (disconnect_token on logout, disconnect_user on deactivation) end its socket.
"""

import time
import uuid

import redis
from flask import current_app

from app.models import utcnow
from app.services.identity import principals, tokens, users
from app.services.realtime import membership
from app.services.shared.transaction import after_commit, commit

SESSION_KEY = "web"
TOKEN_TYPE = "web"  # RevokedToken.token_type of a revoked browser session


def start(email, password):
    """Check the credentials (the API login's service and errors) and return (user, the
    session's data for the cookie)."""
    user = users.authenticate(email, password)
    principals.rewrite(user.id)  # as the API's login: a fresh sign-in reads the database
    now = time.time()
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    # iat: "sign out everywhere" (end_everywhere) ends the sessions started before it
    data = {"uid": user.id, "jti": uuid.uuid4().hex, "exp": int(now + lifetime), "role": user.role.value, "iat": now}
    return user, data


def _valid_shape(data):
    return (
        isinstance(data, dict)
        and isinstance(data.get("uid"), int)
        and isinstance(data.get("jti"), str)
        and isinstance(data.get("exp"), int)
        and isinstance(data.get("role"), str)
    )


def principal_for(data):
    """The active Principal a session names, or None when it has ended (expired, logged
    out, account deactivated or removed, role changed)."""
    if not _valid_shape(data) or data["exp"] < time.time():
        return None
    if tokens.is_revoked(data["jti"], data["uid"]):
        return None
    # The session's role and start time are its claims, checked as a token's are (speaks_for):
    # a role change, a deactivation or "sign out everywhere" after it started ends it.
    return principals.for_token({"sub": str(data["uid"]), "role": data["role"], "iat": data.get("iat")})


def end(data):
    """Revoke the session (database first, then Redis) and end the sockets opened with it,
    on every web process."""
    if not _valid_shape(data):
        return
    tokens.revoke({"jti": data["jti"], "exp": data["exp"], "sub": str(data["uid"]), "type": TOKEN_TYPE})
    try:
        membership.disconnect_token(data["uid"], data["jti"])
    except redis.RedisError:
        pass  # revoked in the database: the socket is refused at its next event or connect


def end_everywhere(user_id):
    """Sign the user out everywhere: every session and API token issued until now is refused
    (the account's tokens_valid_after, which deactivation also sets), and their sockets end."""
    user = users.get_user(user_id)
    user.tokens_valid_after = utcnow()
    after_commit(lambda: membership.disconnect_user(user_id, reason="signed_out_everywhere"))
    commit()
