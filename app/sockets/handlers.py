"""Socket handlers. before_request hooks do not run here, so each handler authorizes itself."""

import functools
import logging
import time

from flask import current_app, request
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room
from jwt import ExpiredSignatureError, PyJWTError
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.schemas.errors import domain_envelope, envelope
from app.services.identity import principals, tokens, users, web_sessions
from app.services.notifications import inbox as notifications
from app.services.realtime import connections, events, membership
from app.services.realtime.rooms import rooms_for
from app.services.shared import metrics
from app.services.shared.errors import Invalid, Unavailable
from app.sockets import admission, storm_gc

log = logging.getLogger(__name__)


def authenticate(auth):
    """The active user behind a socket's access token, or ConnectionRefusedError. Without
    a token, a page's session cookie (same origin) is accepted instead: see from_page_session."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is None and request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
        return from_page_session()
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
    # One Redis round trip answers both the revocation and the identity (principals reads
    # the latter ahead): in a reconnect storm every connect pays it.
    try:
        revoked = tokens.is_revoked(payload["jti"], principals.subject_id(payload))
        if revoked:
            raise ConnectionRefusedError("token_revoked")
        user = principals.for_token(payload)  # Redis: a connect storm does not queue on the database pool
    except Unavailable as exc:  # neither store answered: come back, rather than sign in again
        raise _busy(exc.message) from None
    except SQLAlchemyError:
        # A miss the database did not answer in time (pool exhausted, say). Unanswered, the
        # client would hang until its own timeout: tell it to come back instead.
        db.session.rollback()
        log.warning("socket connect refused for now: the identity read failed", exc_info=True)
        raise _busy("The server is busy; try again in a few seconds.") from None
    if user is None or payload.get("role") != user.role.value:
        raise ConnectionRefusedError("token_invalid")
    return user, payload


def _busy(message):
    return ConnectionRefusedError("server_busy", {"code": "server_busy", "message": message, "retry_after": 5})


def from_page_session():
    """The person a browser page's session cookie names, checked as every page request is
    (web_sessions.principal_for: revoked, expired, deactivated, role changed). The socket is
    saved with the session's jti, so logout's disconnect_token ends it. The handshake is
    same-origin (cors_allowed_origins) and the cookie SameSite=Lax, so another site cannot
    open a socket with it."""
    data = current_app.session_interface.open_session(current_app, request) or {}
    session = data.get(web_sessions.SESSION_KEY)
    person = web_sessions.principal_for(session)
    if person is None:
        raise ConnectionRefusedError("session_ended")
    # The role the session was opened with: a role change ends the socket (membership).
    return person, {"jti": session["jti"], "exp": session["exp"], "role": person.role.value}


def current_socket_user(socketio):
    """Re-check, on every event, that the socket's token is still good: unrevoked, unexpired,
    its user active, of the role the token names, and issued after the last deactivation."""
    session = socketio.server.get_session(request.sid) or {}
    if not session.get("jti") or session.get("exp", 0) < time.time() or tokens.is_revoked(session["jti"]):
        return None
    claims = {"sub": str(session.get("user_id")), "role": session.get("role"), "iat": session.get("iat")}
    return users.active_user_for_token(claims)


def limited(socketio):
    """Decorate a client event handler: each user may send SOCKET_EVENT_LIMIT events per
    SOCKET_EVENT_WINDOW seconds, over all their sockets (counted in Redis, so opening more
    sockets buys nothing); past that the handler does not run and the ack says 429."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(*args):
            session = socketio.server.get_session(request.sid) or {}
            retry = admission.event_retry_after(session.get("user_id"))
            if retry is None:  # Redis is down: count this connection's events, as before
                retry = _connection_retry_after(socketio)
            if retry:
                return envelope("rate_limited", "Too many events; wait and try again.", {"retry_after": retry})
            return handler(*args)

        return wrapper

    return decorator


def _connection_retry_after(socketio):
    now = time.monotonic()
    window = current_app.config["SOCKET_EVENT_WINDOW"]
    with socketio.server.session(request.sid) as session:
        started, count = session.get("events_window", (now, 0))
        if now - started >= window:
            started, count = now, 0
        session["events_window"] = (started, count + 1)
    if count + 1 > current_app.config["SOCKET_EVENT_LIMIT"]:
        return max(int(window - (now - started)) + 1, 1)
    return 0


def register(socketio):
    @socketio.on("connect")
    def on_connect(auth=None):
        """Verify the token and join the rooms the server decides on."""
        user, payload = authenticate(auth)
        # A cache miss read the database: give the connection back before the rooms and
        # emits, or a connect storm with a cold cache holds the whole pool (and waits on it).
        db.session.remove()
        slot = admission.admit(user)  # the connect rate, the per-user cap, the staff reserve
        # the claims each event re-checks against the database (current_socket_user)
        session = {"user_id": user.id, "jti": payload["jti"], "exp": payload["exp"], "role": payload.get("role")}
        socketio.server.save_session(request.sid, {**session, "iat": payload.get("iat"), "slot": slot})
        membership.track_expiry(request.sid, payload["exp"])
        rooms = rooms_for(user)
        for room in rooms:
            join_room(room)
        metrics.socket_connected()
        storm_gc.connected()
        # DEBUG: at INFO a 10,000-socket storm wrote 20,000 lines, ~7% of the process's time.
        log.debug("socket %s connected as user %s in %s", request.sid, user.id, rooms)
        # to this socket, which is on this process: straight to it, not through Redis (a
        # storm of 10,000 connects would be 10,000 publishes every process must read)
        emit(events.SESSION, {"user_id": user.id, "role": user.role.value, "rooms": rooms}, ignore_queue=True)

    @socketio.on("sync")
    @limited(socketio)
    def on_sync(data=None):
        """Replay the notifications after `last_id`, oldest first (the answer is the ack)."""
        try:
            user = current_socket_user(socketio)
        except Unavailable as exc:
            return domain_envelope(exc)  # the client asks again; its socket stays
        if user is None:
            disconnect()
            return envelope("token_invalid", "Reconnect with a valid token.")
        last_id = data.get("last_id") if isinstance(data, dict) else None
        if not isinstance(last_id, int) or isinstance(last_id, bool) or not 0 <= last_id < 2**31:
            details = {"last_id": ["An integer from 0 to 2147483647 is required."]}
            return domain_envelope(Invalid(message='Send {"last_id": <int >= 0>}.', details=details))
        return notifications.list_for(user, since_id=last_id, limit=200)

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        session = socketio.server.get_session(request.sid) or {}
        if session.get("slot"):
            connections.release(session["slot"])
        membership.forget(request.sid)
        metrics.socket_disconnected()
        storm_gc.disconnected()
        log.debug("socket %s disconnected", request.sid)
