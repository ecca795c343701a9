"""Rooms follow membership, and sockets end with their credentials, on every web process.

A socket's rooms are decided at connect (rooms.rooms_for). When what they depend on changes
(a cohort joined or left, a mentor assigned, an account deactivated, a token revoked),
the writer calls one of the functions below after its commit, from a web process or a
worker alike. They publish a small packet on the Socket.IO channel; every web process's
client manager (PulseRedisManager) takes it out of the stream before Socket.IO sees it and
applies it to that process's own sockets of the user (they are all in `user:<id>`).

Being on the same channel as the events keeps the order: an event published after
move_to_rooms() reaches the socket in its new rooms. The rooms are computed by the
publisher (app.services.identity.rooms, right after the commit), so the listener does no
database work.

A socket that is ended first receives `session_ended` {"reason"}: "token_revoked",
"account_inactive", "token_expired" or "role_changed"; the client refreshes its token and
reconnects (after "role_changed" its tokens name the old role: it logs in again).
Each web process also sweeps its sockets every SOCKET_EXPIRY_SWEEP seconds and ends those
whose access token has expired (see start_expiry_sweep).
"""

import heapq
import json
import logging
import time

from flask import current_app

from app.extensions import get_redis
from app.namespace import PACKET_FIELD
from app.services.realtime import events
from app.services.realtime.manager import NamespacedRedisManager
from app.services.realtime.rooms import user_room

log = logging.getLogger(__name__)

METHOD = "pulse_membership"
NAMESPACE = "/"


def _publish(message):
    packet = {"method": METHOD, PACKET_FIELD: current_app.config["PULSE_NAMESPACE"], **message}
    get_redis().publish(current_app.config["SOCKETIO_CHANNEL"], json.dumps(packet))


def move_to_rooms(user_id, rooms, role=None):
    """Move every open socket of the user, on every web process, into exactly `rooms`
    (identity.rooms.refresh_rooms computes them from the committed state). With `role` (the
    user's role now), a socket whose token names another role is ended instead
    ("role_changed"): its token is refused everywhere else too."""
    message = {"action": "refresh", "user_id": user_id, "rooms": list(rooms)}
    _publish({**message, "role": role} if role is not None else message)


def disconnect_user(user_id, reason="account_inactive"):
    """End every open socket of the user, on every web process."""
    _publish({"action": "disconnect", "user_id": user_id, "reason": reason})


def disconnect_token(user_id, jti, reason="token_revoked"):
    """End the user's sockets that were opened with the token `jti` (a logout revokes one token)."""
    _publish({"action": "disconnect", "user_id": user_id, "jti": jti, "reason": reason})


# -- the web process's side -------------------------------------------------------------


def end_socket(server, sid, reason):
    """Tell the socket why, then close it (this process only)."""
    try:
        server.emit(events.SESSION_ENDED, {"reason": reason}, to=sid, namespace=NAMESPACE, ignore_queue=True)
        server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
    except Exception:  # already gone
        log.debug("socket %s could not be ended", sid, exc_info=True)


def _session(server, sid):
    try:
        return server.get_session(sid, namespace=NAMESPACE) or {}
    except Exception:  # disconnected meanwhile
        return {}


def apply(server, message):
    """Apply one membership packet to this process's sockets of the user."""
    manager = server.manager
    sids = [sid for sid, _eio in manager.get_participants(NAMESPACE, user_room(message["user_id"]))]
    for sid in sids:
        if message["action"] == "disconnect":
            if message.get("jti") in (None, _session(server, sid).get("jti")):
                end_socket(server, sid, message.get("reason", "account_inactive"))
            continue
        role = message.get("role")
        if role is not None and _session(server, sid).get("role") not in (None, role):
            end_socket(server, sid, "role_changed")
            continue
        target = set(message["rooms"])
        current = set(manager.get_rooms(sid, NAMESPACE)) - {sid}
        for room in current - target:
            manager.basic_leave_room(sid, NAMESPACE, room)
        for room in target - current:
            manager.basic_enter_room(sid, NAMESPACE, room)
        log.info("socket %s of user %s now in %s", sid, message["user_id"], sorted(target))
    return len(sids)


class PulseRedisManager(NamespacedRedisManager):
    """The deployment's Redis manager, which also applies Pulse's membership packets."""

    def _listen(self):
        for packet in super()._listen():  # only this deployment's packets, parsed
            if packet.get("method") == METHOD:
                try:
                    apply(self.server, packet)
                except Exception:
                    log.exception("membership packet %s failed", packet)
                continue
            yield packet


# (expiry, sid) of this process's sockets, soonest first: the sweep looks only at those due,
# not at every socket. Scanning all 5,000 sockets of a process every 2 s blocked its event
# loop for tens of milliseconds each time (the crisis path's p99 at 10,000 sockets).
_expiries = []
_open = set()  # sids still connected here; entries of the others are dropped now and then


def track_expiry(sid, exp):
    """At connect: the socket `sid` must end when its token expires at `exp` (epoch seconds)."""
    _open.add(sid)
    heapq.heappush(_expiries, (exp, sid))


def forget(sid):
    """At disconnect. Its heap entry stays until due or until the heap is twice too big."""
    _open.discard(sid)
    if len(_expiries) > 2 * len(_open) + 1024:
        _expiries[:] = [entry for entry in _expiries if entry[1] in _open]
        heapq.heapify(_expiries)


def sweep_expired(server, now=None):
    """End this process's sockets whose access token has expired. Returns how many."""
    now = now or time.time()
    ended = 0
    while _expiries and _expiries[0][0] <= now:
        _exp, sid = heapq.heappop(_expiries)
        if sid not in _open or not server.manager.is_connected(sid, NAMESPACE):
            continue  # gone already
        if _session(server, sid).get("exp", now + 1) <= now:
            end_socket(server, sid, "token_expired")
            ended += 1
    return ended


def start_expiry_sweep(socketio_ext, interval):
    """One background task per web process: sweep_expired every `interval` seconds."""

    def loop():
        while True:
            socketio_ext.sleep(interval)
            try:
                sweep_expired(socketio_ext.server)
            except Exception:
                log.exception("socket expiry sweep failed")

    socketio_ext.start_background_task(loop)
