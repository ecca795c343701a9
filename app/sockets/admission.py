"""Whether a socket may connect, and a user's event budget (docs/security.md, fair connections).

A connect is refused, with a reason the client's `connect_error` carries, when the user
connects too often (SOCKET_CONNECT_RATE_LIMIT: `rate_limited`), already holds
CONNECTIONS_PER_USER sockets and streams (`too_many_connections`), or is a student and
students fill this process's share of its budget (`server_busy`). The data says when to
retry: `{"message": <code>, "data": {"code", "message", "retry_after"}}`.
"""

import logging
import time

from flask import current_app
from flask_socketio import ConnectionRefusedError
from limits import RateLimitItemPerSecond, parse

from app.extensions import limiter
from app.services.realtime import connections
from app.services.shared.errors import TooMany

log = logging.getLogger(__name__)


def _retry_after(item, *identifiers):
    """0 when the hit was counted within the limit, else seconds until its window resets;
    None when the count is unavailable (Redis down)."""
    try:
        if limiter.limiter.hit(item, *identifiers):
            return 0
        reset = limiter.limiter.get_window_stats(item, *identifiers).reset_time
    except Exception as exc:  # the storage's errors differ by backend
        log.warning("socket rate count unavailable: %s", exc)
        return None
    return max(int(reset - time.time()) + 1, 1)


def _refuse(error):
    raise ConnectionRefusedError(
        error.code, {"code": error.code, "message": error.message, "retry_after": error.retry_after}
    )


def admit(user):
    """The connection slot for a new socket of `user`, or ConnectionRefusedError."""
    item = parse(current_app.config["SOCKET_CONNECT_RATE_LIMIT"])
    retry = _retry_after(item, "socket-connect", f"user:{user.id}")
    if retry:
        _refuse(TooMany("rate_limited", "Too many connects; wait and try again.", retry_after=retry))
    try:
        return connections.take(user)
    except TooMany as error:
        _refuse(error)


def event_retry_after(user_id):
    """0 while the user is within SOCKET_EVENT_LIMIT per SOCKET_EVENT_WINDOW (this event counted),
    else seconds to wait; None when Redis cannot count."""
    if user_id is None:
        return None
    config = current_app.config
    item = RateLimitItemPerSecond(config["SOCKET_EVENT_LIMIT"], config["SOCKET_EVENT_WINDOW"])
    return _retry_after(item, "socket-events", f"user:{user_id}")
