"""Sign-up, login, refresh and logout."""

import logging

import redis
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from app.models import Role
from app.realtime import membership
from app.services import tokens, users
from app.services.dashboard import stream

log = logging.getLogger(__name__)


def register_student(email, password, name):
    """Self sign-up always makes a student, whatever the body says."""
    return users.create_user(email, password, name, Role.STUDENT.value)


def login(email, password):
    user = users.authenticate(email, password)
    return {
        "access_token": create_access_token(identity=user),
        "refresh_token": create_refresh_token(identity=user),
        "user": user,
    }


def refresh(user):
    return {"access_token": create_access_token(identity=user)}


def logout(token_payload, user, refresh_token=None):
    """Revoke the presented token, and the caller's refresh token if one is given; the sockets
    opened with that token end at once (every web process) and the caller's unused stream
    tokens stop working."""
    tokens.revoke(token_payload)
    try:
        membership.disconnect_token(user.id, token_payload["jti"])
        stream.refuse_tokens_issued_until_now(user.id)
    except redis.RedisError:
        # The token itself is revoked (database first): a socket re-checks it on every event,
        # and stream tokens die within STREAM_TOKEN_TTL anyway.
        log.warning("Redis unavailable; sockets of user %s end at their next event instead", user.id)
    if refresh_token:
        payload = decode_token(refresh_token, allow_expired=True)
        if payload.get("sub") == str(user.id) and payload.get("type") == "refresh":
            tokens.revoke(payload)
