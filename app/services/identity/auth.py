"""Sign-up, login, refresh and logout."""

import logging

import redis
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from app.models import Role
from app.services.dashboard import stream
from app.services.identity import principals, tokens, users
from app.services.realtime import membership
from app.services.shared.errors import Invalid

log = logging.getLogger(__name__)


def register_student(email, password, name):
    """Self sign-up always makes a student, whatever the body says."""
    return users.create_user(email, password, name, Role.STUDENT.value)


def login(email, password):
    """Tokens for a user whose password matches; the identity cache is rewritten from the row
    just read, so a change made outside the application (SQL) holds from this login on."""
    user = users.authenticate(email, password)
    principals.rewrite(user.id)
    return {
        "access_token": create_access_token(identity=user),
        "refresh_token": create_refresh_token(identity=user),
        "user": user,
    }


def refresh(user):
    return {"access_token": create_access_token(identity=user)}


def logout(token_payload, user, refresh_token=None):
    """Revoke the presented token, and the caller's refresh token if one is given. The
    refresh token is checked first: a bad one revokes nothing (422). The sockets opened with
    the token end at once (every web process) and the caller's unused stream tokens stop
    working."""
    refresh_payload = _own_refresh_token(refresh_token, user) if refresh_token is not None else None
    tokens.revoke(token_payload)
    if refresh_payload is not None:
        tokens.revoke(refresh_payload)
    try:
        membership.disconnect_token(user.id, token_payload["jti"])
        stream.refuse_tokens_issued_until_now(user.id)
    except redis.RedisError:
        # The token itself is revoked (database first): a socket re-checks it on every event,
        # and stream tokens die within STREAM_TOKEN_TTL anyway.
        log.warning("Redis unavailable; sockets of user %s end at their next event instead", user.id)


def _own_refresh_token(refresh_token, user):
    try:
        payload = decode_token(refresh_token, allow_expired=True)
    except Exception:  # PyJWT's many errors: its messages are not for clients
        payload = None
    if not payload or payload.get("sub") != str(user.id) or payload.get("type") != "refresh":
        raise Invalid(
            "invalid_refresh_token",
            "refresh_token is not a refresh token of this account.",
            {"refresh_token": ["Not a refresh token of this account."]},
        )
    return payload
