"""Socket handlers. before_request hooks do not run here, so each handler authorizes itself."""

import logging

from flask import request
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_socketio import ConnectionRefusedError, emit, join_room
from jwt import ExpiredSignatureError, PyJWTError

from app.realtime.rooms import rooms_for
from app.services import tokens, users

log = logging.getLogger(__name__)


def authenticate(auth):
    """The active user behind a socket's access token, or ConnectionRefusedError."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not token or not isinstance(token, str):
        raise ConnectionRefusedError("token_missing")
    try:
        payload = decode_token(token)
    except ExpiredSignatureError:
        raise ConnectionRefusedError("token_expired") from None
    except (PyJWTError, JWTExtendedException):
        raise ConnectionRefusedError("token_invalid") from None
    if payload.get("type") != "access":
        raise ConnectionRefusedError("token_invalid")
    if tokens.is_revoked(payload["jti"]):
        raise ConnectionRefusedError("token_revoked")
    user = users.active_user_for_token(payload)
    if user is None or payload.get("role") != user.role.value:
        raise ConnectionRefusedError("token_invalid")
    return user


def register(socketio):
    @socketio.on("connect")
    def on_connect(auth=None):
        """Verify the token and join the rooms the server decides on."""
        user = authenticate(auth)
        rooms = rooms_for(user)
        for room in rooms:
            join_room(room)
        log.info("socket %s connected as user %s in %s", request.sid, user.id, rooms)
        emit("session", {"user_id": user.id, "role": user.role.value, "rooms": rooms})

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        log.info("socket %s disconnected", request.sid)
